"""Finished visits read from the database as `ClaimVisit`s: the loader of the monthly export
and of the submission worker.

A visit is claimable when it used insurance with a card the portal verified, the doctor
concluded it, and every active charge sits on a settled invoice (paid, or nothing to pay).
The amounts are the invoices' lines exactly as the co-payment engine split them and the
patient paid them: the claim never recomputes money. Drug lines are claimed once the
pharmacy dispensed them (with the time given).

Visits are read in chunks of `CHUNK` with one query per table, so a month of 24,000 visits
is a few hundred queries, not a few hundred thousand.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.catalogs.admin_units import admin_units
from smarthis.catalogs.drugs import drugs
from smarthis.clinical.examination_models import Examination, VisitDiagnosis, VitalSigns
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.insurance.claims.amounts import totals_from_lines
from smarthis.insurance.claims.export import parse_month
from smarthis.insurance.claims.inputs import (
    ClaimCard,
    ClaimPatient,
    ClaimVisit,
    DrugLine,
    LineAmounts,
    ParaclinicalResult,
    ServiceLine,
)
from smarthis.insurance.portal_client import parse_answer
from smarthis.orders.models import LabResult, Order, OrderItem, Report
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.pharmacy.models import PrescriptionItem
from smarthis.pharmacy.stock_models import DispensedItem, Dispensing
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.models import Staff
from smarthis.staff.models import StaffProfile

CHUNK = 200
VERIFIED = ("verified", "verified_check_id")
EXAMINATION_KIND = "01"  # MA_LOAI_KCB: outpatient examination
SEX_CODES = {"male": 1, "female": 2}
# DUONG_DUNG codes of the Ministry's shared code set for the routes our catalogue uses.
# Only oral is mapped so far: a drug given another way is held back with the reason.
ROUTE_CODES = {"uống": "1.01"}
# KET_QUA_DTRI (2: improved) and MA_LOAI_RV (1: discharged, 2: referred) of a conclusion.
RESULT_OF_CONCLUSION = {"home": 2, "follow_up": 2, "referral": 3, "admit": 3}
DISCHARGE_OF_CONCLUSION = {"home": 1, "follow_up": 1, "referral": 2, "admit": 1}


@dataclass
class LoadedMonth:
    claims: list[ClaimVisit] = field(default_factory=list)
    held_back: list[dict[str, object]] = field(default_factory=list)  # visit, reasons


CertificateLookup = Callable[[Session, Sequence[str]], dict[str, str]]


def _practising_certificates(session: Session, logins: Sequence[str]) -> dict[str, str]:
    """MA_BAC_SI: each staff member's practising certificate number, from staff records."""
    rows = session.execute(
        select(Staff.login, StaffProfile.certificate_number)
        .join(StaffProfile, StaffProfile.staff_id == Staff.id)
        .where(Staff.login.in_(logins), StaffProfile.certificate_number.is_not(None))
    )
    return {login: number for login, number in rows}


@lru_cache(maxsize=1)
def _district_of_ward() -> dict[str, str]:
    return {unit.ward_code: unit.district_code for unit in admin_units()}


def month_window(month: str) -> tuple[datetime, datetime]:
    year, number = parse_month(month)
    start = datetime(year, number, 1, tzinfo=HOSPITAL_TZ)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=HOSPITAL_TZ)
    return start, end


def concluded_insured_visits(session: Session, facility_code: str, month: str) -> list[int]:
    """Visits with a verified card concluded in the month (hospital time), oldest first."""
    start, end = month_window(month)
    rows = session.execute(
        select(Visit.id)
        .join(Examination, Examination.visit_id == Visit.id)
        .where(
            Visit.facility_code == facility_code,
            Visit.uses_insurance.is_(True),
            Visit.card_check_status.in_(VERIFIED),
            Examination.concluded_at >= start,
            Examination.concluded_at < end,
        )
        .order_by(Examination.concluded_at, Visit.id)
    )
    return [row.id for row in rows]


