"""The cashier's workstation page (/cashier): find a visit, see its invoice and the split,
take cash or card, print the receipt, refund with a reason, and the day-end report."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.db import Database
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/cashier")
def cashier_workstation(
    request: Request,
    principal: Principal = Depends(require(Permission.BILLING_VIEW)),
    db: Database = Depends(database),
) -> Response:
    return render(
        request,
        "cashier.html",
        principal,
        db,
        may_collect=principal.may(Permission.BILLING_COLLECT),
        may_refund=principal.may(Permission.BILLING_REFUND),
    )
