"""How a split was computed, in Vietnamese, for the cashier to read out to the patient.

Numbers are written the Vietnamese way: 39.000 (dot between thousands), 47,5% (decimal
comma), dates 01/07/2026.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from smarthis.insurance.copay.money import round_half_up


def vnd(amount: int | Fraction) -> str:
    whole = amount if isinstance(amount, int) else round_half_up(Fraction(amount))
    return f"{whole:,}".replace(",", ".")


def number_vi(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def percent_vi(value: Decimal) -> str:
    return f"{number_vi(value)}%"


def day_vi(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "?"


def priced_line_vi(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    price_note: str,
    ratio_service: Decimal,
    ratio_insurance: Decimal,
    scope: int,
) -> str:
    """The insurance-scope half of a line: price × quantity × payment ratios."""
    return (
        f"Giá BHYT {number_vi(unit_price)}{price_note} × SL {number_vi(quantity)} × tỷ lệ "
        f"thanh toán dịch vụ {percent_vi(ratio_service)} × tỷ lệ thanh toán BHYT "
        f"{percent_vi(ratio_insurance)} = {vnd(scope)} trong phạm vi BHYT"
    )


def shared_line_vi(
    *, priced: str, muc_huong: Decimal, label: str, fund: int, copay: int, self_pay: int
) -> str:
    return (
        f"{priced}; × mức hưởng {percent_vi(muc_huong)} ({label}) = quỹ BHYT trả {vnd(fund)}; "
        f"người bệnh cùng chi trả {vnd(copay)}; tự trả {vnd(self_pay)}"
    )


def capped_line_vi(text: str, uncapped_copay: int, copay: int) -> str:
    return (
        f"{text} (cùng chi trả giảm từ {vnd(uncapped_copay)} xuống {vnd(copay)} vì chạm trần "
        f"cùng chi trả trong năm; quỹ BHYT trả phần vượt {vnd(uncapped_copay - copay)})"
    )


def outside_scope_vi(quantity: Decimal, hospital_price: Decimal, amount: int, why: str) -> str:
    return (
        f"{why}: người bệnh tự trả giá bệnh viện {number_vi(hospital_price)} × SL "
        f"{number_vi(quantity)} = {vnd(amount)}"
    )