def _grouped(rows: Iterable, key: Callable) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def _dispensed_at(session: Session, visit_ids: Sequence[int]) -> dict[int, datetime]:
    """When each drug line (prescription item) was given by the pharmacy."""
    rows = session.execute(
        select(DispensedItem.prescription_item_id, Dispensing.dispensed_at)
        .join(Dispensing, Dispensing.id == DispensedItem.dispensing_id)
        .where(Dispensing.visit_id.in_(visit_ids))
    )
    return {item_id: at for item_id, at in rows}


@dataclass
class _Chunk:
    """Everything about a chunk of visits, one query per table."""

    session: Session
    visit_ids: Sequence[int]
    certificates: CertificateLookup

    def load(self) -> None:
        s, ids = self.session, self.visit_ids
        self.visits = {
            v.id: (v, e)
            for v, e in s.execute(
                select(Visit, Examination)
                .join(Examination, Examination.visit_id == Visit.id)
                .where(Visit.id.in_(ids))
            )
        }
        patient_ids = {v.patient_id for v, _ in self.visits.values()}
        self.patients = {
            p.id: p for p in s.scalars(select(Patient).where(Patient.id.in_(patient_ids)))
        }
        self.cccd = {
            i.patient_id: i.value
            for i in s.scalars(
                select(PatientIdentifier).where(
                    PatientIdentifier.patient_id.in_(patient_ids), PatientIdentifier.kind == "cccd"
                )
            )
        }
        self.diagnoses = _grouped(
            s.scalars(
                select(VisitDiagnosis)
                .where(VisitDiagnosis.visit_id.in_(ids))
                .order_by(VisitDiagnosis.is_main.desc(), VisitDiagnosis.position)
            ),
            lambda d: d.visit_id,
        )
        self.weights = {
            v.visit_id: v.weight_kg
            for v in s.scalars(
                select(VitalSigns)
                .where(VitalSigns.visit_id.in_(ids), VitalSigns.weight_kg.is_not(None))
                .order_by(VitalSigns.measured_at)
            )
        }  # the last weighing of each visit wins
        settled = or_(
            Invoice.status == "paid",
            and_(Invoice.status == "open", Invoice.amount_due == 0, Invoice.paid_vnd == 0),
        )
        self.invoices = _grouped(
            s.scalars(select(Invoice).where(Invoice.visit_id.in_(ids), settled)),
            lambda i: i.visit_id,
        )
        invoice_ids = [i.id for rows in self.invoices.values() for i in rows]
        self.lines = list(
            s.execute(
                select(InvoiceLine, Charge)
                .join(Charge, Charge.id == InvoiceLine.charge_id)
                .where(InvoiceLine.invoice_id.in_(invoice_ids))
                .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
            )
        )
        self.active_charges = _grouped(
            s.scalars(select(Charge).where(Charge.visit_id.in_(ids), Charge.status == "active")),
            lambda c: c.visit_id,
        )
        items = list(
            s.execute(
                select(OrderItem, Order)
                .join(Order, Order.id == OrderItem.order_id)
                .where(Order.visit_id.in_(ids))
            )
        )
        self.items = {item.id: (item, order) for item, order in items}
        item_ids = list(self.items)
        self.lab = _grouped(
            s.scalars(
                select(LabResult)
                .where(
                    LabResult.order_item_id.in_(item_ids),
                    LabResult.superseded_by_id.is_(None),
                    LabResult.verified_at.is_not(None),
                )
                .order_by(LabResult.id)
            ),
            lambda r: r.order_item_id,
        )
        self.reports = {
            r.order_item_id: r
            for r in s.scalars(
                select(Report).where(
                    Report.order_item_id.in_(item_ids),
                    Report.superseded_by_id.is_(None),
                    Report.verified_at.is_not(None),
                )
            )
        }
        drug_ids = [c.source_id for _, c in self.lines if c.source_kind == "drug"]
        self.drugs = {
            p.id: p
            for p in s.scalars(select(PrescriptionItem).where(PrescriptionItem.id.in_(drug_ids)))
        }
        self.given = _dispensed_at(s, ids)
        logins = {e.concluded_by or e.started_by for _, e in self.visits.values()}
        logins |= {o.ordered_by for _, o in self.items.values()}
        logins |= {r.entered_by for rows in self.lab.values() for r in rows}
        logins |= {r.verified_by for rows in self.lab.values() for r in rows if r.verified_by}
        logins |= {r.entered_by for r in self.reports.values()}
        self.staff = {
            st.login: st for st in s.scalars(select(Staff).where(Staff.login.in_(logins)))
        }
        self.codes = self.certificates(s, sorted(logins))


