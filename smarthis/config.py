"""Settings read from the environment (prefix SMARTHIS_); see README "Configuration"."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMARTHIS_", env_file=".env", extra="ignore")

    # Files the installation writes (embedded database, simulator card file).
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'smarthis.db'}"
    # MA_CSKCB of the hospital this installation serves; every row carries it.
    facility_code: str = "48001"
    facility_name: str = "Bệnh viện Ung bướu tỉnh (demo)"
    # Session cookies are marked Secure unless explicitly served over plain HTTP (the demo).
    cookie_secure: bool = False
    session_hours: int = 12
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Asia/Ho_Chi_Minh"

    # Vietnam Social Security card-check portal (or its simulator, `smarthis sim bhxh`).
    bhxh_portal_url: str = "http://127.0.0.1:8081"
    bhxh_username: str = "48001_BV"
    bhxh_password: str = "demo-password"
    bhxh_timeout_s: float = 3.0
    bhxh_cache_seconds: int = 300
    bhxh_recheck_interval_s: int = 60
    # Card data the simulator serves; empty means the demo's file if `smarthis demo` wrote
    # one (data_dir/bhxh_sim_cards.json), else the packaged cards.
    bhxh_sim_cards_file: str = ""

    # --- LIS link: HL7 v2.5.1 over MLLP (smarthis/integrations/hl7) ---------------------
    # Where the laboratory system listens for our orders (`smarthis sim lis` by default).
    lis_host: str = "127.0.0.1"
    lis_port: int = 2576
    # Where our listener takes results (ORU^R01, OUL^R22); started by `smarthis serve`.
    lis_listen_host: str = "127.0.0.1"
    lis_listen_port: int = 2575
    # The order message the LIS understands: "OML_O21" (v2.5 style) or "ORM_O01" (older LIS).
    lis_order_message: Literal["OML_O21", "ORM_O01"] = "OML_O21"
    # MSH-3/4 (us) and MSH-5/6 (the LIS); an empty sending facility means facility_code.
    lis_sending_application: str = "SMARTHIS"
    lis_sending_facility: str = ""
    lis_receiving_application: str = "LIS"
    lis_receiving_facility: str = "LAB"
    # How long to wait for the LIS's acknowledgement before retrying the message.
    lis_timeout_s: float = 10.0
    # Transactional outbox delivery: poll interval, batch, exponential back-off between
    # attempts (base doubling up to max), application errors (AE) tolerated before a message
    # is marked failed, and how long a claimed message stays with the process that claimed it
    # (a process that dies mid-send gives it back after this lease).
    outbox_poll_interval_s: float = 1.0
    outbox_batch_size: int = 50
    outbox_retry_base_s: float = 2.0
    outbox_retry_max_s: float = 300.0
    outbox_max_attempts: int = 10
    outbox_lease_s: float = 60.0

    # --- Imaging (DICOM): the modality worklist SmartHIS serves and the PACS it follows ---
    # Orthanc's REST address as SmartHIS reaches it; empty = no PACS (no follower, no
    # previews). The worklist does not need it: it reads the database only.
    pacs_url: str = ""
    # Orthanc as the staff's browsers reach it, for the "Xem ảnh" viewer links (defaults
    # to pacs_url when empty).
    pacs_public_url: str = ""
    pacs_username: str = ""
    pacs_password: str = ""
    pacs_timeout_s: float = 5.0
    # Seconds between two passes of the follower over Orthanc's changes feed.
    pacs_poll_interval_s: float = 10.0
    # The Modality Worklist SCP started by `smarthis serve` (one per installation).
    worklist_ae_title: str = "SMARTHIS"
    worklist_host: str = "127.0.0.1"
    worklist_port: int = 11112
    # Room (service point) code -> the AE title of the modality in that room, e.g.
    # {"CT-01": "CT_TANG2"}; a room not listed uses its code without punctuation ("CT01").
    dicom_station_ae_titles: dict[str, str] = {}

    # --- Billing (smarthis/billing): the hospital's account for VietQR, the bank's webhook --
    # NAPAS BIN of the hospital's bank, its account number and name (shown to the payer).
    bank_bin: str = "970436"
    bank_account: str = "0011004567890"
    bank_account_name: str = "BENH VIEN UNG BUOU TINH"
    # Shared secret of the bank's credit-notification webhook (HMAC-SHA256 of the raw body);
    # the demo value must be replaced in production.
    bank_webhook_secret: str = "demo-bank-webhook-secret"
    # Where the bank (or `smarthis sim bank`) posts notifications: SmartHIS's own URL.
    bank_webhook_url: str = "http://127.0.0.1:8000/api/bank/notifications"
    # The bank simulator's address (`smarthis sim bank`).
    bank_sim_url: str = "http://127.0.0.1:8083"
    # The examination fee charged when a room has no specialty-specific fee in the catalogue.
    billing_exam_service_code: str = "KB-UB"

    # --- Claims (smarthis/insurance/claims): the BHXH receiving portal for XML 130 files --
    # Its address (or `smarthis sim claims`), the hospital's account there (often the same
    # as the card-check account), and the province code it wants with every file.
    claims_portal_url: str = "http://127.0.0.1:8084"
    claims_username: str = "48001_BV"
    claims_password: str = "demo-password"
    claims_province_code: str = "48"
    # The portal takes its time with large files; the worker, not a person, waits on it.
    claims_timeout_s: float = 120.0
    # Seconds before a claim the portal did not answer is sent again (doubling, capped).
    claims_retry_base_s: float = 60.0
    claims_retry_max_s: float = 3600.0
    # How often the background worker sends queued claims (`smarthis claims queue`).
    claims_poll_interval_s: float = 30.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
