"""Settings read from the environment (prefix SMARTHIS_); see README "Configuration"."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
