"""The finance office's claims page: a month's XML 130 claims and their portal status."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.db import Database
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/claims")
def claims_page(
    request: Request,
    principal: Principal = Depends(require(Permission.CLAIMS_VIEW)),
    db: Database = Depends(database),
) -> Response:
    return render(
        request,
        "claims.html",
        principal,
        db,
        may_submit=principal.may(Permission.CLAIMS_SUBMIT),
    )
