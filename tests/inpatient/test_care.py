"""The daily record of a stay: progress notes, nursing notes, vital signs, medication;
each audited and announced on the event bus for the screens open on the stay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smarthis import events
from smarthis.db import Database
from smarthis.errors import Conflict, DomainError, Forbidden
from smarthis.inpatient import care, service
from smarthis.inpatient.record import stay_record
from smarthis.security.models import AuditEntry
from tests.inpatient.helpers import DOCTOR, NURSE, Patients


@pytest.fixture
def stay_id(db: Database, ward: Patients) -> int:
    with db.session() as s:
        stay = service.admit(
            s,
            DOCTOR,
            service.AdmissionInput(ward_code="NOI", visit_id=ward.an_visit, bed_code="NOI-101-1"),
        )
        return stay.id


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """What the stay's screens would be told (SQLite hands events to the bus on commit;
    on PostgreSQL they go by NOTIFY, captured here at the point they are emitted)."""
    seen: list[dict] = []
    original = events.emit

    def capture(session, event):  # type: ignore[no-untyped-def]
        seen.append(event)
        original(session, event)

    monkeypatch.setattr(events, "emit", capture)
    return seen


def test_notes_vitals_and_medication_land_on_the_record(
    db: Database, stay_id: int, published: list[dict]
) -> None:
    with db.session() as s:
        care.add_progress_note(
            s,
            DOCTOR,
            stay_id,
            care.ProgressNoteInput(
                subjective="Mệt, ăn kém",
                objective="Tỉnh, niêm mạc hồng",
                assessment="Ổn định sau hóa trị ngày 1",
                plan="Tiếp tục phác đồ; theo dõi sinh hiệu mỗi 6 giờ",
            ),
        )
    with db.session() as s:
        care.add_nursing_note(s, NURSE, stay_id, "Đã truyền dịch 500 ml, người bệnh ngủ được")
    with db.session() as s:
        care.record_vitals(
            s,
            NURSE,
            stay_id,
            care.StayVitalsInput(pulse=88, temperature_c=37.8, systolic=120, diastolic=75, spo2=97),
        )
    with db.session() as s:
        care.record_administration(
            s,
            NURSE,
            stay_id,
            care.AdministrationInput("Ondansetron 8mg", "1 ống", "Tiêm tĩnh mạch"),
        )
    with db.session() as s:
        care.record_administration(
            s,
            NURSE,
            stay_id,
            care.AdministrationInput(
                "Paracetamol 500mg", "1 viên", "Uống", status="refused", reason="Buồn nôn"
            ),
        )
    with db.session() as s:
        record = stay_record(s, NURSE, stay_id)
    assert record.progress_notes[0].plan.startswith("Tiếp tục phác đồ")
    assert record.nursing_notes[0].written_by == "dd.mai"
    assert (record.vitals[0].pulse, record.vitals[0].temperature_c) == (88, 37.8)
    assert [(m.status, m.given_at is not None) for m in record.medications] == [
        ("given", True),
        ("refused", False),
    ]
    assert record.staff_names["bs.nam"] == "Nguyễn Văn Nam"

    kinds = [e["kind"] for e in published if e.get("stay_id") == stay_id]
    assert kinds == ["progress_note", "nursing_note", "vitals", "medication", "medication"]
    assert all(e["ward"] == "NOI" and e["topic"] == "inpatient" for e in published)
    assert all("full_name" not in e for e in published)
    with db.session() as s:
        actions = s.execute(
            select(AuditEntry.action, AuditEntry.patient_id).where(
                AuditEntry.action.like("inpatient.%")
            )
        ).all()
    assert {a for a, _ in actions} >= {
        "inpatient.admit",
        "inpatient.progress_note",
        "inpatient.nursing_note",
        "inpatient.vitals",
        "inpatient.medication",
        "inpatient.read",
    }
    assert all(patient_id == record.patient.id for _, patient_id in actions)


def test_progress_notes_are_written_by_doctors(db: Database, stay_id: int) -> None:
    with pytest.raises(Forbidden), db.session() as s:
        care.add_progress_note(s, NURSE, stay_id, care.ProgressNoteInput(subjective="x"))
    with pytest.raises(DomainError) as empty, db.session() as s:
        care.add_progress_note(s, DOCTOR, stay_id, care.ProgressNoteInput(subjective="  "))
    assert empty.value.code == "progress_note_empty"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({}, "vitals_empty"),
        ({"temperature_c": 375}, "vitals_temperature_c_range"),
        ({"systolic": 120}, "vitals_blood_pressure_pair"),
        ({"systolic": 70, "diastolic": 90}, "vitals_blood_pressure_order"),
        ({"weight_kg": 5500}, "vitals_weight_kg_range"),
    ],
)
def test_implausible_vitals_are_refused(
    db: Database, stay_id: int, values: dict, code: str
) -> None:
    with pytest.raises(DomainError) as refused, db.session() as s:
        care.record_vitals(s, NURSE, stay_id, care.StayVitalsInput(**values))
    assert refused.value.code == code


def test_a_dose_not_given_needs_a_reason(db: Database, stay_id: int) -> None:
    with pytest.raises(DomainError) as refused, db.session() as s:
        care.record_administration(
            s, NURSE, stay_id, care.AdministrationInput("Morphin 10mg", "1 ống", "Tiêm", "held")
        )
    assert refused.value.code == "mar_reason_missing"
    with pytest.raises(DomainError) as no_drug, db.session() as s:
        care.record_administration(s, NURSE, stay_id, care.AdministrationInput(" ", "1", "Uống"))
    assert no_drug.value.code == "mar_drug_missing"


def test_nothing_is_added_after_discharge(db: Database, stay_id: int) -> None:
    with db.session() as s:
        service.discharge(
            s, DOCTOR, stay_id, service.DischargeInput("recovered_or_improved", "Ổn định")
        )
    with pytest.raises(Conflict) as closed, db.session() as s:
        care.add_nursing_note(s, NURSE, stay_id, "muộn")
    assert closed.value.code == "stay_closed"
    with pytest.raises(Conflict), db.session() as s:
        care.record_vitals(s, NURSE, stay_id, care.StayVitalsInput(pulse=80))
