"""The pharmacist's workstation (/pharmacy): the prescriptions waiting, one prescription
with the lots it takes and the "Phát thuốc" button, and the stock with its alerts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.catalogs.drugs import drugs
from smarthis.db import Database
from smarthis.pharmacy.stock import EXPIRING_WITHIN_DAYS
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/pharmacy")
def pharmacy_workstation(
    request: Request,
    principal: Principal = Depends(require(Permission.PHARMACY_DISPENSE)),
    db: Database = Depends(database),
) -> Response:
    return render(
        request,
        "pharmacy.html",
        principal,
        db,
        may_stock=principal.may(Permission.PHARMACY_STOCK),
        catalogue=list(drugs().values()),
        expiring_days=EXPIRING_WITHIN_DAYS,
    )
