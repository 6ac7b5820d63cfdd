"""Orders and results: tickets in the right rooms without queueing again, the slip's route,
accession numbers under concurrency, flags and critical alerts, two-person verification,
corrections keeping earlier versions, and the kiosk seeing verified results only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from smarthis import events
from smarthis.db import Database, utcnow
from smarthis.errors import Conflict, DomainError, Forbidden
from smarthis.orders import service
from smarthis.orders.models import LabResult, OrderItem, Specimen
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.queueing import service as queue
from smarthis.queueing.models import Ticket
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal
from tests.apphelpers import client_for, make_app, sign_in_every_role

FACILITY = "48001"
CCCD = "048065001234"
QR = f"{CCCD}|123456789|Nguyễn Văn An|15031965|Nam|Phường Hòa Minh, Đà Nẵng|15082021"
BIRTH = date(1965, 3, 15)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def staff(name: str, role: Role, id_: int = 1) -> Principal:
    return Principal(
        kind="staff", id=id_, name=name, display_name=name, role=role, facility_code=FACILITY
    )


DOCTOR = staff("bs.nam", Role.DOCTOR, 1)
LAB_1 = staff("ktv.xn", Role.LAB_TECHNICIAN, 2)
LAB_2 = staff("ktv.xn2", Role.LAB_TECHNICIAN, 3)
RADIOLOGIST = staff("bs.cdha", Role.RADIOLOGIST, 4)
RADIOLOGIST_2 = staff("bs.cdha2", Role.RADIOLOGIST, 5)


@pytest.fixture
def hospital(db: Database) -> tuple[Database, int]:
    """Two lab sampling rooms, an X-ray and an ultrasound room; one patient with a visit."""
    with db.session() as s:
        create_area(s, FACILITY, "CLS", "Khu cận lâm sàng")
        for code, label, prefix, kind, floor in (
            ("XN-01", "110", "X", "lab", "Tầng 1"),
            ("XN-02", "111", "X", "lab", "Tầng 1"),
            ("XQ-01", "201", "Q", "xray", "Tầng 2"),
            ("SA-01", "205", "S", "ultrasound", "Tầng 2"),
        ):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name={
                    "lab": "Phòng lấy mẫu xét nghiệm",
                    "xray": "Phòng X-quang",
                    "ultrasound": "Phòng siêu âm",
                }[kind]
                + f" {label}",
                kind=kind,
                area_code="CLS",
                prefix=prefix,
                queue_group="XN" if kind == "lab" else code,
                room_label=label,
                floor=floor,
                default_service_minutes=5,
            )
        visit_id = _patient_with_visit(s, "Nguyễn Văn An", BIRTH, "male", CCCD)
    return db, visit_id


def _patient_with_visit(s, full_name: str, birth: date, sex: str, cccd: str | None) -> int:
    from smarthis.clinical.models import Visit
    from smarthis.counters import next_value

    n = next_value(s, "test-patient")
    patient = Patient(
        facility_code=FACILITY,
        mrn=f"2026{n:06d}",
        full_name=full_name,
        name_folded=full_name.lower(),
        date_of_birth=birth,
        birth_year=birth.year,
        sex=sex,
    )
    s.add(patient)
    s.flush()
    if cccd:
        s.add(
            PatientIdentifier(
                facility_code=FACILITY, patient_id=patient.id, kind="cccd", value=cccd
            )
        )
    visit = Visit(
        facility_code=FACILITY,
        visit_number=f"261126{n:05d}",
        patient_id=patient.id,
        registered_by="letan.hoa",
        arrival_mode="self_referred",
    )
    s.add(visit)
    s.flush()
    return visit.id


def _place(db: Database, visit_id: int, codes: list[str]) -> service.PlacedOrder:
    with db.session() as s:
        return service.place_order(s, DOCTOR, visit_id, codes)


def _item(placed: service.PlacedOrder, code: str) -> int:
    return next(i.id for i in placed.items if i.service_code == code)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every event emitted (on either backend), as the ordering doctor's screen receives."""
    seen: list[dict[str, Any]] = []
    original = events.emit

    def spy(session, event):
        seen.append(event)
        original(session, event)

    monkeypatch.setattr(events, "emit", spy)
    return seen


