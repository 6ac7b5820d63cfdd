"""`smarthis demo`: the demo hospital as a visitor finds it — rooms for the whole patient
day, an account for every role, 200 patients whose cards the portal simulator accepts,
and the simulator's packaged cards still answering every portal result code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.demo.loader import DemoAlreadyLoaded, load_demo
from smarthis.facility.models import Room
from smarthis.insurance.portal_client import PORTAL_TZ, BhxhPortalClient, CardCheckRequest
from smarthis.insurance.portal_simulator import (
    SimCard,
    SimulatorCards,
    create_simulator_app,
    resolve_date_text,
)
from smarthis.insurance.result_codes import RESULT_CODES
from smarthis.patients.models import Patient
from smarthis.security.audit import verify_chain
from smarthis.security.models import Staff
from smarthis.security.permissions import STAFF_ROLES
from tests.conftest import FACILITY, SIM_PASSWORD, SIM_USERNAME, STAFF, empty_all_tables
from tests.servers import serve_in_thread

ROOM_KINDS = {
    "reception",
    "examination",
    "lab",
    "ultrasound",
    "xray",
    "ct",
    "mri",
    "endoscopy",
    "cashier",
    "pharmacy",
    "ward",
}


@dataclass
class LoadedDemo:
    db: Database
    settings: Settings
    summary: dict[str, object]


@pytest.fixture(scope="module")
def demo(
    _shared_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedDemo]:
    """The demo loaded once for the module (200 patients); the tests only read it."""
    empty_all_tables(_shared_database)
    settings = Settings(
        database_url=_shared_database.url,
        facility_code=FACILITY,
        data_dir=tmp_path_factory.mktemp("demo-var"),
    )
    yield LoadedDemo(_shared_database, settings, load_demo(_shared_database, settings))
    empty_all_tables(_shared_database)


@pytest.fixture(scope="module")
def demo_portal(demo: LoadedDemo) -> Iterator[BhxhPortalClient]:
    """The portal simulator serving the card file the demo wrote, over a real socket."""
    cards = SimulatorCards.from_file(Path(str(demo.summary["simulator_cards_file"])))
    server = serve_in_thread(
        create_simulator_app(cards, username=SIM_USERNAME, password=SIM_PASSWORD)
    )
    client = BhxhPortalClient(server.base_url, SIM_USERNAME, SIM_PASSWORD, timeout_s=3)
    yield client
    client.close()
    server.stop()


def _lookup(card_code: str, full_name: str, birth: date | int) -> CardCheckRequest:
    when = {"year_of_birth": birth} if isinstance(birth, int) else {"date_of_birth": birth}
    return CardCheckRequest(card_code=card_code, full_name=full_name, **STAFF, **when)


def test_demo_has_200_patients_and_an_account_for_every_role(demo: LoadedDemo) -> None:
    assert demo.summary["patients"] == 200
    with demo.db.session() as session:
        assert session.execute(select(func.count()).select_from(Patient)).scalar_one() == 200
        roles = set(session.execute(select(Staff.role)).scalars())
    assert roles >= {role.value for role in STAFF_ROLES}


def test_demo_has_rooms_for_the_whole_patient_day(demo: LoadedDemo) -> None:
    with demo.db.session() as session:
        kinds = set(session.execute(select(Room.kind)).scalars())
    assert kinds >= ROOM_KINDS


def test_loading_the_demo_twice_is_refused(demo: LoadedDemo) -> None:
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(demo.db, demo.settings)
    with demo.db.session() as session:
        assert session.execute(select(func.count()).select_from(Patient)).scalar_one() == 200


def test_audit_log_is_intact_after_the_demo(demo: LoadedDemo) -> None:
    with demo.db.session() as session:
        assert verify_chain(session) == []


def test_card_file_is_written_where_the_simulator_looks(demo: LoadedDemo) -> None:
    path = Path(str(demo.summary["simulator_cards_file"]))
    assert path == demo.settings.data_dir / "bhxh_sim_cards.json"
    cards = SimulatorCards.from_file(path)
    assert len(cards) > len(SimulatorCards.packaged())


def test_demo_patients_cards_are_valid_at_the_portal(
    demo: LoadedDemo, demo_portal: BhxhPortalClient
) -> None:
    with demo.db.session() as session:
        insured = session.execute(
            select(Patient.full_name, Patient.date_of_birth, Patient.bhyt_code)
            .where(Patient.bhyt_code.is_not(None), Patient.date_of_birth.is_not(None))
            .order_by(Patient.id)
            .limit(5)
        ).all()
    assert len(insured) == 5
    for full_name, date_of_birth, bhyt_code in insured:
        answer = demo_portal.check_card(_lookup(bhyt_code, full_name, date_of_birth))
        assert answer.code == "000", (full_name, bhyt_code)
        assert answer.result.verified
        assert answer.full_name == full_name


def _birth_of(card: SimCard) -> date | int:
    today = datetime.now(PORTAL_TZ).date()
    birth = resolve_date_text(card.ngaySinh, today) or ""
    if len(birth) == 4:
        return int(birth)
    return datetime.strptime(birth, "%d/%m/%Y").date()


def test_packaged_cards_in_the_demo_file_still_answer_every_result_code(
    demo: LoadedDemo, demo_portal: BhxhPortalClient
) -> None:
    packaged_codes = {card.maThe for card in SimulatorCards.packaged()}
    written = SimulatorCards.from_file(Path(str(demo.summary["simulator_cards_file"])))
    answered = set()
    for card in written:
        if card.maThe not in packaged_codes or card.delay_s or card.fail:
            continue
        answer = demo_portal.check_card(_lookup(card.maThe, card.hoTen, _birth_of(card)))
        answered.add(answer.code)
    assert answered == set(RESULT_CODES)
