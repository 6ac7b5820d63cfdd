"""A kiosk device with a receptionist on duty, an examination floor, a patient whose card
the BHXH simulator holds as valid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.kiosk.service import kiosk_identify, kiosk_register
from smarthis.patients.identify import DocumentInput, register_typed
from smarthis.patients.service import Demographics
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal, system_principal
from tests.apphelpers import FACILITY, sign_in_every_role

# A card the simulator knows as valid (tests/clinical/test_visit_registration.py).
CCCD_QR = "048065001234||Nguyễn Văn An|15031965|Nam|Hải Châu, Đà Nẵng|01012021"
CARD = "DN4480123456789"


@pytest.fixture
def kiosk(db: Database) -> Principal:
    creds = sign_in_every_role(db)
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khu khám bệnh")
        for code in ("PK-102", "PK-103"):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=f"Phòng khám {code}",
                kind="examination",
                specialty="Ung bướu vú",
                area_code="KKB",
                prefix="B",
                queue_group="VU",
                room_label=code[-3:],
            )
        # The receptionist on duty, in whose name the kiosk asks the portal.
        security.set_on_duty(s, "dev-kiosk", "t.receptionist")
    # Known to the hospital with the card the simulator holds as valid.
    register_typed(
        db,
        system_principal(FACILITY),
        Demographics(full_name="Nguyễn Văn An", date_of_birth=date(1965, 3, 15), sex="male"),
        cccd="048065001234",
        bhyt_code=CARD,
    )
    with db.session() as s:
        return security.principal_from_bearer(s, creds.tokens[Role.KIOSK], "127.0.0.1")


@pytest.fixture
def portal(bhxh_simulator) -> Iterator[BhxhPortalClient]:
    client = BhxhPortalClient(
        bhxh_simulator.base_url, "48001_BV", "sim-test-password", timeout_s=0.5
    )
    yield client
    client.close()
    bhxh_simulator.admin("POST", "/_sim/outage", {"down": False})


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(database_url=db.url, facility_code=FACILITY)


def identify_at_kiosk(db: Database, kiosk: Principal, portal, settings) -> int:
    identified = kiosk_identify(db, kiosk, portal, settings, DocumentInput(qr_text=CCCD_QR))
    return identified.registration.patient.id


def register_at_kiosk(db, kiosk, portal, settings, patient_id: int, key: str = "k-0001"):
    """The registration's visit and ticket."""
    done = kiosk_register(
        db,
        kiosk,
        portal,
        settings,
        patient_id=patient_id,
        specialty="Ung bướu vú",
        idempotency_key=key,
    )
    return done.visit, done.ticket