# --- placing an order ---------------------------------------------------------------------


def test_order_queues_the_patient_once_per_room_kind_at_the_shortest_wait(hospital) -> None:
    db, visit_id = hospital
    # Someone already waits at XN-01: lab sampling goes to XN-02.
    with db.session() as s:
        queue.issue_ticket(s, DOCTOR, queue.TicketRequest(point_code="XN-01"))
    placed = _place(db, visit_id, ["XN-CBC", "XN-GLU", "XN-ALT", "XQ-NGUC", "SA-BUNG"])
    with db.session() as s:
        tickets = list(
            s.execute(select(Ticket).where(Ticket.visit_id == visit_id).order_by(Ticket.id))
            .scalars()
            .all()
        )
    assert sorted(t.service_point_code for t in tickets) == ["SA-01", "XN-02", "XQ-01"]
    lab_ticket = next(t for t in tickets if t.service_point_code == "XN-02")
    lab_items = [i for i in placed.items if i.kind == "lab"]
    assert len(lab_items) == 3 and {i.ticket_id for i in lab_items} == {lab_ticket.id}
    assert all(t.issued_via == "order" and t.status == "waiting" for t in tickets)
    assert all(i.status == "ordered" for i in placed.items)
    cbc = next(i for i in placed.items if i.service_code == "XN-CBC")
    assert (cbc.hospital_price_vnd, cbc.insurance_price_vnd) == (47000, 47000)


def test_slip_route_visits_the_shortest_wait_first(hospital) -> None:
    db, visit_id = hospital
    with db.session() as s:
        for _ in range(3):  # X-ray busy (3 ahead), ultrasound 1 ahead, lab free
            queue.issue_ticket(s, DOCTOR, queue.TicketRequest(point_code="XQ-01"))
        queue.issue_ticket(s, DOCTOR, queue.TicketRequest(point_code="SA-01"))
    placed = _place(db, visit_id, ["XQ-NGUC", "SA-BUNG", "XN-CBC"])
    assert [stop.point_code for stop in placed.route] == ["XN-01", "SA-01", "XQ-01"]
    assert [stop.expected_wait_minutes for stop in placed.route] == [0, 5, 15]
    assert placed.route[0].services == ["Tổng phân tích tế bào máu ngoại vi (bằng máy đếm laser)"]


def test_bad_orders_are_refused_with_the_field(hospital) -> None:
    db, visit_id = hospital
    for codes, code in (
        ([], "order_empty"),
        (["XN-CBC", "XN-CBC"], "order_duplicate_service"),
        (["NOPE"], "service_unknown"),
        (["KB-UB"], "order_service_kind"),
    ):
        with pytest.raises(DomainError) as refused:
            _place(db, visit_id, codes)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        _place(db, 999999, ["XN-CBC"])
    assert refused.value.code == "visit_not_found"


# --- specimens ----------------------------------------------------------------------------


def test_accession_numbers_are_unique_and_consecutive_under_concurrency(hospital) -> None:
    db, visit_id = hospital
    item_ids = [_item(_place(db, visit_id, ["XN-GLU"]), "XN-GLU") for _ in range(20)]

    def collect(item_id: int) -> str:
        with db.session() as s:
            return service.collect_specimen(s, LAB_1, item_id).specimen.accession_number

    with ThreadPoolExecutor(max_workers=20) as pool:
        numbers = list(pool.map(collect, item_ids))
    day = numbers[0][:6]
    assert sorted(int(n[6:]) for n in numbers) == list(range(1, 21))
    assert all(len(n) == 11 and n.startswith(day) for n in numbers)


