"""HTML pages for staff: login, home, reception, staff and audit administration.

Pages are thin: they render what the domain services return, and the reception page's
actions go through the same JSON API as every other client (with the CSRF header)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.security import audit, service
from smarthis.security.credentials import token_digest
from smarthis.security.deps import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    client_source,
    database,
    require,
)
from smarthis.security.models import AuditEntry, WebSession
from smarthis.security.permissions import ROLE_NAMES_VI, STAFF_ROLES, Permission
from smarthis.security.principal import Principal
from smarthis.web.screens import SCREENS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TEMPLATES.env.filters["local_time"] = lambda at: at.astimezone(LOCAL_TZ).strftime(
    "%d/%m/%Y %H:%M:%S"
)
router = APIRouter(include_in_schema=False)


def _csrf_for(request: Request, db: Database) -> str:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    with db.session() as session:
        row = session.execute(
            select(WebSession.csrf_token).where(WebSession.token_hash == token_digest(cookie))
        ).scalar_one_or_none()
    return row or ""


def render(
    request: Request, template: str, principal: Principal | None, db: Database, **context: object
) -> HTMLResponse:
    settings = request.app.state.settings
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "principal": principal,
            "role_name": ROLE_NAMES_VI.get(principal.role, "") if principal else "",
            "csrf_token": _csrf_for(request, db) if principal else "",
            "facility_name": settings.facility_name,
            **context,
        },
    )


def safe_next(target: str) -> str:
    parsed = urlparse(target)
    # Only same-site paths: never redirect a signed-in user to another host.
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", dependencies=[Depends(require(Permission.PUBLIC))])
def login_page(request: Request, next: str = "/", db: Database = Depends(database)) -> Response:
    return render(request, "login.html", None, db, next=safe_next(next), error=None)


@router.post("/login", dependencies=[Depends(require(Permission.PUBLIC))])
def login_submit(
    request: Request,
    login: str = Form(max_length=64),
    password: str = Form(max_length=200),
    next: str = Form(default="/", max_length=500),
    db: Database = Depends(database),
) -> Response:
    settings = request.app.state.settings
    try:
        with db.session() as session:
            staff = service.authenticate(session, login, password)
            opened = service.open_web_session(session, staff, settings.session_hours)
    except DomainError as exc:
        response = render(
            request, "login.html", None, db, next=safe_next(next), error=exc.message_vi
        )
        response.status_code = 401
        return response
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    _: Principal = Depends(require(Permission.AUTHENTICATED)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        service.close_web_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(
    request: Request,
    principal: Principal = Depends(require(Permission.AUTHENTICATED)),
    db: Database = Depends(database),
) -> Response:
    screens = [
        s for s in SCREENS if s.permission is not Permission.PUBLIC and principal.may(s.permission)
    ]
    return render(request, "home.html", principal, db, screens=screens)


@router.get("/reception")
def reception(
    request: Request,
    principal: Principal = Depends(require(Permission.PATIENT_SEARCH)),
    db: Database = Depends(database),
) -> Response:
    return render(request, "reception.html", principal, db)


@router.get("/admin/staff")
def staff_admin(
    request: Request,
    principal: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        staff = service.list_staff(session)
    roles = [(r.value, ROLE_NAMES_VI[r]) for r in STAFF_ROLES]
    return render(
        request, "staff.html", principal, db, staff=staff, roles=roles, role_names=ROLE_NAMES_VI
    )


@router.get("/admin/audit")
def audit_admin(
    request: Request,
    principal: Principal = Depends(require(Permission.AUDIT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        entries = list(
            session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(200)).scalars()
        )
        problems = audit.verify_chain(session)
    return render(request, "audit.html", principal, db, entries=entries, problems=problems)


@router.get("/device/activate", dependencies=[Depends(require(Permission.PUBLIC))])
def activate_device(
    request: Request,
    token: str = Query(min_length=20, max_length=100),
    next: str = Query(default="/", max_length=500),
    db: Database = Depends(database),
) -> Response:
    """A kiosk or board opens this once with its token; the token then lives in an HttpOnly,
    SameSite=strict cookie, which also keeps cross-site pages from acting as the device."""
    with db.session() as session:
        principal = service.principal_from_bearer(session, token, client_source(request))
    if principal is None or principal.kind != "device":
        response = render(
            request, "login.html", None, db, next="/", error="Mã thiết bị không hợp lệ"
        )
        response.status_code = 401
        return response
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=365 * 24 * 3600,
        httponly=True,
        secure=request.app.state.settings.cookie_secure,
        samesite="strict",
    )
    return response
