"""The staff-profile and duty-plan routes: who may use them, and bad input as 4xx."""

from __future__ import annotations

from smarthis.db import Database
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role


def test_admin_saves_a_profile_and_others_may_not(hospital: Database) -> None:
    creds = sign_in_every_role(hospital)
    client = client_for(make_app(hospital))
    body = {"title": "BSCKI", "department_code": "kkb", "certificate_number": "000777/byt-cchn"}
    saved = client.put("/api/staff-profiles/bs.lan", json=body, headers=creds.headers(Role.ADMIN))
    assert saved.status_code == 200, saved.text
    assert saved.json()["certificate_number"] == "000777/BYT-CCHN"
    assert saved.json()["department_code"] == "KKB"
    for role in (Role.DOCTOR, Role.MANAGER, Role.RECEPTIONIST):
        denied = client.put("/api/staff-profiles/bs.lan", json=body, headers=creds.headers(role))
        assert denied.status_code == 403, role
    taken = client.put(
        "/api/staff-profiles/bs.minh",
        json={"certificate_number": "777/BYT-CCHN"},
        headers=creds.headers(Role.ADMIN),
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["field"] == "certificate_number"
    bad = client.put(
        "/api/staff-profiles/bs.minh",
        json={"certificate_number": "bảy bảy bảy"},
        headers=creds.headers(Role.ADMIN),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "certificate_format"
    missing = client.put("/api/staff-profiles/khong-co", json={}, headers=creds.headers(Role.ADMIN))
    assert missing.status_code == 404
    page = client.get("/admin/staff-profiles", headers=creds.headers(Role.ADMIN))
    assert page.status_code == 200
    assert "000777/BYT-CCHN" in page.text


def test_manager_plans_the_week_and_the_doctor_sees_today(hospital: Database) -> None:
    creds = sign_in_every_role(hospital)
    client = client_for(make_app(hospital))
    manager = creds.headers(Role.MANAGER)
    entry = {"login": "t.doctor", "room_code": "PK-102", "work_date": "2026-11-26"}
    created = client.post("/api/schedules", json=entry | {"shift": "morning"}, headers=manager)
    assert created.status_code == 201, created.text
    assert created.json()["shift_name_vi"] == "Sáng"
    clash = client.post(
        "/api/schedules", json=entry | {"room_code": "PK-103", "shift": "morning"}, headers=manager
    )
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "schedule_conflict"
    assert (
        client.post("/api/schedules", json=entry | {"shift": "x"}, headers=manager).status_code
        == 422
    )
    assert (
        client.post(
            "/api/schedules", json=entry | {"shift": "morning"}, headers=creds.headers(Role.DOCTOR)
        ).status_code
        == 403
    )
    week = client.get("/api/schedules?from=2026-11-23&to=2026-11-29", headers=manager)
    assert [e["room_code"] for e in week.json()] == ["PK-102"]
    backwards = client.get("/api/schedules?from=2026-11-29&to=2026-11-23", headers=manager)
    assert backwards.status_code == 422
    page = client.get("/admin/schedules?week=2026-11-26", headers=manager)
    assert page.status_code == 200
    assert "Nhân viên doctor" in page.text and "PK-103" in page.text
    removed = client.delete(f"/api/schedules/{created.json()['id']}", headers=manager)
    assert removed.status_code == 204
    assert client.get("/api/me/schedule", headers=creds.headers(Role.DOCTOR)).json() == []
    assert (
        client.get("/api/schedules/today/PK-102", headers=creds.headers(Role.DOCTOR)).status_code
        == 200
    )


def test_the_week_page_flags_a_room_outside_its_shift(hospital: Database) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from smarthis.db import utcnow
    from smarthis.queueing.clock import service_day
    from smarthis.security.models import Staff
    from smarthis.staff.models import ScheduleEntry

    creds = sign_in_every_role(hospital)
    client = client_for(make_app(hospital))
    page = client.get("/admin/schedules", headers=creds.headers(Role.MANAGER))
    assert "Ngoài ca" not in page.text  # nothing planned: every room as before
    now = utcnow()
    with hospital.session() as s:
        staff_id = s.execute(select(Staff.id).where(Staff.login == "bs.lan")).scalar_one()
        s.add(
            ScheduleEntry(
                facility_code="48001",
                staff_id=staff_id,
                room_code="PK-103",
                work_date=service_day(),
                shift="night",
                starts_at=now + timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
                created_by="test",
            )
        )
    page = client.get("/admin/schedules", headers=creds.headers(Role.MANAGER))
    assert page.text.count("Ngoài ca") == 1
    assert '<strong>PK-103</strong> <span class="badge closed"' in page.text