def test_one_tube_per_container_and_label_pdf(hospital) -> None:
    db, visit_id = hospital
    placed = _place(db, visit_id, ["XN-GLU", "XN-ALT", "XN-CBC"])
    with db.session() as s:
        serum = service.collect_specimen(s, LAB_1, _item(placed, "XN-GLU"))
    assert {i.service_code for i in serum.items} == {"XN-GLU", "XN-ALT"}
    assert serum.specimen.specimen_type == "Huyết thanh"
    with db.session() as s:
        edta = service.collect_specimen(s, LAB_1, _item(placed, "XN-CBC"))
        statuses = {i.service_code: i.status for i in service.items_of(s, placed.order.id)}
    assert edta.specimen.accession_number != serum.specimen.accession_number
    assert set(statuses.values()) == {"in_progress"}
    with pytest.raises(Conflict), db.session() as s:
        service.collect_specimen(s, LAB_1, _item(placed, "XN-ALT"))


# --- results ------------------------------------------------------------------------------


def _lab_item(db: Database, visit_id: int, code: str = "XN-GLU") -> int:
    item_id = _item(_place(db, visit_id, [code]), code)
    with db.session() as s:
        service.collect_specimen(s, LAB_1, item_id)
    return item_id


def test_flags_from_the_patients_range_and_a_critical_alert(hospital, captured) -> None:
    db, visit_id = hospital
    item_id = _lab_item(db, visit_id, "XN-CBC")
    captured.clear()
    with db.session() as s:
        results = service.enter_lab_results(
            s,
            LAB_1,
            item_id,
            [("HGB", "150"), ("PLT", "15"), ("WBC", "12,5"), ("RBC", "dương tính")],
        )
    flags = {r.analyte_code: (r.flag, r.unit) for r in results}
    assert flags["HGB"] == ("normal", "g/L")
    assert flags["PLT"] == ("critical_low", "G/L")
    assert flags["WBC"][0] == "high"  # a decimal comma is read as a decimal point
    assert flags["RBC"][0] == "none"  # not a number: recorded, unflagged
    assert next(r for r in results if r.analyte_code == "HGB").range_text == "130–170 g/L"
    kinds = [(e["topic"], e["kind"]) for e in captured]
    assert ("result", "entered") in kinds
    critical = [e for e in captured if e["kind"] == "critical"]
    assert len(critical) == 1
    assert critical[0]["doctor"] == "bs.nam" and critical[0]["visit_id"] == visit_id
    assert critical[0]["analyte_code"] == "PLT"


def test_no_reference_range_records_the_value_without_a_flag(hospital) -> None:
    db, _ = hospital
    with db.session() as s:
        baby_visit = _patient_with_visit(s, "Trần Thị Bé", date.today(), "female", None)
    item_id = _lab_item(db, baby_visit, "XN-ALT")
    with db.session() as s:
        (result,) = service.enter_lab_results(s, LAB_1, item_id, [("ALT", "30")])
    assert result.flag == "none" and result.range_text is None


def test_verification_by_the_same_person_is_refused(hospital, captured) -> None:
    db, visit_id = hospital
    item_id = _lab_item(db, visit_id)
    with db.session() as s:
        service.enter_lab_results(s, LAB_1, item_id, [("GLU", "5.2")])
    with pytest.raises(Forbidden) as refused, db.session() as s:
        service.verify(s, LAB_1, item_id)
    assert refused.value.code == "verify_same_person"
    with db.session() as s:
        item = service.verify(s, LAB_2, item_id)
        (result,) = service.current_results(s, item_id)
    assert item.status == "verified"
    assert (result.verified_by, result.entered_by) == ("ktv.xn2", "ktv.xn")
    assert captured[-1]["kind"] == "verified"


def test_wrong_role_may_not_enter_results(hospital) -> None:
    db, visit_id = hospital
    item_id = _lab_item(db, visit_id)
    with pytest.raises(Forbidden) as refused, db.session() as s:
        service.enter_lab_results(s, RADIOLOGIST, item_id, [("GLU", "5")])
    assert refused.value.code == "result_wrong_role"
    with pytest.raises(DomainError) as refused, db.session() as s:
        service.enter_lab_results(s, LAB_1, item_id, [("HGB", "140")])
    assert refused.value.code == "lab_analyte_not_ordered"