def _amounts(line: InvoiceLine, share: Decimal) -> LineAmounts:
    return LineAmounts(
        hospital_amount=Decimal(line.hospital_amount),
        insurance_amount=Decimal(line.insurance_scope),
        share_percent=share,
        fund_pays=Decimal(line.fund_pays),
        patient_copay=Decimal(line.patient_copay),
        patient_self_pay=Decimal(line.patient_self_pay),
    )


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(HOSPITAL_TZ) if moment is not None else None


class _VisitClaim:
    """One visit of a loaded chunk made into a ClaimVisit, or the reasons it cannot be."""

    def __init__(self, chunk: _Chunk, visit_id: int):
        self.c = chunk
        self.visit, self.exam = chunk.visits[visit_id]
        self.problems: list[str] = []

    def _doctor(self, login: str | None) -> tuple[str, ...]:
        code = self.c.codes.get(login or "")
        if code is None:
            self.problems.append(f"chưa có số chứng chỉ hành nghề của {login}")
            return ()
        return (code,)

    def _known_doctor(self, login: str | None) -> tuple[str, ...]:
        """An optional doctor code: empty when the certificate is not on record."""
        code = self.c.codes.get(login or "")
        return (code,) if code else ()

    def _department(self, login: str | None) -> str:
        staff = self.c.staff.get(login or "")
        if staff is None or not staff.department_code:
            self.problems.append(f"chưa rõ khoa của {login}")
            return ""
        return staff.department_code

    def _patient(self) -> ClaimPatient:
        p = self.c.patients[self.visit.patient_id]
        district = _district_of_ward().get(p.ward_code or "", "")
        if not p.address or not p.province_code or not p.ward_code:
            self.problems.append("thiếu địa chỉ cư trú (tỉnh, xã) của người bệnh")
        weight = self.c.weights.get(self.visit.id)
        if weight is None:
            self.problems.append("chưa có cân nặng của người bệnh (CAN_NANG bắt buộc)")
        return ClaimPatient(
            patient_code=p.mrn,
            full_name=p.full_name,
            sex=SEX_CODES.get(p.sex or "", 3),
            birth_date=p.date_of_birth,
            birth_year=None if p.date_of_birth else p.birth_year,
            citizen_id=self.c.cccd.get(p.id),
            nationality_code="000" if p.nationality == "VN" else p.nationality,
            address=p.address or "",
            province_code=p.province_code or "",
            district_code=district,
            ward_code=p.ward_code or "",
            phone=p.phone,
            weight_kg=Decimal(str(weight)) if weight is not None else None,
        )

    def _card(self) -> tuple[ClaimCard, ...]:
        try:
            answer = parse_answer(json.loads(self.visit.card_check_raw or "{}"))
        except (ValueError, TypeError, KeyError):
            answer = None
        if answer is None or answer.registered_facility_code is None or not answer.valid_from:
            self.problems.append("không đọc được kết quả tra cứu thẻ BHYT đã lưu")
            return ()
        self.card_answer = answer
        return (
            ClaimCard(
                code=self.visit.bhyt_code or "",
                registered_facility=answer.registered_facility_code,
                valid_from=answer.valid_from,
                valid_to=answer.valid_to,
            ),
        )

    def _settled_lines(self) -> list[tuple[InvoiceLine, Charge, Decimal]]:
        invoices = {i.id: i for i in self.c.invoices.get(self.visit.id, [])}
        lines = [
            (ln, ch, invoices[ln.invoice_id].muc_huong)
            for ln, ch in self.c.lines
            if ln.invoice_id in invoices
        ]
        settled = {ch.id for _, ch, _ in lines}
        unpaid = [c for c in self.c.active_charges.get(self.visit.id, []) if c.id not in settled]
        if unpaid:
            self.problems.append(f"{len(unpaid)} khoản chi phí chưa thanh toán")
        if not lines:
            self.problems.append("chưa có hoá đơn đã thanh toán")
        return lines

    def _drug(self, line: InvoiceLine, charge: Charge, share: Decimal) -> DrugLine | None:
        item = self.c.drugs.get(charge.source_id)
        if item is None:
            self.problems.append(f"không tìm thấy thuốc của khoản {charge.name}")
            return None
        given = self.c.given.get(item.id)
        if given is None:
            return None  # not given to the patient: not claimed (the pharmacy's list shows it)
        route = ROUTE_CODES.get(item.route)
        if route is None:
            self.problems.append(
                f"đường dùng '{item.route}' của {item.active_ingredient} chưa có mã"
            )
            return None
        # The tender the hospital buys the drug under (TT_THAU); a drug gone from the
        # catalogue has none, and the validator then names the missing field.
        listed = drugs().get(item.drug_code)
        tender = listed.tender_info if listed else None
        return DrugLine(
            drug_code=charge.national_code or charge.item_code,
            cost_group=charge.cost_group,
            name=item.brand_name or item.active_ingredient,
            unit=item.unit,
            strength=item.strength,
            route_code=route,
            dosage=item.instructions,
            quantity=Decimal(charge.quantity),
            unit_price=Decimal(charge.hospital_price_vnd),
            amounts=_amounts(line, share),
            department_code=self._department(self.exam.concluded_by),
            doctor_codes=self._doctor(self.exam.concluded_by),
            ordered_at=_local(charge.created_at),  # type: ignore[arg-type]
            scope=1 if charge.in_benefit_list else 2,
            ratio_insurance=Decimal(charge.ratio_insurance),
            dosage_form=item.dosage_form,
            usage=item.instructions,
            tender_info=tender,
            given_at=_local(given),
        )

    def _service(self, line: InvoiceLine, charge: Charge, share: Decimal) -> ServiceLine:
        ordered_by, ordered_at = self.exam.started_by, charge.created_at
        performers: tuple[str, ...] = ()
        performed_at = result_at = None
        if charge.source_kind == "order_item" and charge.source_id in self.c.items:
            item, order = self.c.items[charge.source_id]
            ordered_by, ordered_at = order.ordered_by, order.ordered_at
            rows = self.c.lab.get(item.id) or (
                [self.c.reports[item.id]] if item.id in self.c.reports else []
            )
            if rows:
                performers = self._doctor(rows[0].entered_by)
                performed_at = min(r.entered_at for r in rows)
                result_at = max(r.verified_at for r in rows if r.verified_at)
        elif charge.source_kind == "examination":
            performers = self._doctor(self.exam.started_by)
            performed_at = self.exam.started_at
        return ServiceLine(
            service_code=charge.national_code or charge.item_code,
            service_name=charge.name,
            cost_group=charge.cost_group,
            unit=charge.unit,
            quantity=Decimal(charge.quantity),
            hospital_price=Decimal(charge.hospital_price_vnd),
            insurance_price=Decimal(charge.insurance_price_vnd),
            amounts=_amounts(line, share),
            department_code=self._department(ordered_by),
            doctor_codes=self._doctor(ordered_by),
            ordered_at=_local(ordered_at),  # type: ignore[arg-type]
            scope=1 if charge.in_benefit_list else 2,
            ratio_service=Decimal(charge.ratio_service),
            ratio_insurance=Decimal(charge.ratio_insurance),
            performer_codes=performers,
            performed_at=_local(performed_at),
            result_at=_local(result_at),
        )

    def _results(self) -> tuple[ParaclinicalResult, ...]:
        found = []
        for item, order in self.c.items.values():
            if order.visit_id != self.visit.id:
                continue
            for r in self.c.lab.get(item.id, []):
                found.append(
                    ParaclinicalResult(
                        indicator_name=r.analyte_code,
                        indicator_code=r.analyte_code,
                        service_code=item.service_code,
                        value=r.value_text,
                        unit=r.unit,
                        result_at=_local(r.verified_at),
                        reading_doctor_codes=self._known_doctor(r.verified_by),
                    )
                )
            report = self.c.reports.get(item.id)
            if report is not None:
                found.append(
                    ParaclinicalResult(
                        indicator_name=item.service_name[:255],
                        service_code=item.service_code,
                        description=report.findings,
                        conclusion=report.conclusion,
                        result_at=_local(report.verified_at),
                        reading_doctor_codes=self._doctor(report.entered_by),
                    )
                )
        return tuple(found)

    def build(self) -> ClaimVisit | None:
        visit, exam = self.visit, self.exam
        patient = self._patient()
        cards = self._card()
        diagnoses = self.c.diagnoses.get(visit.id, [])
        main = next((d for d in diagnoses if d.is_main), None)
        if main is None:
            self.problems.append("chưa có chẩn đoán chính")
        drugs: list[DrugLine] = []
        services: list[ServiceLine] = []
        category = ""
        for line, charge, share in self._settled_lines():
            category = category or self.c.invoices[visit.id][0].category
            if charge.source_kind == "drug":
                drug = self._drug(line, charge, share)
                if drug is not None:
                    drugs.append(drug)
            else:
                services.append(self._service(line, charge, share))
        if self.problems or main is None:
            return None
        concluded = _local(exam.concluded_at)
        assert concluded is not None
        text = "; ".join(f"{d.icd_code} - {d.name_vi}" for d in diagnoses)
        paid = [i.paid_at for i in self.c.invoices[visit.id] if i.paid_at is not None]
        department = self._department(exam.concluded_by)
        answer = getattr(self, "card_answer", None)
        return ClaimVisit(
            claim_code=visit.visit_number,
            facility_code=visit.facility_code,
            record_number=visit.visit_number,
            patient=patient,
            category=category,
            visit_kind=EXAMINATION_KIND,
            admitted_at=_local(visit.registered_at),  # type: ignore[arg-type]
            discharged_at=concluded,
            reason_for_visit=exam.reason or "Khám bệnh",
            admission_diagnosis=text,
            discharge_diagnosis=text,
            main_icd10=main.icd_code.replace(".", ""),
            other_icd10=tuple(d.icd_code.replace(".", "") for d in diagnoses if not d.is_main),
            department_codes=(department,),
            treatment_result=RESULT_OF_CONCLUSION.get(exam.conclusion or "", 7),
            discharge_type=DISCHARGE_OF_CONCLUSION.get(exam.conclusion or "", 1),
            settlement_year=concluded.year,
            settlement_month=concluded.month,
            totals=totals_from_lines(drugs, services),
            visit_id=visit.id,
            cards=cards,
            area_code=answer.area_code if answer else None,
            five_years_from=answer.five_years_from if answer else None,
            doctor_advice=exam.advice,
            paid_at=_local(max(paid)) if paid else None,
            follow_up_dates=(exam.follow_up_date,) if exam.follow_up_date else (),
            drugs=tuple(drugs),
            services=tuple(services),
            results=self._results(),
        )


