"""One complete outpatient visit, written through the domain services as the screens do:
an insured patient with a CCCD, the call, vital signs, notes, two ICD-10 diagnoses, a lab,
X-ray and ultrasound order, a sample, lab values (one verified, one entered only), a
verified X-ray report with its study linked from the PACS, an issued prescription and the
conclusion. The FHIR and EMR tests export it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from smarthis.clinical import examination as exam
from smarthis.clinical.examination import ConclusionInput, VitalsInput
from smarthis.clinical.service import VisitRequest, register_visit
from smarthis.config import Settings
from smarthis.db import Database, utcnow
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.integrations.dicom.models import ImagingProcedure, ImagingStudy
from smarthis.orders import service as orders
from smarthis.patients.identify import register_typed
from smarthis.patients.service import Demographics
from smarthis.pharmacy import service as pharmacy
from smarthis.queueing import service as queue
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security import service as security
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal, system_principal
from tests.apphelpers import FACILITY, PASSWORD

CCCD = "048058001234"
BHYT = "DN4480123456789"
FULL_NAME = "Lê Văn Cường"
BIRTH = date(1958, 11, 20)
STUDY_UID = "1.2.826.0.1.3680043.8.498.12345678901234567890"


def staff(login: str, role: Role) -> Principal:
    return Principal(
        kind="staff", id=0, name=login, display_name=login, role=role, facility_code=FACILITY
    )


DOCTOR = staff("bs.fhir", Role.DOCTOR)
NURSE = staff("dd.fhir", Role.NURSE)
LAB_1 = staff("ktv.fhir1", Role.LAB_TECHNICIAN)
LAB_2 = staff("ktv.fhir2", Role.LAB_TECHNICIAN)
RADIOLOGIST = staff("cdha.fhir1", Role.RADIOLOGIST)
# Not a staff row: a login the record names without a Practitioner to point to.
RADIOLOGIST_2 = staff("cdha.ngoai", Role.RADIOLOGIST)
RECEPTION = staff("lt.fhir", Role.RECEPTIONIST)
STAFF_NAMES = {
    DOCTOR.name: "Trần Thị Lan",
    NURSE.name: "Phạm Thị Mai",
    LAB_1.name: "Võ Văn Hùng",
    LAB_2.name: "Đặng Thị Thu",
    RADIOLOGIST.name: "Ngô Quang Tuấn",
    RECEPTION.name: "Lê Thị Hoa",
}


@dataclass(frozen=True)
class FullVisit:
    patient_id: int
    visit_id: int
    visit_number: str
    items: dict[str, int]  # service code -> order item id
    study_id: int


def _rooms(db: Database) -> None:
    with db.session() as s:
        create_area(s, FACILITY, "KKB", "Khoa khám bệnh")
        for code, kind, prefix, label in (
            ("PK-01", "examination", "B", "101"),
            ("XN-01", "lab", "X", "110"),
            ("XQ-01", "xray", "Q", "201"),
            ("SA-01", "ultrasound", "S", "205"),
        ):
            create_service_point(
                s,
                FACILITY,
                code=code,
                name=f"Phòng {label}",
                kind=kind,
                area_code="KKB",
                prefix=prefix,
                room_label=label,
                default_service_minutes=5,
            )


def _staff_rows(db: Database) -> None:
    roles = {p.name: p.role for p in (DOCTOR, NURSE, LAB_1, LAB_2, RADIOLOGIST, RECEPTION)}
    with db.session() as s:
        for login, full_name in STAFF_NAMES.items():
            security.create_staff(
                s,
                facility_code=FACILITY,
                login=login,
                full_name=full_name,
                role=roles[login].value,
                password=PASSWORD,
            )


def hospital_with_patient(db: Database) -> int:
    _rooms(db)
    _staff_rows(db)
    registration = register_typed(
        db,
        system_principal(FACILITY),
        Demographics(full_name=FULL_NAME, date_of_birth=BIRTH, sex="male"),
        cccd=CCCD,
        bhyt_code=BHYT,
    )
    return registration.patient.id


def open_visit(db: Database, patient_id: int) -> int:
    """Registered (self-pay: the portal on port 9 is never asked) and started."""
    portal = BhxhPortalClient("http://127.0.0.1:9", "x", "y", timeout_s=0.2)
    settings = Settings(database_url=db.url, facility_code=FACILITY)
    visit = register_visit(
        db, RECEPTION, portal, settings, VisitRequest(patient_id=patient_id, use_insurance=False)
    )
    portal.close()
    with db.session() as s:
        queue.issue_ticket(
            s,
            RECEPTION,
            queue.TicketRequest(point_code="PK-01", visit_id=visit.id, patient_id=patient_id),
        )
    with db.session() as s:
        assert queue.call_next(s, DOCTOR, "PK-01") is not None
    with db.session() as s:
        exam.start_examination(
            s, DOCTOR, visit.id, reason="Ho có đờm, sốt nhẹ 5 ngày", history="Hút thuốc 30 năm"
        )
    return visit.id


def examine_and_treat(db: Database, visit_id: int) -> dict[str, int]:
    with db.session() as s:
        exam.record_vitals(
            s,
            NURSE,
            visit_id,
            VitalsInput(
                pulse=88,
                temperature_c=37.9,
                systolic=135,
                diastolic=85,
                spo2=96,
                height_cm=165,
                weight_kg=60,
            ),
        )
    with db.session() as s:
        exam.update_notes(s, DOCTOR, visit_id, {"examination_notes": "Phổi ran ẩm đáy phải"})
        exam.set_diagnoses(s, DOCTOR, visit_id, "J18.9", ["I10"])
    with db.session() as s:
        placed = orders.place_order(s, DOCTOR, visit_id, ["XN-GLU", "XN-ALT", "XQ-NGUC", "SA-BUNG"])
        items = {i.service_code: i.id for i in placed.items}
    with db.session() as s:
        orders.collect_specimen(s, LAB_1, items["XN-GLU"])
    with db.session() as s:
        orders.enter_lab_results(s, LAB_1, items["XN-GLU"], [("GLU", "7.8")])
        orders.enter_lab_results(s, LAB_1, items["XN-ALT"], [("ALT", "47")])
    with db.session() as s:
        orders.verify(s, LAB_2, items["XN-GLU"])  # ALT stays entered, not verified
        orders.enter_report(
            s,
            RADIOLOGIST,
            items["XQ-NGUC"],
            technique="Chụp thẳng sau-trước",
            findings="Đám mờ đáy phổi phải",
            conclusion="Hình ảnh viêm phổi thuỳ dưới phải",
        )
    with db.session() as s:
        orders.verify(s, RADIOLOGIST_2, items["XQ-NGUC"])
    with db.session() as s:
        pharmacy.save_prescription(
            s,
            DOCTOR,
            visit_id,
            [
                pharmacy.ItemInput("T-AMCL1G", 14, "Uống 1 viên/lần × 2 lần/ngày, sau ăn", days=7),
                pharmacy.ItemInput("T-PARA500", 10, "Uống 1 viên khi sốt trên 38,5 °C"),
            ],
            advice="Nghỉ ngơi, uống nhiều nước",
            issue=True,
        )
    return items


def link_study(db: Database, item_id: int) -> int:
    """What the PACS follower does when the X-ray's images arrive in Orthanc."""
    with db.session() as s:
        procedure = s.query(ImagingProcedure).filter_by(order_item_id=item_id).one()
        study = ImagingStudy(
            facility_code=FACILITY,
            orthanc_study_id="6b9e19d9-62094390-5f9ddb01-4a191ae7-9766b715",
            study_instance_uid=STUDY_UID,
            accession_number=procedure.accession_number,
            order_item_id=item_id,
            procedure_id=procedure.id,
            series_count=1,
            instances_count=2,
            received_at=utcnow(),
            updated_at=utcnow(),
        )
        s.add(study)
        s.flush()
        return study.id


def conclude(db: Database, visit_id: int) -> None:
    with db.session() as s:
        exam.conclude(
            s, DOCTOR, visit_id, ConclusionInput("home", advice="Tái khám sau 7 ngày nếu còn ho")
        )


def full_visit(db: Database, *, concluded: bool = True) -> FullVisit:
    patient_id = hospital_with_patient(db)
    visit_id = open_visit(db, patient_id)
    items = examine_and_treat(db, visit_id)
    study_id = link_study(db, items["XQ-NGUC"])
    if concluded:
        conclude(db, visit_id)
    from smarthis.clinical.models import Visit

    with db.session() as s:
        visit = s.get(Visit, visit_id)
        assert visit is not None
        number = visit.visit_number
    return FullVisit(patient_id, visit_id, number, items, study_id)