def test_correction_keeps_the_earlier_version(hospital) -> None:
    db, visit_id = hospital
    item_id = _lab_item(db, visit_id)
    with db.session() as s:
        (first,) = service.enter_lab_results(s, LAB_1, item_id, [("GLU", "52")])
        service.verify(s, LAB_2, item_id)
    with db.session() as s:
        second = service.correct_result(s, LAB_1, first.id, "5.2", "nhập nhầm dấu thập phân")
    with db.session() as s:
        rows = list(
            s.execute(
                select(LabResult).where(LabResult.order_item_id == item_id).order_by(LabResult.id)
            ).scalars()
        )
        item = s.get(OrderItem, item_id)
    assert [(r.version, r.value_text, r.flag) for r in rows] == [
        (1, "52", "critical_high"),
        (2, "5.2", "normal"),
    ]
    assert rows[0].superseded_by_id == second.id and rows[0].verified_by == "ktv.xn2"
    assert rows[1].verified_at is None and item is not None and item.status == "resulted"
    # The corrected value is not the patient's until a second person verifies it.
    with db.session() as s:
        patient_id = rows[0].patient_id
        assert service.results_for_patient(s, DOCTOR, patient_id, verified_only=True) == []
        everything = service.results_for_patient(s, DOCTOR, patient_id, verified_only=False)
    assert [r.value_text for r in everything[0].lab_results] == ["5.2"]
    assert [r.value_text for r in everything[0].history] == ["52"]
    with pytest.raises(Conflict), db.session() as s:
        service.correct_result(s, LAB_1, first.id, "6", "again")


def test_reports_are_versioned_and_verified_by_a_second_radiologist(hospital) -> None:
    db, visit_id = hospital
    placed = _place(db, visit_id, ["XQ-NGUC"])
    item_id = placed.items[0].id
    with db.session() as s:
        service.enter_report(
            s,
            RADIOLOGIST,
            item_id,
            technique="Thẳng",
            findings="Phổi sáng",
            conclusion="Bình thường",
        )
    with pytest.raises(Conflict), db.session() as s:
        service.enter_report(s, RADIOLOGIST, item_id, technique="", findings="x", conclusion="y")
    with db.session() as s:
        second = service.enter_report(
            s,
            RADIOLOGIST,
            item_id,
            technique="Thẳng",
            findings="Nốt mờ 8 mm thuỳ trên phải",
            conclusion="Nốt phổi phải",
            correction_reason="bỏ sót nốt",
        )
    assert second.version == 2
    with pytest.raises(Forbidden), db.session() as s:
        service.verify(s, RADIOLOGIST, item_id)
    with db.session() as s:
        service.verify(s, RADIOLOGIST_2, item_id)
        found = service.results_for_visit(s, DOCTOR, visit_id, verified_only=True)
    assert found[0].report is not None and found[0].report.conclusion == "Nốt phổi phải"


def test_every_result_read_is_audited(hospital) -> None:
    db, visit_id = hospital
    item_id = _lab_item(db, visit_id)
    with db.session() as s:
        item = s.get(OrderItem, item_id)
        assert item is not None
        patient_id = service._item_context(s, item)[1].id
        service.results_for_patient(s, DOCTOR, patient_id, verified_only=False)
    with db.session() as s:
        actions = set(
            s.execute(
                select(AuditEntry.action).where(AuditEntry.patient_id == patient_id)
            ).scalars()
        )
    assert {"order.place", "specimen.collect", "result.read"} <= actions


# --- through HTTP: API, kiosk lookup, PDFs ------------------------------------------------


@pytest.fixture
def api(hospital):
    db, visit_id = hospital
    creds = sign_in_every_role(db)
    with db.session() as s:
        second = security.create_staff(
            s,
            facility_code=FACILITY,
            login="t.lab-2",
            full_name="Kỹ thuật viên hai",
            role="lab_technician",
            password="correct-horse-42",
        )
        second_token = security.issue_api_token(s, second)
    client = client_for(make_app(db))
    return client, creds, {"Authorization": f"Bearer {second_token}"}, visit_id


