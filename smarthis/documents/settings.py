"""Settings of the hospital's PKI, read from the environment (prefix SMARTHIS_PKI_).

SMARTHIS_PKI_DIR            where the built-in CA and the staff keys live
                            (default: <SMARTHIS_DATA_DIR>/pki)
SMARTHIS_PKI_PASSPHRASE     protects the built-in CA key and every staff PKCS#12 file.
                            The default is for the demo only: set a long random value in
                            production and keep it out of the data directory's backups.
SMARTHIS_PKI_CA_CERT_FILE   a real CA (the province's or a trust service provider's
SMARTHIS_PKI_CA_KEY_FILE    subordinate CA): PEM certificate and PEM private key; when both
SMARTHIS_PKI_CA_KEY_PASSPHRASE  are set they replace the built-in CA for issuing and trust.
SMARTHIS_PKI_STAFF_CERT_DAYS    validity of a staff certificate (default two years)
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_PASSPHRASE = "demo-pki-passphrase"


class PkiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMARTHIS_PKI_", env_file=".env", extra="ignore")

    dir: Path | None = None
    passphrase: str = DEMO_PASSPHRASE
    ca_cert_file: Path | None = None
    ca_key_file: Path | None = None
    ca_key_passphrase: str = ""
    staff_cert_days: int = 730
    ca_cert_days: int = 3650
