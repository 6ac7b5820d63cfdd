"""The inpatient episodes the stay-claims tests read, made through the real services on
the demo hospital: an outpatient visit concluded "admit" and kept two days on the ward
(progress notes, a supply, doses given on the ward, a consultation, a transfer on the last
day), discharged and paid; another patient still on the ward; a referral admitted straight
to day care."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from smarthis.billing import invoices as billing
from smarthis.billing.payments import collect_at_counter, remaining
from smarthis.clinical import examination as exam
from smarthis.clinical.models import Visit
from smarthis.clinical.service import VisitRequest, register_visit, run_card_check
from smarthis.config import Settings
from smarthis.consultations import service as consultations
from smarthis.db import Database, utcnow
from smarthis.demo.backdate import move_visit
from smarthis.demo.history import Team, _portal_simulator, _team
from smarthis.inpatient import care
from smarthis.inpatient import service as inpatient
from smarthis.inpatient.supplies import record_supply_use
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.patients.models import Patient
from smarthis.queueing.clock import HOSPITAL_TZ
from tests.conftest import FACILITY

SUPPLY = "VT-KIM-PORT"  # a chemo-port needle: MA_NHOM 11, paid at 50 %
LISTED_SUPPLY = "VT-BKT-10ML"  # a syringe: MA_NHOM 10, bought under a tender (TT_THAU)
# Doses on the ward: two catalogue drugs given (charged, claimed in XML2), one held and
# one the patient brought (neither charged).
WARD_DOSES = (
    care.AdministrationInput(drug_code="T-PARA500", quantity=2, dose="2 viên lúc 8 giờ"),
    care.AdministrationInput(drug_code="T-IBU400", quantity=1),
    care.AdministrationInput(
        drug_code="T-CELE200", quantity=1, status="held", reason="Đau đã giảm"
    ),
    care.AdministrationInput(drug="Thuốc bổ tự mang", dose="1 viên", route="Uống"),
)
NOTES = (
    care.ProgressNoteInput(
        subjective="Mệt, ăn kém", objective="M 82, HA 120/70", assessment="Ổn định"
    ),
    care.ProgressNoteInput(assessment="Đáp ứng hoá trị", plan="Tiếp tục phác đồ, theo dõi"),
    care.ProgressNoteInput(subjective="Hết mệt", plan="Cho ra viện ngày mai"),
)


@dataclass
class Episode:
    db: Database
    month: str
    visit_id: int
    visit_number: str
    stay_number: str
    open_visit_number: str  # another patient's stay, not discharged
    day_care_visit_id: int  # a referral admitted straight to day care (no examination)


def _insured_patients(db: Database) -> list[int]:
    with db.session() as s:
        return list(
            s.scalars(
                select(Patient.id)
                .where(Patient.facility_code == FACILITY, Patient.bhyt_code.is_not(None))
                .order_by(Patient.id)
                .limit(3)
            )
        )


def _examined_and_admitted(
    db: Database,
    team: Team,
    settings: Settings,
    portal: BhxhPortalClient,
    patient_id: int,
    bed: str,
) -> tuple[Visit, int]:
    """Registration with the card checked, examination, conclusion "admit", the
    examination fee paid at the cashier, then the ward takes the patient in."""
    doctor = team.doctors[0]
    visit = register_visit(db, team.reception, portal, settings, VisitRequest(patient_id))
    with db.session() as s:
        exam.start_examination(s, doctor, visit.id, reason="Đau tức ngực, khó thở")
        exam.record_vitals(s, doctor, visit.id, exam.VitalsInput(weight_kg=58.0))
        exam.set_diagnoses(s, doctor, visit.id, "C34.9", ["K29.7"], confirm_warnings=True)
        exam.conclude(s, doctor, visit.id, exam.ConclusionInput("admit"))
    _pay(db, team, visit.id)
    with db.session() as s:
        stay = inpatient.admit(
            s,
            doctor,
            inpatient.AdmissionInput(
                ward_code="NOI", visit_id=visit.id, bed_code=bed, reason="Hoá trị đợt 3"
            ),
        )
        return visit, stay.id


def _pay(db: Database, team: Team, visit_id: int) -> None:
    with db.session() as s:
        invoice = billing.current_invoice(s, team.cashier, visit_id)
        if invoice is not None and remaining(invoice) > 0:
            collect_at_counter(s, team.cashier, invoice.id, "cash", remaining(invoice))


def _hold_consultation(db: Database, team: Team, patient_id: int, visit_id: int) -> None:
    doctor = team.doctors[0]
    with db.session() as s:
        held = consultations.schedule(
            s,
            doctor,
            consultations.ConsultationInput(
                patient_id=patient_id,
                question="Có chỉ định đổi phác đồ không?",
                case_summary="Ung thư phổi, hoá trị đợt 3",
                scheduled_at=utcnow() + timedelta(minutes=5),
                video_link="https://meet.example.vn/hoi-chan-1",
                visit_id=visit_id,
                participants=[
                    consultations.ParticipantInput(
                        FACILITY, "Bệnh viện demo", doctor.display_name, "chair", None, doctor.name
                    ),
                    consultations.ParticipantInput("01001", "Bệnh viện K", "BS. Trần Văn Khoa"),
                ],
            ),
        )
        consultations.conclude(s, doctor, held.id, "Giữ phác đồ", "Hoá trị tiếp 2 đợt")


def _day_care_from_referral(
    db: Database, team: Team, settings: Settings, portal: BhxhPortalClient, patient_id: int
) -> int:
    """A patient referred for a day of chemotherapy: admitted directly (the admission
    opens the encounter, its card checked after commit as the API does), weighed on the
    ward, one note, a supply, discharged the same day and paid."""
    doctor = team.doctors[0]
    with db.session() as s:
        stay = inpatient.admit(
            s,
            doctor,
            inpatient.AdmissionInput(
                ward_code="NOI",
                admitted_from="referral",
                patient_id=patient_id,
                kind="day_care",
                icd_code="C50.9",
                reason="Hoá trị ban ngày theo giấy chuyển tuyến",
            ),
        )
        stay_id, visit_id = stay.id, stay.visit_id
    run_card_check(db, portal, settings, visit_id)
    with db.session() as s:
        care.record_vitals(s, doctor, stay_id, care.StayVitalsInput(weight_kg=51.5))
        care.add_progress_note(s, doctor, stay_id, care.ProgressNoteInput(plan="Truyền hoá chất"))
        record_supply_use(s, doctor, stay_id, SUPPLY, 1)
    with db.session() as s:
        inpatient.discharge(
            s,
            doctor,
            stay_id,
            inpatient.DischargeInput(kind="recovered_or_improved", summary="Truyền hoá chất"),
        )
    _pay(db, team, visit_id)
    return visit_id


def make_episode(db: Database, settings: Settings) -> Episode:
    """The episodes, on a database with the demo hospital loaded."""
    team = _team(db, FACILITY)
    doctor = team.doctors[0]
    first, second, third = _insured_patients(db)
    with _portal_simulator(settings) as portal:
        visit, stay_id = _examined_and_admitted(db, team, settings, portal, first, "NOI-101-1")
        other, _ = _examined_and_admitted(db, team, settings, portal, second, "NOI-101-2")
        day_care = _day_care_from_referral(db, team, settings, portal, third)
    with db.session() as s:
        for note in NOTES[:2]:
            care.add_progress_note(s, doctor, stay_id, note)
        record_supply_use(s, doctor, stay_id, SUPPLY, 1)
        record_supply_use(s, doctor, stay_id, LISTED_SUPPLY, 2)
        for dose in WARD_DOSES:
            care.record_administration(s, doctor, stay_id, dose)
    with db.session() as s:  # the stay began two days ago: two nights on the ward
        move_visit(s, visit.id, -timedelta(days=2))
    _hold_consultation(db, team, visit.patient_id, visit.id)
    with db.session() as s:  # moved to surgery on the last day, discharged from there
        inpatient.move_to_bed(s, doctor, stay_id, "NGOAI-201-1", "Chuyển khoa Ngoại")
    with db.session() as s:
        care.add_progress_note(s, doctor, stay_id, NOTES[2])
        stay = inpatient.discharge(
            s,
            doctor,
            stay_id,
            inpatient.DischargeInput(
                kind="recovered_or_improved",
                summary="Hoá trị đợt 3 phác đồ Carboplatin-Paclitaxel, dung nạp tốt",
                advice="Tái khám sau 3 tuần",
            ),
        )
        discharged = stay.discharged_at.astimezone(HOSPITAL_TZ)
        stay_number = stay.stay_number
    _pay(db, team, visit.id)
    return Episode(
        db,
        f"{discharged:%Y-%m}",
        visit.id,
        visit.visit_number,
        stay_number,
        other.visit_number,
        day_care,
    )