def test_unverified_results_never_reach_the_kiosk_or_the_verified_only_view(api) -> None:
    client, creds, lab_2, visit_id = api
    order = client.post(
        "/api/orders",
        json={"visit_id": visit_id, "services": ["XN-GLU", "XQ-NGUC"]},
        headers=creds.headers(Role.DOCTOR),
    )
    assert order.status_code == 201, order.text
    body = order.json()
    assert [s["point_code"] for s in body["route"]] == ["XN-01", "XQ-01"]
    glu = next(i["id"] for i in body["items"] if i["service_code"] == "XN-GLU")
    lab_1 = creds.headers(Role.LAB_TECHNICIAN)
    specimen = client.post(f"/api/orders/items/{glu}/specimen", headers=lab_1)
    assert specimen.status_code == 201, specimen.text
    entered = client.post(
        f"/api/orders/items/{glu}/results",
        json={"values": [{"analyte_code": "GLU", "value": "7.9"}]},
        headers=lab_1,
    )
    assert entered.status_code == 201 and entered.json()[0]["flag"] == "high"
    kiosk = creds.headers(Role.KIOSK)
    lookup = {"qr_text": QR, "date_of_birth": "1965-03-15"}
    seen = client.post("/api/kiosk/results", json=lookup, headers=kiosk)
    assert seen.status_code == 200 and seen.json()["items"] == []
    patient_id = body["patient_id"]
    doctor = creds.headers(Role.DOCTOR)
    staff_view = client.get(f"/api/patients/{patient_id}/results", headers=doctor).json()
    assert [i["service_code"] for i in staff_view["items"]] == ["XN-GLU", "XQ-NGUC"]
    verified_view = client.get(
        f"/api/patients/{patient_id}/results?verified_only=true", headers=doctor
    ).json()
    assert verified_view["items"] == []

    same = client.post(f"/api/orders/items/{glu}/verify", headers=lab_1)
    assert same.status_code == 403 and same.json()["error"]["code"] == "verify_same_person"
    verified = client.post(f"/api/orders/items/{glu}/verify", headers=lab_2)
    assert verified.status_code == 200 and verified.json()["status"] == "verified"

    seen = client.post("/api/kiosk/results", json=lookup, headers=kiosk).json()
    assert seen["masked_name"] == "NGUYỄN V. A."
    (item,) = seen["items"]
    assert item["lab_results"][0]["value"] == "7.9" and item["lab_results"][0]["entered_by"] is None
    # The ticket's QR (the URL printed on it) finds the same visit's verified results.
    ticket_id = body["route"][0]["ticket_id"]
    with client.app.state.db.session() as s:
        token = s.get(Ticket, ticket_id).lookup_token
    by_ticket = client.post(
        "/api/kiosk/results",
        json={"ticket_token": f"http://127.0.0.1:8000/t/{token}"},
        headers=kiosk,
    )
    assert by_ticket.status_code == 200 and len(by_ticket.json()["items"]) == 1

    # A radiologist's report, verified by another person (here the administrator), joins the
    # lab value on the patient's printed copy.
    xray = next(i["id"] for i in body["items"] if i["service_code"] == "XQ-NGUC")
    report = client.post(
        f"/api/orders/items/{xray}/report",
        json={
            "technique": "Chụp thẳng sau-trước, số hoá",
            "findings": "Hai phế trường sáng đều. Bóng tim không to. Góc sườn hoành hai bên nhọn.",
            "conclusion": "Hình ảnh X-quang ngực bình thường",
        },
        headers=creds.headers(Role.RADIOLOGIST),
    )
    assert report.status_code == 201, report.text
    assert (
        client.post(
            f"/api/orders/items/{xray}/verify", headers=creds.headers(Role.ADMIN)
        ).status_code
        == 200
    )
    printed = client.post("/api/kiosk/results/print.pdf", json=lookup, headers=kiosk)
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    sheet = pdfium.PdfDocument(printed.content)[0].get_textpage().get_text_range()
    assert "7.9" in sheet and "Cao" in sheet and "X-quang ngực bình thường" in sheet
    _png(printed.content, "orders-kiosk-results.png", 1.5)


