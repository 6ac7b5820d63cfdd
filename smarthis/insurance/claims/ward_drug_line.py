"""The XML2 line of a dose given on the ward (a "ward_drug" charge, inpatient.ward_drugs):
the drug as the catalogue names it, the dose text as LIEU_DUNG, the time given as NGAY_YL
and NGAY_TH_YL, the ward's department that day as MA_KHOA and the attending doctor as
MA_BAC_SI. The money is the invoice line's, as for every other line."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from smarthis.billing.models import Charge, InvoiceLine
from smarthis.catalogs.drugs import drugs
from smarthis.insurance.claims.claim_lines import local
from smarthis.insurance.claims.inputs import DrugLine

if TYPE_CHECKING:
    from smarthis.insurance.claims.stay_loader import _StayClaim

WARD_DRUG = "ward_drug"  # inpatient.ward_drugs.WARD_DRUG (claims do not import the ward)


def ward_drug_line(
    claim: _StayClaim, line: InvoiceLine, charge: Charge, share: Decimal
) -> DrugLine | None:
    dose = claim.chunk.ward_doses.get(charge.source_id)
    given_at = local(dose.given_at) if dose is not None else None
    if dose is None or given_at is None:
        claim.problems.append(f"không tìm thấy lần dùng thuốc của khoản {charge.name}")
        return None
    listed = drugs().get(charge.item_code)
    if listed is None:  # the MAR keeps the name, not the strength nor the form
        claim.problems.append(f"thuốc {charge.item_code} không còn trong danh mục")
        return None
    common = claim.drug_fields(line, charge, share, dose.route, listed.active_ingredient)
    if common is None:
        return None
    return DrugLine(
        **common,
        name=listed.brand_name or listed.active_ingredient,
        unit=charge.unit,
        strength=listed.strength,
        dosage=dose.dose,
        department_code=claim.ward_department(claim.ward_on(given_at)),
        doctor_codes=claim.doctor_codes(claim.stay.attending_doctor),
        ordered_at=given_at,
        dosage_form=listed.dosage_form,
        usage=dose.dose,
        given_at=given_at,
    )
