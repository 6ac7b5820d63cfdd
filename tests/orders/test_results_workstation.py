# ruff: noqa: F811 (the imported `hospital` fixture is used as a parameter)
"""The paraclinical room calling a patient starts the order items that ticket carries (and
nothing else changes when it completes); the results workstation's worklist lists today's
items of the room's kind with analytes, units and reference ranges, audited per patient."""

from __future__ import annotations

from sqlalchemy import select

from smarthis.clinical.examination_models import VisitStep
from smarthis.db import Database
from smarthis.orders import service
from smarthis.orders.models import OrderItem
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.orders.test_orders import (  # noqa: F401 (the fixture)
    LAB_1,
    _item,
    _place,
    hospital,
)


def _statuses(db: Database, placed: service.PlacedOrder) -> dict[str, str]:
    with db.session() as s:
        return {
            item.service_code: item.status
            for item in s.execute(
                select(OrderItem).where(OrderItem.order_id == placed.order.id)
            ).scalars()
        }


def _steps(db: Database, visit_id: int) -> list[str]:
    with db.session() as s:
        return list(
            s.execute(
                select(VisitStep.step).where(VisitStep.visit_id == visit_id).order_by(VisitStep.id)
            ).scalars()
        )


def test_calling_the_ticket_starts_its_items_and_completing_changes_nothing(
    hospital: tuple[Database, int],
) -> None:
    db, visit_id = hospital
    placed = _place(db, visit_id, ["XN-CBC", "XN-GLU", "SA-BUNG"])
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))
    lab = creds.headers(Role.LAB_TECHNICIAN)

    called = client.post("/api/queue/points/XN-01/call-next", headers=lab)
    assert called.status_code == 200, called.text
    assert _statuses(db, placed) == {
        "XN-CBC": "in_progress",
        "XN-GLU": "in_progress",
        "SA-BUNG": "ordered",  # another room's ticket
    }
    assert _steps(db, visit_id).count("called_lab") == 1

    # A recall finds nothing left to start: no second step.
    recalled = client.post(f"/api/queue/tickets/{called.json()['id']}/recall", headers=lab)
    assert recalled.status_code == 200, recalled.text
    assert _steps(db, visit_id).count("called_lab") == 1

    done = client.post(f"/api/queue/tickets/{called.json()['id']}/complete", headers=lab)
    assert done.status_code == 200, done.text
    assert _statuses(db, placed)["XN-CBC"] == "in_progress"

    radiologist = creds.headers(Role.RADIOLOGIST)
    assert client.post("/api/queue/points/SA-01/call-next", headers=radiologist).status_code == 200
    assert _statuses(db, placed)["SA-BUNG"] == "in_progress"
    assert "called_ultrasound" in _steps(db, visit_id)


def test_a_specimen_taken_before_the_call_is_not_set_back(hospital: tuple[Database, int]) -> None:
    db, visit_id = hospital
    placed = _place(db, visit_id, ["XN-GLU"])
    with db.session() as s:
        service.collect_specimen(s, LAB_1, _item(placed, "XN-GLU"))
    with db.session() as s:
        service.enter_lab_results(s, LAB_1, _item(placed, "XN-GLU"), [("GLU", "5.0")])
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))
    headers = creds.headers(Role.LAB_TECHNICIAN)
    assert client.post("/api/queue/points/XN-01/call-next", headers=headers).status_code == 200
    assert _statuses(db, placed) == {"XN-GLU": "resulted"}
    assert "called_lab" not in _steps(db, visit_id)


def test_worklist_lists_todays_items_of_the_room_kind_with_analytes(
    hospital: tuple[Database, int],
) -> None:
    db, visit_id = hospital
    placed = _place(db, visit_id, ["XN-GLU", "SA-BUNG"])
    glu = _item(placed, "XN-GLU")
    with db.session() as s:
        service.collect_specimen(s, LAB_1, glu)
    with db.session() as s:
        service.enter_lab_results(s, LAB_1, glu, [("GLU", "8.1")])
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))

    response = client.get("/api/orders/worklist/XN-02", headers=creds.headers(Role.LAB_TECHNICIAN))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["point_kind"] == "lab"
    (item,) = body["items"]
    assert item["item_id"] == glu
    assert item["status"] == "resulted"
    assert item["masked_name"] != "Nguyễn Văn An"  # masked
    assert item["sex"] == "male" and item["age_years"] >= 60
    assert item["accession_number"] and item["label_url"].endswith("/label.pdf")
    (analyte,) = item["analytes"]
    assert analyte["code"] == "GLU" and analyte["unit"] == "mmol/L"
    assert analyte["range_text"] == "3.9–6.4 mmol/L"
    assert item["lab_results"][0]["flag"] == "high"

    imaging = client.get("/api/orders/worklist/SA-01", headers=creds.headers(Role.RADIOLOGIST))
    (us,) = imaging.json()["items"]
    assert us["service_code"] == "SA-BUNG" and us["analytes"] == [] and us["report"] is None

    with db.session() as s:
        audited = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "worklist.read"))
            .scalars()
            .all()
        )
    assert {entry.patient_id for entry in audited} == {placed.order.patient_id}

    # Reception and unknown rooms: refused / not found, in plain words.
    refused = client.get("/api/orders/worklist/XN-01", headers=creds.headers(Role.RECEPTIONIST))
    assert refused.status_code == 403
    missing = client.get(
        "/api/orders/worklist/KHONG-CO", headers=creds.headers(Role.LAB_TECHNICIAN)
    )
    assert missing.status_code == 404


def test_results_page_renders_for_a_lab_technician(hospital: tuple[Database, int]) -> None:
    db, _visit_id = hospital
    creds = sign_in_every_role(db)
    client = client_for(make_app(db))
    page = client.get("/results/XN-01", headers=creds.headers(Role.LAB_TECHNICIAN))
    assert page.status_code == 200
    assert 'data-point="XN-01"' in page.text and "/static/results.js" in page.text
    assert client.get("/results/XN-01", headers=creds.headers(Role.CASHIER)).status_code == 403
