"""Property: a claim built from random but consistent lines validates with no issue, as
built and as read back from its envelope."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarthis.insurance.claims.amounts import line_amounts, totals_from_lines
from smarthis.insurance.claims.claim import build_claim
from smarthis.insurance.claims.envelope import parse_envelope
from smarthis.insurance.claims.inputs import ClinicalCourseEntry, DrugLine, ServiceLine
from smarthis.insurance.claims.validation import validate_tables
from smarthis.insurance.claims.xml_io import parse_table
from tests.insurance.claims.example import DOCTOR, TECHNICIAN, VN, worked_visit

NAME_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "
)
names = st.text(alphabet=NAME_ALPHABET, min_size=1, max_size=60).filter(str.strip)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999.999"), places=3)
prices = st.decimals(min_value=Decimal(0), max_value=Decimal("9999999.999"), places=3)
shares = st.sampled_from([Decimal(100), Decimal(95), Decimal(80), Decimal(40), Decimal("47.5")])
# (MA_NHOM, is a supply): lab, imaging, function test, procedure, examination, bed, supply
SERVICE_GROUPS = [(1, False), (2, False), (3, False), (8, False), (13, False), (15, False)]
GROUPS = st.sampled_from([*SERVICE_GROUPS, (10, True)])


@st.composite
def service_lines(draw: st.DrawFn, start: datetime, stay: timedelta, share: Decimal) -> ServiceLine:
    group, is_supply = draw(GROUPS)
    quantity, price_bv = draw(quantities), draw(prices)
    price_bh = draw(st.decimals(min_value=Decimal(0), max_value=price_bv, places=3))
    ratio_service = draw(st.sampled_from([Decimal(100), Decimal(80), Decimal(50), Decimal(30)]))
    ratio_insurance = draw(st.sampled_from([Decimal(100), Decimal(50)]))
    in_scope = draw(st.booleans())
    ordered = start + draw(st.timedeltas(min_value=timedelta(0), max_value=stay))
    name = draw(names)
    return ServiceLine(
        service_code=None if is_supply else "18.0119.0028",
        service_name=None if is_supply else name,
        supply_code="N03.05.070" if is_supply else None,
        supply_name=name if is_supply else None,
        tender_info="123/QĐ-BV;G1;N1;2025" if is_supply else None,
        cost_group=group,
        unit="Lần",
        quantity=quantity,
        hospital_price=price_bv,
        insurance_price=price_bh,
        ratio_service=ratio_service,
        ratio_insurance=ratio_insurance,
        scope=1 if in_scope else 2,
        amounts=line_amounts(
            quantity=quantity,
            hospital_price=price_bv,
            insurance_price=price_bh,
            share_percent=share,
            ratio_service=ratio_service,
            ratio_insurance=ratio_insurance,
            in_scope=in_scope,
        ),
        department_code="K01",
        doctor_codes=(DOCTOR,),
        performer_codes=(TECHNICIAN,),
        ordered_at=ordered,
        performed_at=ordered,
        payment_method=draw(st.sampled_from([1, 2, 3])),
    )


@st.composite
def drug_lines(draw: st.DrawFn, start: datetime, stay: timedelta, share: Decimal) -> DrugLine:
    quantity, price = draw(quantities), draw(prices)
    ratio = draw(st.sampled_from([Decimal(100), Decimal(50)]))
    in_scope = draw(st.booleans())
    return DrugLine(
        drug_code="40.150",
        cost_group=4,
        name=draw(names),
        unit="Viên",
        strength="500mg",
        route_code="1.01",
        dosage="Ngày 2 lần",
        quantity=quantity,
        unit_price=price,
        ratio_insurance=ratio,
        scope=1 if in_scope else 2,
        amounts=line_amounts(
            quantity=quantity,
            hospital_price=price,
            insurance_price=price,
            share_percent=share,
            ratio_insurance=ratio,
            in_scope=in_scope,
        ),
        department_code="K01",
        doctor_codes=(DOCTOR,),
        ordered_at=start + draw(st.timedeltas(min_value=timedelta(0), max_value=stay)),
        tender_info="20/QĐ-SYT;G1;N4;2025",
    )


@st.composite
def visits(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from(["01", "02", "03"]))
    start = datetime(2026, 11, 1, 7, 0, tzinfo=VN) + timedelta(
        minutes=draw(st.integers(0, 60 * 24 * 20))
    )
    stay = timedelta(hours=3) if kind == "01" else timedelta(days=draw(st.integers(0, 9)))
    share = draw(shares)
    services = tuple(draw(st.lists(service_lines(start, stay, share), min_size=1, max_size=6)))
    drugs = tuple(draw(st.lists(drug_lines(start, stay, share), max_size=5)))
    course = ()
    if kind == "03":
        course = (ClinicalCourseEntry(course=draw(names), at=start, performer_codes=(DOCTOR,)),)
    base = worked_visit()
    return replace(
        base,
        patient=replace(base.patient, full_name=draw(names), birth_date=date(1950, 1, 31)),
        visit_kind=kind,
        admitted_at=start,
        inpatient_from=start if kind == "03" else None,
        inpatient_reason="Điều trị nội trú" if kind == "03" else None,
        discharged_at=start + stay,
        paid_at=start + stay,
        services=services,
        drugs=drugs,
        results=(),
        course=course,
        totals=totals_from_lines(drugs, services),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(visits())
def test_consistent_claims_validate_cleanly(visit) -> None:  # type: ignore[no-untyped-def]
    claim = build_claim(visit)
    assert [str(i) for i in validate_tables(claim.tables)] == []
    envelope = parse_envelope(claim.envelope(date(2026, 11, 30)))
    parsed = {key: parse_table(key, content) for key, content in envelope.claims[0].items()}
    assert [str(i) for i in validate_tables(parsed, parsed=True)] == []
