"""The kiosk's touch-screen page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.db import Database
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/kiosk")
def kiosk(
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> Response:
    return render(request, "kiosk.html", principal, db)