def test_kiosk_lookup_with_a_wrong_birth_date_is_refused_like_an_unknown_card(api) -> None:
    client, creds, _, _ = api
    kiosk = creds.headers(Role.KIOSK)
    wrong_birth = client.post(
        "/api/kiosk/results", json={"qr_text": QR, "date_of_birth": "1965-03-16"}, headers=kiosk
    )
    other = QR.replace(CCCD, "048065009999")
    unknown = client.post(
        "/api/kiosk/results", json={"qr_text": other, "date_of_birth": "1965-03-15"}, headers=kiosk
    )
    assert wrong_birth.status_code == unknown.status_code == 404
    assert wrong_birth.json() == unknown.json()
    assert wrong_birth.json()["error"]["code"] == "results_identity_not_matched"
    no_birth = client.post("/api/kiosk/results", json={"qr_text": QR}, headers=kiosk)
    assert no_birth.status_code == 422
    assert no_birth.json()["error"]["field"] == "date_of_birth"
    garbage = client.post(
        "/api/kiosk/results", json={"qr_text": "abc", "date_of_birth": "1965-03-15"}, headers=kiosk
    )
    assert garbage.status_code == 422
    neither = client.post("/api/kiosk/results", json={}, headers=kiosk)
    assert neither.status_code == 422


def test_bad_api_input_gets_a_4xx_with_the_field(api) -> None:
    client, creds, _, visit_id = api
    doctor = creds.headers(Role.DOCTOR)
    for payload in (
        {"visit_id": visit_id, "services": []},
        {"visit_id": visit_id, "services": ["NOPE"]},
        {"visit_id": 0, "services": ["XN-GLU"]},
        {"visit_id": visit_id, "services": "XN-GLU"},
        {"visit_id": 2**70, "services": ["XN-GLU"]},
    ):
        response = client.post("/api/orders", json=payload, headers=doctor)
        assert 400 <= response.status_code < 500, (payload, response.text)
        assert response.json()["error"]["field"]
    lab = creds.headers(Role.LAB_TECHNICIAN)
    for path in ("/api/orders/items/99999/specimen", "/api/orders/items/99999/verify"):
        assert client.post(path, headers=lab).status_code == 404
    assert client.get("/api/orders/specimens/123/label.pdf", headers=lab).status_code == 404


def _png(pdf_bytes: bytes, name: str, scale: float) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    page = pdfium.PdfDocument(pdf_bytes)[0]
    path = SCREENSHOTS / name
    page.render(scale=scale).to_pil().save(path)
    return path


def test_slip_and_label_pdfs(api) -> None:
    client, creds, _, visit_id = api
    doctor = creds.headers(Role.DOCTOR)
    order = client.post(
        "/api/orders",
        json={"visit_id": visit_id, "services": ["XN-CBC", "XN-GLU", "XQ-NGUC", "SA-BUNG"]},
        headers=doctor,
    ).json()
    slip = client.get(order["slip_url"], headers=creds.headers(Role.RECEPTIONIST))
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"
    text = pdfium.PdfDocument(slip.content)[0].get_textpage().get_text_range()
    for stop in order["route"]:
        assert stop["display_number"] in text and stop["room_label"] in text
    assert "Tầng 2" in text and "NGUYỄN V. A." in text
    _png(slip.content, "orders-slip.png", 2)

    cbc = next(i["id"] for i in order["items"] if i["service_code"] == "XN-CBC")
    lab = creds.headers(Role.LAB_TECHNICIAN)
    specimen = client.post(f"/api/orders/items/{cbc}/specimen", headers=lab).json()
    label = client.get(specimen["label_url"], headers=lab)
    assert label.status_code == 200
    label_text = pdfium.PdfDocument(label.content)[0].get_textpage().get_text_range()
    assert specimen["accession_number"] in label_text and "XN-CBC" in label_text
    _png(label.content, "orders-specimen-label.png", 6)
    with client.app.state.db.session() as s:
        row = s.execute(
            select(Specimen).where(Specimen.accession_number == specimen["accession_number"])
        ).scalar_one()
        assert row.collected_by == "t.lab-technician" and row.collected_at <= utcnow()