def load_visits(
    session: Session, visit_ids: Sequence[int], certificates: CertificateLookup | None = None
) -> LoadedMonth:
    """ClaimVisits of the given visits, in their order; the others held back with why.
    `certificates` finds MA_BAC_SI by login (default: the staff records)."""
    loaded = LoadedMonth()
    chunk = _Chunk(session, visit_ids, certificates or _practising_certificates)
    chunk.load()
    for visit_id in visit_ids:
        if visit_id not in chunk.visits:
            continue
        claim = _VisitClaim(chunk, visit_id)
        built = claim.build()
        if built is None:
            number = chunk.visits[visit_id][0].visit_number
            loaded.held_back.append({"visit": number, "reasons": sorted(set(claim.problems))})
        else:
            loaded.claims.append(built)
    return loaded


def month_claims(
    db: Database, facility_code: str, month: str, held_back: list[dict[str, object]] | None = None
) -> Iterator[ClaimVisit]:
    """The month's claims, read chunk by chunk; visits not ready go to `held_back`."""
    with db.session() as session:
        visit_ids = concluded_insured_visits(session, facility_code, month)
    for start in range(0, len(visit_ids), CHUNK):
        with db.session() as session:
            loaded = load_visits(session, visit_ids[start : start + CHUNK])
        if held_back is not None:
            held_back.extend(loaded.held_back)
        yield from loaded.claims
