"""FastAPI dependencies: who is calling, and may they? Every route names one permission
through `require(...)`; tests walk the routes and check each against the role table."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from smarthis.db import MAX_ID, Database
from smarthis.security import audit
from smarthis.security.credentials import token_digest
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.security.service import principal_from_bearer, principal_from_session_cookie
from smarthis.security.token_cache import PrincipalCache

SESSION_COOKIE = "smarthis_session"
# Kiosks and boards open their page once with ?token=...; the page then keeps the token in
# this HttpOnly cookie, so their live streams (EventSource cannot send headers) authenticate.
DEVICE_COOKIE = "smarthis_device"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class NotAuthenticated(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            401,
            detail={
                "code": "not_authenticated",
                "message": "Cần đăng nhập",
                "message_en": "Sign-in required",
            },
            headers={"WWW-Authenticate": "Bearer"},
        )


class PermissionDenied(HTTPException):
    def __init__(self, permission: Permission) -> None:
        super().__init__(
            403,
            detail={
                "code": "forbidden",
                "message": f"Tài khoản không có quyền '{permission.value}'",
                "message_en": f"Missing permission '{permission.value}'",
            },
        )


def client_source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def database(request: Request) -> Database:
    # A coroutine, though it never waits: FastAPI runs a plain function dependency in the
    # thread pool, a hop (and under load a wait for the GIL) for every request.
    return _app_database(request)


def _app_database(request: Request) -> Database:
    return request.app.state.db


def _presented_token(request: Request) -> tuple[str, bool] | None:
    """The bearer token a request carries, and whether it must be a device's: the
    Authorization header, else a device cookie when there is no staff session cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    if request.cookies.get(SESSION_COOKIE):
        return None
    device_cookie = request.cookies.get(DEVICE_COOKIE)
    return (device_cookie, True) if device_cookie else None


def principal_cache(request: Request) -> PrincipalCache:
    """The app's cache of bearer tokens (see token_cache); one per app, so tests and apps
    in one process never share it."""
    state = request.app.state
    cache = getattr(state, "principal_cache", None)
    if cache is None:
        cache = state.principal_cache = PrincipalCache()
    return cache


def _remembered(request: Request) -> Principal | None:
    presented = _presented_token(request)
    if presented is None:
        return None
    token, device_only = presented
    principal = principal_cache(request).get(token_digest(token), client_source(request))
    if principal is None or (device_only and principal.kind != "device"):
        return None
    return principal


def _identify(request: Request, db: Database) -> tuple[Principal, str | None] | None:
    source = client_source(request)
    presented = _presented_token(request)
    with db.session() as session:
        if presented is not None:
            token, device_only = presented
            principal = principal_from_bearer(session, token, source)
            if principal is None or (device_only and principal.kind != "device"):
                return None
            if principal.kind == "device":  # staff tokens are looked up every time
                principal_cache(request).put(token_digest(token), principal)
            return principal, None
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = principal_from_session_cookie(session, cookie, source)
            if found is not None:
                return found
            device_cookie = request.cookies.get(DEVICE_COOKIE)
            if device_cookie:
                principal = principal_from_bearer(session, device_cookie, source)
                if principal is not None and principal.kind == "device":
                    return principal, None
    return None


def _record_denial(db: Database, principal: Principal, request: Request) -> None:
    patient_id = request.path_params.get("patient_id")
    if patient_id is None:
        return
    try:
        pid = int(patient_id)
    except ValueError:
        return
    if not 1 <= pid <= MAX_ID:
        return  # names no patient: nothing to audit
    with db.session() as session:
        audit.record(
            session,
            principal,
            f"denied {request.method} {request.url.path}"[:64],
            patient_id=pid,
            outcome="denied",
        )


def require(permission: Permission) -> Callable[[Request], Awaitable[Principal | None]]:
    async def dependency(request: Request) -> Principal | None:
        if permission is Permission.PUBLIC:
            return None
        db = _app_database(request)
        remembered = _remembered(request)  # most requests: no thread hop, no database
        found = (
            (remembered, None) if remembered else await run_in_threadpool(_identify, request, db)
        )
        if found is None:
            raise NotAuthenticated()
        principal, csrf_expected = found
        if principal.via_cookie and request.method in UNSAFE_METHODS:
            await _check_csrf(request, csrf_expected or "")
        if not principal.may(permission):
            await run_in_threadpool(_record_denial, db, principal, request)
            raise PermissionDenied(permission)
        request.state.principal = principal
        return principal

    dependency.required_permission = permission  # type: ignore[attr-defined]
    return dependency


async def _check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        given = str(form.get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(given, expected):
        raise HTTPException(
            403,
            detail={
                "code": "csrf_failed",
                "message": "Phiên làm việc không hợp lệ, hãy tải lại trang",
                "message_en": "CSRF check failed; reload the page",
            },
        )
