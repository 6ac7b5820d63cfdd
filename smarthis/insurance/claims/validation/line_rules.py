"""The money formulas of each drug (XML2) and service/supply (XML3) line.

Products are compared with a tolerance of 1 VND: the co-payment engine works in whole VND
while the standard rounds to 2 decimals, and the two may differ by less than a dong.
Sums of amounts must match to the hundredth.
"""

from __future__ import annotations

from decimal import Decimal

from smarthis.insurance.claims.builders.record import Record
from smarthis.insurance.claims.formats import number, rounded
from smarthis.insurance.claims.validation.issues import ValidationIssue, issue
from smarthis.insurance.claims.validation.values import as_decimal

PRODUCT_TOLERANCE = Decimal(1)
SUM_TOLERANCE = Decimal("0.01")
HUNDRED = Decimal(100)
OTHER_SOURCE_PARTS = ("T_NGUONKHAC_NSNN", "T_NGUONKHAC_VTNN", "T_NGUONKHAC_VTTN", "T_NGUONKHAC_CL")
AMOUNT_FIELDS = (
    "SO_LUONG",
    "THANH_TIEN_BV",
    "THANH_TIEN_BH",
    "MUC_HUONG",
    "T_BHTT",
    "T_BNCCT",
    "T_BNTT",
    "T_NGUONKHAC",
    *OTHER_SOURCE_PARTS,
)


def _mismatch(
    file: str,
    position: int,
    field: str,
    actual: Decimal,
    expected: Decimal,
    formula: str,
    tolerance: Decimal,
) -> list[ValidationIssue]:
    if abs(actual - expected) <= tolerance:
        return []
    return [
        issue(
            file,
            position,
            field,
            "line_amount",
            value=number(actual, 2),
            expected=number(expected, 2),
            detail=formula,
        )
    ]


def _prices(file: str, record: Record) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
    """Hospital price, insurance price, service ratio, insurance ratio of the line."""
    if file == "XML2":
        price = as_decimal(record.get("DON_GIA"))
        ratio_bh = as_decimal(record.get("TYLE_TT_BH"))
        if price is None or ratio_bh is None:
            return None
        return price, price, HUNDRED, ratio_bh
    values = [
        as_decimal(record.get(name))
        for name in ("DON_GIA_BV", "DON_GIA_BH", "TYLE_TT_DV", "TYLE_TT_BH")
    ]
    if any(v is None for v in values):
        return None
    return values[0], values[1], values[2], values[3]  # type: ignore[return-value]


def check_line(file: str, position: int, record: Record) -> list[ValidationIssue]:
    amounts = {name: as_decimal(record.get(name)) for name in AMOUNT_FIELDS}
    prices = _prices(file, record)
    if prices is None or any(v is None for v in amounts.values()):
        return []  # a missing or malformed amount is already reported by the field rules
    a: dict[str, Decimal] = amounts  # type: ignore[assignment]
    price_bv, price_bh, ratio_dv, ratio_bh = prices
    quantity = a["SO_LUONG"]
    price_name = "DON_GIA" if file == "XML2" else "DON_GIA_BV"
    ratio_text = "" if file == "XML2" else " × TYLE_TT_DV/100"
    found = _mismatch(
        file,
        position,
        "THANH_TIEN_BV",
        a["THANH_TIEN_BV"],
        rounded(quantity * price_bv * ratio_dv / HUNDRED, 2),
        f"SO_LUONG × {price_name}{ratio_text}",
        PRODUCT_TOLERANCE,
    )
    if record.get("PHAM_VI") == "1":
        # Only lines in the benefit list have a price the fund recognises.
        found += _mismatch(
            file,
            position,
            "THANH_TIEN_BH",
            a["THANH_TIEN_BH"],
            rounded(quantity * price_bh * ratio_dv / HUNDRED * ratio_bh / HUNDRED, 2),
            f"SO_LUONG × {'DON_GIA' if file == 'XML2' else 'DON_GIA_BH'}{ratio_text}"
            " × TYLE_TT_BH/100",
            PRODUCT_TOLERANCE,
        )
    other = sum((a[name] for name in OTHER_SOURCE_PARTS), Decimal(0))
    found += _mismatch(
        file,
        position,
        "T_NGUONKHAC",
        a["T_NGUONKHAC"],
        other,
        " + ".join(OTHER_SOURCE_PARTS),
        SUM_TOLERANCE,
    )
    found += _mismatch(
        file,
        position,
        "THANH_TIEN_BV",
        a["THANH_TIEN_BV"],
        a["T_BHTT"] + a["T_BNCCT"] + a["T_BNTT"] + a["T_NGUONKHAC"],
        "T_BHTT + T_BNCCT + T_BNTT + T_NGUONKHAC",
        SUM_TOLERANCE,
    )
    if a["T_NGUONKHAC"] == 0:
        # Without other sources the provisional split of the standard is the final one.
        found += _mismatch(
            file,
            position,
            "T_BHTT",
            a["T_BHTT"],
            rounded(a["THANH_TIEN_BH"] * a["MUC_HUONG"] / HUNDRED, 2),
            "THANH_TIEN_BH × MUC_HUONG/100",
            PRODUCT_TOLERANCE,
        )
        found += _mismatch(
            file,
            position,
            "T_BNTT",
            a["T_BNTT"],
            a["THANH_TIEN_BV"] - a["THANH_TIEN_BH"],
            "THANH_TIEN_BV − THANH_TIEN_BH",
            SUM_TOLERANCE,
        )
    return found
