"""One patient's whole outpatient day through the HTTP API (issue 4, "Done when"): the kiosk
registers him from his CCCD QR with his insurance card checked at the BHXH portal
simulator; the doctor calls and examines him and orders a lab panel, a chest X-ray and an
abdominal ultrasound; each room calls and completes its ticket; lab values are entered by
one technician and verified by another, imaging reports written by one radiologist and
verified by another; the doctor sees them verified, codes the diagnosis, prescribes and
concludes; the patient finds the verified results at the kiosk (ticket QR, CCCD QR with
birth date) and never a value that was not verified. The audit log stays intact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient

from smarthis.catalogs.service_catalog import find_service, services_for_panel
from smarthis.db import Database
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.patients.identify import register_typed
from smarthis.patients.service import Demographics
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import system_principal
from tests.apphelpers import (
    FACILITY,
    PASSWORD,
    Credentials,
    client_for,
    make_app,
    sign_in_every_role,
)

CCCD = "048065001234"
BHYT = "DN4480123456789"
QR = f"{CCCD}||Nguyễn Văn An|15031965|Nam|12 Lê Duẩn, Hải Châu, Đà Nẵng|01022021"
BIRTH = date(1965, 3, 15)
SPECIALTY = "Ung bướu"
EXAM_ROOM = "PK-106"
# (room code, queue kind, ticket prefix, room label)
ROOMS = (
    ("XN-LM", "lab", "X", "110"),
    ("XQ-01", "xray", "Q", "201"),
    ("SA-01", "ultrasound", "S", "205"),
)
LAB_PANEL = "DGD"  # electrolytes: Na, K, Cl
LAB_VALUES = {"NA": "139", "K": "4.1", "CL": "95"}
EXTRA_LAB = "XN-CEA"  # entered but never verified: the patient must not see it
XRAY = "XQ-NGUC"
ULTRASOUND = "SA-BUNG"


@dataclass
class Day:
    client: TestClient
    creds: Credentials
    lab_2: dict[str, str]
    radiologist_2: dict[str, str]

    def as_(self, role: Role) -> dict[str, str]:
        return self.creds.headers(role)


def seed_hospital(db: Database) -> None:
    """One oncology examination room and the lab, X-ray and ultrasound rooms."""
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khu khám bệnh")
        create_area(s, FACILITY, "CLS", "Khu cận lâm sàng")
        create_service_point(
            s,
            FACILITY,
            code=EXAM_ROOM,
            name="Phòng khám Ung bướu 106",
            kind="examination",
            specialty=SPECIALTY,
            area_code="KKB",
            prefix="B",
            room_label="106",
            floor="Tầng 1",
        )
        for code, kind, prefix, label in ROOMS:
            create_service_point(
                s,
                FACILITY,
                code=code,
                name={
                    "lab": "Phòng lấy mẫu xét nghiệm",
                    "xray": "Phòng X-quang",
                    "ultrasound": "Phòng siêu âm",
                }[kind],
                kind=kind,
                area_code="CLS",
                prefix=prefix,
                room_label=label,
                floor="Tầng 2",
                default_service_minutes=5,
            )


def insured_patient(db: Database) -> None:
    """Nguyễn Văn An, known to the hospital with the card the simulator holds as valid."""
    register_typed(
        db,
        system_principal(FACILITY),
        Demographics(full_name="Nguyễn Văn An", date_of_birth=BIRTH, sex="male"),
        cccd=CCCD,
        bhyt_code=BHYT,
    )


def second_staff(db: Database, login: str, role: Role) -> dict[str, str]:
    with db.session() as s:
        person = security.create_staff(
            s,
            facility_code=FACILITY,
            login=login,
            full_name=f"Người thứ hai {role.value}",
            role=role.value,
            password=PASSWORD,
        )
        return {"Authorization": f"Bearer {security.issue_api_token(s, person)}"}


@pytest.fixture
def day(db: Database, bhxh_simulator) -> Iterator[Day]:
    seed_hospital(db)
    insured_patient(db)
    creds = sign_in_every_role(db)
    lab_2 = second_staff(db, "t.lab-2", Role.LAB_TECHNICIAN)
    radiologist_2 = second_staff(db, "t.radiologist-2", Role.RADIOLOGIST)
    with db.session() as s:
        # The receptionist on duty, in whose name the kiosk looks the card up.
        security.set_on_duty(s, "dev-kiosk", "t.receptionist")
    portal = BhxhPortalClient(bhxh_simulator.base_url, "48001_BV", "sim-test-password")
    client = client_for(make_app(db, portal=portal))
    yield Day(client, creds, lab_2, radiologist_2)
    client.close()
    portal.close()


def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json()


def test_one_patients_outpatient_day_through_the_api(day: Day) -> None:
    client = day.client
    kiosk = day.as_(Role.KIOSK)
    doctor = day.as_(Role.DOCTOR)
    lab_1 = day.as_(Role.LAB_TECHNICIAN)
    radiologist_1 = day.as_(Role.RADIOLOGIST)

    # --- the kiosk: CCCD QR -> insurance answer -> specialty -> ticket ----------------------
    identified = ok(client.post("/api/kiosk/identify", json={"qr_text": QR}, headers=kiosk))
    assert identified["created"] is False
    assert identified["patient"]["masked_name"] == "NGUYỄN V. A."
    assert identified["insurance"]["status"] == "verified", identified["insurance"]
    assert identified["insurance"]["card_code"] == BHYT
    patient_id = identified["patient"]["id"]
    choices = ok(client.get("/api/kiosk/choices", headers=kiosk))
    assert SPECIALTY in [c["specialty"] for c in choices["specialties"]]
    registered = ok(
        client.post(
            "/api/kiosk/register",
            json={
                "patient_id": patient_id,
                "specialty": SPECIALTY,
                "idempotency_key": "journey-0001",
            },
            headers=kiosk,
        ),
        201,
    )
    ticket = registered["ticket"]
    assert ticket["display_number"] == "B-0001"
    assert ticket["service_point_code"] == EXAM_ROOM
    assert ticket["status"] == "waiting"
    visit_id = ticket["visit_id"]
    assert visit_id is not None
    ticket_qr = f"http://127.0.0.1/t/{ticket['lookup_token']}"

    # --- the doctor calls him from the console and examines -------------------------------
    called = ok(client.post(f"/api/queue/points/{EXAM_ROOM}/call-next", headers=doctor))
    assert (called["id"], called["status"]) == (ticket["id"], "called")
    record = ok(
        client.post(
            f"/api/visits/{visit_id}/examination/start",
            json={"reason": "Khám định kỳ sau phẫu thuật", "history": "Tăng huyết áp"},
            headers=doctor,
        )
    )
    assert record["status"] == "in_examination"
    assert record["patient"]["id"] == patient_id
    vitals = ok(
        client.post(
            f"/api/visits/{visit_id}/vitals",
            json={
                "pulse": 78,
                "temperature_c": 36.7,
                "systolic": 130,
                "diastolic": 85,
                "respiratory_rate": 18,
                "spo2": 98,
                "height_cm": 165,
                "weight_kg": 60,
            },
            headers=doctor,
        ),
        201,
    )
    assert vitals["bmi"] == pytest.approx(22.0, abs=0.05)

    # --- orders: a lab panel (+ one extra test), a chest X-ray, an abdominal ultrasound -------
    panel = [service.code for service in services_for_panel(LAB_PANEL)]
    assert panel == ["XN-DGD"]
    assert find_service(XRAY).point_kind == "xray"
    assert find_service(ULTRASOUND).point_kind == "ultrasound"
    codes = [*panel, EXTRA_LAB, XRAY, ULTRASOUND]
    order = ok(
        client.post("/api/orders", json={"visit_id": visit_id, "services": codes}, headers=doctor),
        201,
    )
    assert order["patient_id"] == patient_id
    items = {item["service_code"]: item for item in order["items"]}
    assert set(items) == set(codes)
    room_of = {item["service_code"]: item["point_kind"] for item in order["items"]}
    assert room_of == {"XN-DGD": "lab", EXTRA_LAB: "lab", XRAY: "xray", ULTRASOUND: "ultrasound"}
    # One stop per room, the patient's tickets already waiting there (no queueing again).
    stops = {stop["point_code"]: stop for stop in order["route"]}
    assert set(stops) == {"XN-LM", "XQ-01", "SA-01"}
    tickets = {
        code: ok(client.get(f"/api/queue/tickets/{stop['ticket_id']}", headers=doctor))
        for code, stop in stops.items()
    }
    for code, room_ticket in tickets.items():
        assert room_ticket["service_point_code"] == code
        assert room_ticket["visit_id"] == visit_id
        assert room_ticket["status"] == "waiting"
    assert (
        items["XN-DGD"]["ticket_id"] == items[EXTRA_LAB]["ticket_id"] == stops["XN-LM"]["ticket_id"]
    )
    assert items[XRAY]["ticket_id"] == stops["XQ-01"]["ticket_id"]
    assert items[ULTRASOUND]["ticket_id"] == stops["SA-01"]["ticket_id"]
    slip = client.get(order["slip_url"], headers=doctor)
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"

    # --- each room calls and completes its ticket ------------------------------------------
    room_staff = {"XN-LM": lab_1, "XQ-01": radiologist_1, "SA-01": radiologist_1}
    for code, staff in room_staff.items():
        waiting = ok(client.get(f"/api/queue/points/{code}", headers=staff))
        assert [t["id"] for t in waiting["waiting"]] == [stops[code]["ticket_id"]]
        called = ok(client.post(f"/api/queue/points/{code}/call-next", headers=staff))
        assert called["id"] == stops[code]["ticket_id"] and called["status"] == "called"
        if code == "XN-LM":
            specimen = ok(
                client.post(f"/api/orders/items/{items['XN-DGD']['id']}/specimen", headers=staff),
                201,
            )
            assert set(specimen["item_ids"]) == {items["XN-DGD"]["id"], items[EXTRA_LAB]["id"]}
            assert specimen["accession_number"]
        client.post(f"/api/queue/tickets/{called['id']}/complete", headers=staff)
        done = ok(client.get(f"/api/queue/tickets/{called['id']}", headers=staff))
        assert done["status"] == "completed"

    # --- results: entered by one person, verified by another --------------------------------
    dgd = items["XN-DGD"]["id"]
    values = [{"analyte_code": k, "value": v} for k, v in LAB_VALUES.items()]
    entered = ok(
        client.post(f"/api/orders/items/{dgd}/results", json={"values": values}, headers=lab_1),
        201,
    )
    assert {r["analyte_code"]: r["flag"] for r in entered} == {
        "NA": "normal",
        "K": "normal",
        "CL": "low",
    }
    same = client.post(f"/api/orders/items/{dgd}/verify", headers=lab_1)
    assert same.status_code == 403
    assert same.json()["error"]["code"] == "verify_same_person"
    assert ok(client.post(f"/api/orders/items/{dgd}/verify", headers=day.lab_2))["status"] == (
        "verified"
    )
    # The extra test is entered but nobody verifies it today.
    cea = items[EXTRA_LAB]["id"]
    ok(
        client.post(
            f"/api/orders/items/{cea}/results",
            json={"values": [{"analyte_code": "CEA", "value": "7.7"}]},
            headers=lab_1,
        ),
        201,
    )
    reports = {
        XRAY: (
            "Chụp thẳng sau-trước, số hoá",
            "Hai phế trường sáng đều. Bóng tim không to.",
            "Hình ảnh X-quang ngực bình thường",
        ),
        ULTRASOUND: (
            "Siêu âm đầu dò convex 3.5 MHz",
            "Gan không to, nhu mô đều. Không thấy khối khu trú.",
            "Siêu âm ổ bụng chưa phát hiện bất thường",
        ),
    }
    for code, (technique, findings, conclusion) in reports.items():
        item_id = items[code]["id"]
        written = ok(
            client.post(
                f"/api/orders/items/{item_id}/report",
                json={"technique": technique, "findings": findings, "conclusion": conclusion},
                headers=radiologist_1,
            ),
            201,
        )
        assert written["entered_by"] == "t.radiologist" and written["verified_at"] is None
        assert (
            client.post(f"/api/orders/items/{item_id}/verify", headers=radiologist_1).status_code
            == 403
        )
        verified = ok(client.post(f"/api/orders/items/{item_id}/verify", headers=day.radiologist_2))
        assert verified["status"] == "verified"

    # --- the doctor's results view ----------------------------------------------------------
    seen = {
        r["service_code"]: r
        for r in ok(client.get(f"/api/orders/visit/{visit_id}/results", headers=doctor))
    }
    assert set(seen) == set(codes)
    for code in ("XN-DGD", XRAY, ULTRASOUND):
        assert seen[code]["status"] == "verified", seen[code]
    lab_seen = {r["analyte_code"]: r for r in seen["XN-DGD"]["lab_results"]}
    assert {k: r["value"] for k, r in lab_seen.items()} == LAB_VALUES
    assert all(r["verified_by"] == "t.lab-2" for r in lab_seen.values())
    assert seen[XRAY]["report"]["conclusion"] == "Hình ảnh X-quang ngực bình thường"
    assert seen[XRAY]["report"]["verified_by"] == "t.radiologist-2"
    assert seen[ULTRASOUND]["report"]["verified_by"] == "t.radiologist-2"
    # The unverified value is the doctor's to see, marked as such.
    assert seen[EXTRA_LAB]["status"] == "resulted"
    assert seen[EXTRA_LAB]["lab_results"][0]["verified_at"] is None

    # --- diagnosis from the Vietnamese ICD-10 search, prescription, conclusion ---------------
    hits = ok(client.get("/api/catalog/icd10", params={"q": "ung thu vu"}, headers=doctor))
    main = next(h for h in hits if h["code"] == "C50.9")
    assert "vú" in main["name_vi"] and not main["not_main"]
    diagnoses = ok(
        client.put(
            f"/api/visits/{visit_id}/diagnoses",
            json={"main": main["code"], "secondary": ["I10"]},
            headers=doctor,
        )
    )
    assert [(d["icd_code"], d["is_main"]) for d in diagnoses["diagnoses"]] == [
        ("C50.9", True),
        ("I10", False),
    ]
    prescription = ok(
        client.post(
            f"/api/visits/{visit_id}/prescription",
            json={
                "items": [
                    {
                        "drug_code": "T-PARA500",
                        "quantity": 10,
                        "instructions": "Uống 1 viên khi đau, cách nhau ít nhất 6 giờ",
                        "days": 5,
                    }
                ],
                "advice": "Tái khám khi có bất thường",
                "issue": True,
            },
            headers=doctor,
        )
    )
    assert prescription["status"] == "issued" and prescription["issued_at"] is not None
    assert "C50.9" in (prescription["diagnosis_text"] or "")
    assert [i["drug_code"] for i in prescription["items"]] == ["T-PARA500"]
    pdf = client.get(f"/api/visits/{visit_id}/prescription.pdf", headers=doctor)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    concluded = ok(
        client.post(
            f"/api/visits/{visit_id}/conclude",
            json={"conclusion": "home", "advice": "Nghỉ ngơi, uống thuốc theo đơn"},
            headers=doctor,
        )
    )
    assert concluded["status"] == "concluded"
    assert concluded["examination"]["conclusion"] == "home"
    client.post(f"/api/queue/tickets/{ticket['id']}/complete", headers=doctor)

    # --- the patient at the kiosk: verified results only -----------------------------------
    for lookup in (
        {"ticket_token": ticket_qr},
        {"qr_text": QR, "date_of_birth": BIRTH.isoformat()},
    ):
        found = ok(client.post("/api/kiosk/results", json=lookup, headers=kiosk))
        assert found["masked_name"] == "NGUYỄN V. A."
        by_code = {i["service_code"]: i for i in found["items"]}
        assert set(by_code) == {"XN-DGD", XRAY, ULTRASOUND}, lookup
        assert {r["analyte_code"]: r["value"] for r in by_code["XN-DGD"]["lab_results"]} == (
            LAB_VALUES
        )
        # Who entered or verified is staff business, not the patient's screen.
        assert all(r["entered_by"] is None for r in by_code["XN-DGD"]["lab_results"])
        assert by_code[XRAY]["report"]["conclusion"] == "Hình ảnh X-quang ngực bình thường"
        assert by_code[ULTRASOUND]["report"]["conclusion"] == (
            "Siêu âm ổ bụng chưa phát hiện bất thường"
        )
        shown = [r["value"] for item in found["items"] for r in item.get("lab_results") or []]
        assert EXTRA_LAB not in by_code and "7.7" not in shown
    printed = client.post(
        "/api/kiosk/results/print.pdf", json={"ticket_token": ticket_qr}, headers=kiosk
    )
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"

    # --- the record: steps in time order, the audit chain intact ---------------------------
    record = ok(client.get(f"/api/visits/{visit_id}/examination", headers=doctor))
    steps = [s["step"] for s in record["steps"]]
    times = [s["at"] for s in record["steps"]]
    assert times == sorted(times)
    # Every step the issue names is timestamped, in the order the day went.
    named = [
        "registered",
        "called",
        "examination_started",
        "vitals_recorded",
        "ordered",
        "called_lab",
        "sample_taken",
        "result_verified",
        "diagnosed",
        "concluded",
    ]
    first_seen = [steps.index(s) for s in named]  # ValueError names a missing step
    assert first_seen == sorted(first_seen)
    assert {"called_xray", "called_ultrasound"} <= set(steps)
    assert steps.count("result_verified") == 3
    audit = ok(client.get("/api/audit/verify", headers=day.as_(Role.ADMIN)))
    assert audit == {"intact": True, "problems": []}
