"""The hand-written worked example: an outpatient visit at a provincial hospital, card level 4
(80%), correct route (category 1.1), above the small-visit threshold. Amounts worked out by
hand from the standard's formulas (see test_builders.py for the expected values)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from smarthis.insurance.claims.amounts import line_amounts, totals_from_lines
from smarthis.insurance.claims.inputs import (
    ClaimCard,
    ClaimPatient,
    ClaimVisit,
    ClinicalCourseEntry,
    DrugLine,
    ParaclinicalResult,
    ServiceLine,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FACILITY = "48001"
DOCTOR = "000123/ĐNA-CCHN"
TECHNICIAN = "004567/ĐNA-CCHN"


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VN)


def money(text: str) -> Decimal:
    return Decimal(text)


def service(
    code: str, name: str, group: int, price: str, ordered: datetime, **extra: Any
) -> ServiceLine:
    quantity = extra.pop("quantity", Decimal(1))
    share = extra.pop("share", Decimal(80))
    return ServiceLine(
        service_code=code,
        service_name=name,
        cost_group=group,
        unit="Lần",
        quantity=quantity,
        hospital_price=money(price),
        insurance_price=money(price),
        amounts=line_amounts(
            quantity=quantity,
            hospital_price=money(price),
            insurance_price=money(price),
            share_percent=share,
        ),
        department_code="K01",
        doctor_codes=(DOCTOR,),
        ordered_at=ordered,
        **extra,
    )


def drug(code: str, name: str, quantity: str, price: str, ordered: datetime) -> DrugLine:
    return DrugLine(
        drug_code=code,
        cost_group=4,
        name=name,
        unit="Viên",
        strength="500mg",
        route_code="1.01",
        dosage="Ngày uống 3 lần, mỗi lần 1 viên",
        quantity=Decimal(quantity),
        unit_price=money(price),
        amounts=line_amounts(
            quantity=Decimal(quantity),
            hospital_price=money(price),
            insurance_price=money(price),
            share_percent=Decimal(80),
        ),
        department_code="K01",
        doctor_codes=(DOCTOR,),
        ordered_at=ordered,
        registration_number="VD-12345-20",
        tender_info="20/QĐ-SYT;G1;N4;2025",
    )


def worked_visit(**overrides: Any) -> ClaimVisit:
    services = (
        service("02.1896", "Khám Nội", 13, "50600", at(2, 8, 20)),
        service(
            "22.0121.1369",
            "Tổng phân tích tế bào máu ngoại vi",
            1,
            "40400",
            at(2, 8, 35),
            performer_codes=(TECHNICIAN,),
            performed_at=at(2, 8, 50),
            result_at=at(2, 9, 30),
        ),
        service(
            "18.0119.0028",
            "Chụp Xquang ngực thẳng",
            2,
            "65400",
            at(2, 8, 36),
            performer_codes=(TECHNICIAN,),
            performed_at=at(2, 9, 0),
            result_at=at(2, 9, 20),
        ),
        service(
            "18.0162.0041",
            "Chụp cắt lớp vi tính lồng ngực không tiêm thuốc cản quang",
            2,
            "522000",
            at(2, 9, 40),
            performer_codes=(TECHNICIAN,),
            performed_at=at(2, 10, 0),
            result_at=at(2, 10, 30),
        ),
        ServiceLine(
            supply_code="N03.05.070",
            supply_name="Bơm tiêm nhựa 5ml",
            cost_group=10,
            unit="Cái",
            quantity=Decimal(2),
            hospital_price=money("1200.5"),
            insurance_price=money("1200.5"),
            amounts=line_amounts(
                quantity=Decimal(2),
                hospital_price=money("1200.5"),
                insurance_price=money("1200.5"),
                share_percent=Decimal(80),
            ),
            tender_info="123/QĐ-BV;G1;N1;2025",
            department_code="K01",
            doctor_codes=(DOCTOR,),
            ordered_at=at(2, 9, 40),
        ),
    )
    drugs = (
        drug("40.150", "Amoxicillin 500mg", "21", "1234.567", at(2, 11, 0)),
        drug("40.88", "Paracetamol 500mg", "10", "350", at(2, 11, 0)),
    )
    results = (
        ParaclinicalResult(
            service_code="22.0121.1369",
            indicator_code="WBC",
            indicator_name="Số lượng bạch cầu",
            value="11.2",
            unit="G/L",
            result_at=at(2, 9, 30),
            reading_doctor_codes=(DOCTOR,),
        ),
        ParaclinicalResult(
            service_code="18.0119.0028",
            indicator_name="Chụp Xquang ngực thẳng",
            description="Rốn phổi hai bên đậm",
            conclusion="Hình ảnh viêm phế quản",
            result_at=at(2, 9, 20),
            reading_doctor_codes=(DOCTOR,),
        ),
    )
    visit = ClaimVisit(
        claim_code="48001-20261102-000123",
        facility_code=FACILITY,
        record_number="KB-2026-000123",
        visit_id=None,
        patient=ClaimPatient(
            patient_code="BN000123",
            full_name="Nguyễn Văn An",
            sex=1,
            birth_date=date(1980, 5, 15),
            citizen_id="048080001234",
            address="12 Lê Lợi, Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng",
            province_code="48",
            district_code="490",
            ward_code="20194",
            phone="0905123456",
            weight_kg=Decimal("62.5"),
        ),
        cards=(
            ClaimCard(
                code="DN4480123456789",
                registered_facility="48001",
                valid_from=date(2026, 1, 1),
                valid_to=date(2026, 12, 31),
            ),
        ),
        category="1.1",
        visit_kind="01",
        admitted_at=at(2, 8, 15),
        discharged_at=at(2, 11, 40),
        paid_at=at(2, 11, 45),
        reason_for_visit="Ho, sốt 3 ngày",
        admission_diagnosis="Viêm phế quản cấp",
        discharge_diagnosis="Viêm phế quản cấp",
        main_icd10="J209",
        other_icd10=("I10", "E119"),
        department_codes=("K01",),
        treatment_result=2,
        discharge_type=1,
        settlement_year=2026,
        settlement_month=11,
        totals=totals_from_lines(drugs, services),
        drugs=drugs,
        services=services,
        results=results,
        head_signatory_id="4801234567",
    )
    return replace(visit, **overrides)


def inpatient_visit() -> ClaimVisit:
    """The same patient admitted for three calendar days: needs a clinical course (XML5)."""
    course = (
        ClinicalCourseEntry(
            course="Sốt 38.5 độ, ho khạc đờm; mạch 90 l/p, huyết áp 120/80 mmHg",
            at=at(2, 14, 0),
            performer_codes=(DOCTOR,),
            stage="Khởi phát",
        ),
        ClinicalCourseEntry(course="Hết sốt, còn ho ít", at=at(4, 8, 0), performer_codes=(DOCTOR,)),
    )
    return worked_visit(
        visit_kind="03",
        inpatient_from=at(2, 11, 0),
        inpatient_reason="Viêm phế quản cấp, sốt cao",
        discharged_at=at(4, 10, 0),
        course=course,
    )
