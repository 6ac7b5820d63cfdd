"""The examination room's list of the day's follow-ups: who was asked back, by whom, for
what, and whether they have come (a kiosk confirmation shows up as their visit)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from smarthis.db import Database
from smarthis.kiosk.service import kiosk_register
from smarthis.queueing.clock import service_day
from smarthis.queueing.setup import create_service_point
from smarthis.security import service as security
from smarthis.security.models import AuditEntry, Staff
from tests.apphelpers import FACILITY, client_for, make_app
from tests.kiosk.conftest import identify_at_kiosk
from tests.kiosk.test_kiosk_appointment import _book_follow_up


def _headers(db: Database, login: str) -> dict[str, str]:
    with db.session() as s:
        staff = s.execute(select(Staff).where(Staff.login == login)).scalar_one()
        return {"Authorization": f"Bearer {security.issue_api_token(s, staff)}"}


def test_the_room_sees_todays_follow_up_and_then_that_the_patient_came(
    db: Database, kiosk, portal, settings
) -> None:
    _book_follow_up(db, kiosk, portal, settings, days_ahead=0)
    client = client_for(make_app(db))
    doctor = _headers(db, "t.doctor")

    listed = client.get("/api/appointments/follow-ups?point=PK-103", headers=doctor)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["specialty"] == "Ung bướu vú" and body["day"] == service_day().isoformat()
    (booked,) = body["follow_ups"]
    assert booked["full_name"] == "Nguyễn Văn An"
    assert booked["main_diagnosis"].startswith("C50.9 ")
    assert booked["booked_by"] and booked["arrived_visit_number"] is None

    patient_id = identify_at_kiosk(db, kiosk, portal, settings)
    came = kiosk_register(
        db,
        kiosk,
        portal,
        settings,
        patient_id=patient_id,
        specialty=None,
        idempotency_key="k-came",
        appointment=True,
    )
    (booked,) = client.get(
        "/api/appointments/follow-ups?point=PK-102", headers=_headers(db, "t.receptionist")
    ).json()["follow_ups"]
    assert booked["arrived_visit_number"] == came.visit.visit_number
    with db.session() as s:
        reads = s.execute(
            select(AuditEntry.actor).where(
                AuditEntry.action == "appointment.list", AuditEntry.patient_id == patient_id
            )
        ).scalars()
        assert sorted(reads) == ["t.doctor", "t.receptionist"]


def test_another_specialty_and_another_day_list_nobody(
    db: Database, kiosk, portal, settings
) -> None:
    _book_follow_up(db, kiosk, portal, settings, days_ahead=3)
    with db.session() as s:
        create_service_point(
            s,
            FACILITY,
            code="PK-201",
            name="Phòng khám Ung bướu phổi",
            kind="examination",
            specialty="Ung bướu phổi",
            area_code="KKB",
            prefix="P",
            room_label="201",
        )
    client = client_for(make_app(db))
    doctor = _headers(db, "t.doctor")
    in_three_days = (service_day() + timedelta(days=3)).isoformat()
    on_day = client.get(
        f"/api/appointments/follow-ups?point=PK-102&day={in_three_days}", headers=doctor
    )
    assert len(on_day.json()["follow_ups"]) == 1
    for query in ("point=PK-102", f"point=PK-201&day={in_three_days}"):
        answer = client.get(f"/api/appointments/follow-ups?{query}", headers=doctor)
        assert answer.status_code == 200 and answer.json()["follow_ups"] == [], query


def test_bad_questions_get_clear_answers(db: Database, kiosk, portal, settings) -> None:
    with db.session() as s:
        create_service_point(
            s,
            FACILITY,
            code="TN-01",
            name="Quầy thu ngân 1",
            kind="cashier",
            area_code="KKB",
            prefix="T",
            room_label="TN1",
        )
    client = client_for(make_app(db))
    doctor = _headers(db, "t.doctor")
    url = "/api/appointments/follow-ups"
    unknown = client.get(f"{url}?point=PK-999", headers=doctor)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "service_point_not_found"
    cashier = client.get(f"{url}?point=TN-01", headers=doctor)
    assert cashier.status_code == 422
    assert cashier.json()["error"]["code"] == "not_an_examination_room"
    far = client.get(f"{url}?point=PK-102&day=9999-12-31", headers=doctor)
    assert far.status_code == 422 and far.json()["error"]["code"] == "day_out_of_range"
    assert client.get(f"{url}?point=PK-102&day=31-12-2026", headers=doctor).status_code == 422
    assert client.get(f"{url}?point=PK-102").status_code == 401
