"""Settings of the EMR portal link (environment, prefix SMARTHIS_EMR_). Retry timing is
the outbox's (SMARTHIS_OUTBOX_*), shared with the other outbound channels."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from smarthis.config import Settings
from smarthis.integrations import outbox


class EmrSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMARTHIS_EMR_", env_file=".env", extra="ignore")

    # Queue each concluded visit's record for the portal (false: nothing is queued).
    enabled: bool = True
    # The portal (or `smarthis sim emr`, which listens here by default).
    portal_url: str = "http://127.0.0.1:8087"
    # The hospital's API token at the portal (demo value; the simulator expects it).
    portal_token: str = "demo-emr-token"
    timeout_s: float = 10.0


def retry_policy(settings: Settings) -> outbox.RetryPolicy:
    return outbox.RetryPolicy(
        base_s=settings.outbox_retry_base_s,
        max_s=settings.outbox_retry_max_s,
        max_attempts=settings.outbox_max_attempts,
        lease_s=settings.outbox_lease_s,
    )
