"""One encounter of a loaded chunk made into the parts of its claim (patient, card, drug,
service and result lines, the fields every claim shares), or the reasons it cannot be.

The outpatient claim (visit_loader.py) and the inpatient one (stay_loader.py) subclass
`EncounterClaim`. The amounts are the invoices' lines exactly as the co-payment engine
split them and the patient paid them: the claim never recomputes money. Drug lines are
claimed once the pharmacy gave them (with the time given).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from smarthis.billing.models import Charge, InvoiceLine
from smarthis.catalogs.admin_units import admin_units
from smarthis.catalogs.drugs import drugs
from smarthis.clinical.examination_models import Examination
from smarthis.clinical.models import Visit
from smarthis.insurance.claims.amounts import totals_from_lines
from smarthis.insurance.claims.inputs import (
    ClaimCard,
    ClaimPatient,
    DrugLine,
    LineAmounts,
    ParaclinicalResult,
    ServiceLine,
)
from smarthis.insurance.claims.loader_chunk import EncounterChunk
from smarthis.insurance.portal_client import parse_answer
from smarthis.queueing.clock import HOSPITAL_TZ

SEX_CODES = {"male": 1, "female": 2}
# DUONG_DUNG codes of the Ministry's shared code set for the routes our catalogue uses.
# Only oral is mapped so far: a drug given another way is held back with the reason.
ROUTE_CODES = {"uống": "1.01"}


@lru_cache(maxsize=1)
def _district_of_ward() -> dict[str, str]:
    return {unit.ward_code: unit.district_code for unit in admin_units()}


def line_amounts(line: InvoiceLine, share: Decimal) -> LineAmounts:
    return LineAmounts(
        hospital_amount=Decimal(line.hospital_amount),
        insurance_amount=Decimal(line.insurance_scope),
        share_percent=share,
        fund_pays=Decimal(line.fund_pays),
        patient_copay=Decimal(line.patient_copay),
        patient_self_pay=Decimal(line.patient_self_pay),
    )


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(HOSPITAL_TZ) if moment is not None else None


class EncounterClaim:
    """Subclasses set `prescriber` (MA_BAC_SI of drug lines) and `default_orderer` (who
    ordered a line with no order of its own) and write `build()`."""

    prescriber: str | None
    default_orderer: str | None
    DRUG_KINDS: frozenset[str] = frozenset({"drug"})  # charges claimed in XML2

    def __init__(self, chunk: EncounterChunk, visit_id: int):
        self.c = chunk
        self.visit: Visit
        self.exam: Examination | None
        self.visit, self.exam = chunk.visits[visit_id]
        self.problems: list[str] = []
        self.card_answer: Any = None

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

    def weight(self) -> float | None:
        return self.c.weights.get(self.visit.id)

    def _patient(self) -> ClaimPatient:
        p = self.c.patients[self.visit.patient_id]
        district = _district_of_ward().get(p.ward_code or "", "")
        if not p.address or not p.province_code or not p.ward_code:
            self.problems.append("thiếu địa chỉ cư trú (tỉnh, xã) của người bệnh")
        weight = self.weight()
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

    def drug_fields(
        self, line: InvoiceLine, charge: Charge, share: Decimal, route: str, what: str
    ) -> dict[str, Any] | None:
        """The DrugLine fields every drug charge fills the same way (code, money, route
        code, tender), whoever gave the drug; None, with the reason, for an unmapped route."""
        route_code = ROUTE_CODES.get(route)
        if route_code is None:
            self.problems.append(f"đường dùng '{route}' của {what} chưa có mã")
            return None
        # The tender the hospital buys the drug under (TT_THAU); a drug gone from the
        # catalogue has none, and the validator then names the missing field.
        listed = drugs().get(charge.item_code)
        return {
            "drug_code": charge.national_code or charge.item_code,
            "cost_group": charge.cost_group,
            "route_code": route_code,
            "quantity": Decimal(charge.quantity),
            "unit_price": Decimal(charge.hospital_price_vnd),
            "amounts": line_amounts(line, share),
            "scope": 1 if charge.in_benefit_list else 2,
            "ratio_insurance": Decimal(charge.ratio_insurance),
            "tender_info": listed.tender_info if listed else None,
        }

    def drug_line(self, line: InvoiceLine, charge: Charge, share: Decimal) -> DrugLine | None:
        """The XML2 line of a drug charge, None when not claimed; the inpatient claim adds
        the doses given on the ward (`DRUG_KINDS` names the charges that are drugs)."""
        return self._drug(line, charge, share)

    def _drug(self, line: InvoiceLine, charge: Charge, share: Decimal) -> DrugLine | None:
        item = self.c.drugs.get(charge.source_id)
        if item is None:
            self.problems.append(f"không tìm thấy thuốc của khoản {charge.name}")
            return None
        given = self.c.given.get(item.id)
        if given is None:
            return None  # not given to the patient: not claimed (the pharmacy's list shows it)
        common = self.drug_fields(line, charge, share, item.route, item.active_ingredient)
        if common is None:
            return None
        return DrugLine(
            **common,
            name=item.brand_name or item.active_ingredient,
            unit=item.unit,
            strength=item.strength,
            dosage=item.instructions,
            department_code=self._department(self.prescriber),
            doctor_codes=self._doctor(self.prescriber),
            ordered_at=local(charge.created_at),  # type: ignore[arg-type]
            dosage_form=item.dosage_form,
            usage=item.instructions,
            given_at=local(given),
        )

    def _service(self, line: InvoiceLine, charge: Charge, share: Decimal) -> ServiceLine:
        ordered_by, ordered_at = self.default_orderer, charge.created_at
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
        elif charge.source_kind == "examination" and self.exam is not None:
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
            amounts=line_amounts(line, share),
            department_code=self._department(ordered_by),
            doctor_codes=self._doctor(ordered_by),
            ordered_at=local(ordered_at),  # type: ignore[arg-type]
            scope=1 if charge.in_benefit_list else 2,
            ratio_service=Decimal(charge.ratio_service),
            ratio_insurance=Decimal(charge.ratio_insurance),
            performer_codes=performers,
            performed_at=local(performed_at),
            result_at=local(result_at),
        )

    def service_line(self, line: InvoiceLine, charge: Charge, share: Decimal) -> ServiceLine:
        """An XML3 line of a charge; the inpatient claim adds bed days and supplies."""
        return self._service(line, charge, share)

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
                        result_at=local(r.verified_at),
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
                        result_at=local(report.verified_at),
                        reading_doctor_codes=self._doctor(report.entered_by),
                    )
                )
        return tuple(found)

    def shared_fields(self) -> dict[str, Any]:
        """The ClaimVisit fields every kind of claim fills the same way (the money, the
        card, the lines); the caller checks `problems` before using them."""
        visit = self.visit
        patient = self._patient()
        cards = self._card()
        drug_lines: list[DrugLine] = []
        services: list[ServiceLine] = []
        invoices = sorted(self.c.invoices.get(visit.id, []), key=lambda i: i.id)
        # MA_DOITUONG_KCB as last billed: an admission may turn a self-referred outpatient
        # category into its inpatient counterpart after the examination fee was paid.
        category = invoices[-1].category if invoices else ""
        for line, charge, share in self._settled_lines():
            if charge.source_kind in self.DRUG_KINDS:
                drug = self.drug_line(line, charge, share)
                if drug is not None:
                    drug_lines.append(drug)
            else:
                services.append(self.service_line(line, charge, share))
        paid = [i.paid_at for i in invoices if i.paid_at is not None]
        answer = self.card_answer
        return {
            "claim_code": visit.visit_number,
            "facility_code": visit.facility_code,
            "patient": patient,
            "category": category,
            "totals": totals_from_lines(drug_lines, services),
            "visit_id": visit.id,
            "cards": cards,
            "area_code": answer.area_code if answer else None,
            "five_years_from": answer.five_years_from if answer else None,
            "paid_at": local(max(paid)) if paid else None,
            "drugs": tuple(drug_lines),
            "services": tuple(services),
            "results": self._results(),
        }
