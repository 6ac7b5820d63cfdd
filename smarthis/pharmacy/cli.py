"""`smarthis pharmacy ...`: receive a lot into the pharmacy's stock, and list the stock
with its alerts (for the pharmacy's storekeeper at a terminal)."""

from __future__ import annotations

import json
from datetime import date

import typer

from smarthis.config import get_settings
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.security.principal import system_principal

pharmacy_app = typer.Typer(help="Outpatient pharmacy: drug lots and stock", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@pharmacy_app.command("receive")
def receive(
    drug: str = typer.Option(..., "--drug", help="catalogue drug code, e.g. T-PARA500"),
    lot: str = typer.Option(..., "--lot", help="the manufacturer's lot number (số lô)"),
    expiry: str = typer.Option(..., "--expiry", help="expiry date YYYY-MM-DD (hạn dùng)"),
    quantity: int = typer.Option(..., "--quantity", help="units received (viên, ống, gói...)"),
    unit_cost: int = typer.Option(None, "--unit-cost", help="purchase price per unit, VND"),
) -> None:
    """Put a lot on the shelf (or more of a lot already there); prints the lot as JSON."""
    from smarthis.pharmacy.stock import receive_lot

    try:
        expiry_date = date.fromisoformat(expiry)
    except ValueError:
        _fail(f"Hạn dùng '{expiry}' không đúng dạng YYYY-MM-DD (expiry must be YYYY-MM-DD)")
        return
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            row = receive_lot(
                session,
                system_principal(settings.facility_code),
                drug,
                lot,
                expiry_date,
                quantity,
                unit_cost,
            )
            shown = {
                "drug_code": row.drug_code,
                "lot_number": row.lot_number,
                "expiry_date": row.expiry_date.isoformat(),
                "quantity_on_hand": row.quantity_on_hand,
            }
    except DomainError as error:
        _fail(f"{error.message_vi} ({error.message_en})")
    finally:
        db.dispose()
    typer.echo(json.dumps(shown, ensure_ascii=False))


@pharmacy_app.command("stock")
def stock(
    as_json: bool = typer.Option(False, "--json", help="one drug a line as JSON"),
) -> None:
    """Each drug's usable units and lots (first expiry first), with low and expiry alerts."""
    from smarthis.pharmacy.stock import stock_list

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            listing = stock_list(session, system_principal(settings.facility_code))
    finally:
        db.dispose()
    for entry in listing:
        drug = entry.drug
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "drug_code": drug.code,
                        "usable": entry.usable,
                        "unit": drug.unit,
                        "low": entry.low,
                        "expiring_soon": entry.expiring_soon,
                        "has_expired_stock": entry.has_expired_stock,
                        "lots": [
                            {
                                "lot_number": lot.lot_number,
                                "expiry_date": lot.expiry_date.isoformat(),
                                "quantity_on_hand": lot.quantity_on_hand,
                                "expired": lot.expired,
                            }
                            for lot in entry.lots
                        ],
                    },
                    ensure_ascii=False,
                )
            )
            continue
        alerts = [
            text
            for flag, text in (
                (entry.low, "SẮP HẾT"),
                (entry.expiring_soon, "có lô sắp hết hạn"),
                (entry.has_expired_stock, "có lô HẾT HẠN cần loại"),
            )
            if flag
        ]
        suffix = f"  [{', '.join(alerts)}]" if alerts else ""
        name = f"{drug.active_ingredient} {drug.strength}"
        typer.echo(f"{drug.code:<14} {name:<45} {entry.usable:>7} {drug.unit}{suffix}")
        for lot in entry.lots:
            expired = "  HẾT HẠN" if lot.expired else ""
            typer.echo(
                f"{'':<14}   lô {lot.lot_number:<20} HSD {lot.expiry_date:%d/%m/%Y}"
                f" {lot.quantity_on_hand:>7}{expired}"
            )
