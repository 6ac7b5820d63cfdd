"""A hospital with a lab sampling room and patients, the LIS listener on a free loopback
port, and settings with short retry intervals so outage tests stay quick."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.integrations.hl7.listener import LisListener
from tests.integrations.hl7.lab_hospital import FACILITY, LabHospital, make_lab_hospital


@pytest.fixture
def lab(db: Database) -> LabHospital:
    return make_lab_hospital(db)


@pytest.fixture
def hl7_settings(db: Database) -> Callable[..., Settings]:
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": db.url,
            "facility_code": FACILITY,
            "lis_listen_host": "127.0.0.1",
            "lis_listen_port": 0,
            "lis_timeout_s": 5.0,
            "outbox_poll_interval_s": 0.05,
            "outbox_retry_base_s": 0.05,
            "outbox_retry_max_s": 0.2,
            "outbox_batch_size": 20,
            "outbox_lease_s": 30.0,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
def listener(db: Database, hl7_settings: Callable[..., Settings]) -> Iterator[LisListener]:
    running = LisListener(hl7_settings(), db).start()
    yield running
    running.stop()
