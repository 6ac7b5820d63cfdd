"""Visit category (MA_DOITUONG_KCB) proposed at reception from how the patient came.

The doctor confirms (or corrects) it when concluding the visit; codes as in the 2025 list."""

from __future__ import annotations

from typing import Literal

ArrivalMode = Literal["self_referred", "referral", "appointment", "emergency"]
ARRIVAL_MODES: tuple[str, ...] = ("self_referred", "referral", "appointment", "emergency")

ARRIVAL_MODE_NAMES_VI = {
    "self_referred": "Tự đến",
    "referral": "Có giấy chuyển tuyến",
    "appointment": "Tái khám theo hẹn",
    "emergency": "Cấp cứu",
}


def category_codes() -> frozenset[str]:
    """Every MA_DOITUONG_KCB code of the co-payment rules data (what may be confirmed)."""
    from smarthis.insurance.copay.loader import load_rules

    return frozenset(c.code for c in load_rules().categories)


def propose_category(
    arrival_mode: str,
    uses_insurance: bool,
    *,
    card_registered_facility: str | None,
    facility_code: str,
    self_referred_category: str = "1.18",
) -> str:
    if not uses_insurance:
        return "9"
    if arrival_mode == "emergency":
        return "2"
    if card_registered_facility and card_registered_facility == facility_code:
        return "1.1"
    return {
        "referral": "1.3",
        "appointment": "1.5",
    }.get(arrival_mode, self_referred_category)
