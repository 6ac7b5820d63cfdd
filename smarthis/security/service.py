"""Staff accounts, devices, sessions and tokens: the rules, without HTTP."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.db import utcnow
from smarthis.errors import Conflict, DomainError, NotFound
from smarthis.security.credentials import (
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from smarthis.security.models import ApiToken, Device, Staff, WebSession
from smarthis.security.permissions import DEVICE_ROLES, STAFF_ROLES, Role
from smarthis.security.principal import Principal

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 8
API_TOKEN_DAYS = 90


def _staff_role(role: str) -> Role:
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed is None or parsed not in STAFF_ROLES:
        names = ", ".join(r.value for r in STAFF_ROLES)
        raise DomainError(
            "staff_role",
            f"Vai trò '{role}' không hợp lệ; chọn một trong: {names}",
            f"Unknown staff role '{role}'; choose one of: {names}",
            field="role",
        )
    return parsed


def create_staff(
    session: Session,
    *,
    facility_code: str,
    login: str,
    full_name: str,
    role: str,
    password: str,
    cccd: str | None = None,
    department_code: str | None = None,
) -> Staff:
    login = login.strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise DomainError(
            "staff_login",
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch",
            "Login must be 3-64 characters: lower-case letters, digits, '.', '_' or '-'",
            field="login",
        )
    if not full_name.strip():
        raise DomainError(
            "staff_name", "Chưa nhập họ tên", "Full name is required", field="full_name"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "staff_password",
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự",
            f"Password needs at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
        )
    if cccd is not None and not re.fullmatch(r"\d{12}", cccd):
        raise DomainError(
            "staff_cccd", "Số CCCD phải gồm 12 chữ số", "CCCD must be 12 digits", field="cccd"
        )
    staff = Staff(
        facility_code=facility_code,
        login=login,
        full_name=" ".join(full_name.split()),
        role=_staff_role(role).value,
        password_hash=hash_password(password),
        cccd=cccd,
        department_code=department_code,
        active=True,
    )
    session.add(staff)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "staff_login_taken",
            f"Tên đăng nhập '{login}' đã có",
            f"Login '{login}' already exists",
            field="login",
        ) from exc
    return staff


def list_staff(session: Session, role: str | None = None) -> list[Staff]:
    query = select(Staff).order_by(Staff.login)
    if role:
        # An unknown role is the caller's mistake (422 naming `role`), not a ValueError.
        query = query.where(Staff.role == _staff_role(role).value)
    return list(session.execute(query).scalars())


def get_staff_by_login(session: Session, login: str) -> Staff:
    staff = session.execute(
        select(Staff).where(Staff.login == login.strip().lower())
    ).scalar_one_or_none()
    if staff is None:
        raise NotFound(
            "staff_not_found",
            f"Không có nhân viên '{login}'",
            f"No staff member '{login}'",
            field="login",
        )
    return staff


def disable_staff(session: Session, login: str) -> Staff:
    staff = get_staff_by_login(session, login)
    staff.active = False
    # A disabled account loses its open sessions and tokens at once.
    for web_session in session.execute(
        select(WebSession).where(WebSession.staff_id == staff.id)
    ).scalars():
        session.delete(web_session)
    for token in session.execute(select(ApiToken).where(ApiToken.staff_id == staff.id)).scalars():
        token.revoked = True
    return staff


def authenticate(session: Session, login: str, password: str) -> Staff:
    staff = session.execute(
        select(Staff).where(Staff.login == login.strip().lower())
    ).scalar_one_or_none()
    # Same answer for unknown login, wrong password and disabled account: no account probing.
    if staff is None or not staff.active or not verify_password(staff.password_hash, password):
        raise DomainError(
            "login_failed",
            "Sai tên đăng nhập hoặc mật khẩu",
            "Wrong login or password",
            field="password",
        )
    return staff


def issue_api_token(session: Session, staff: Staff, label: str = "api") -> str:
    token = new_token()
    session.add(
        ApiToken(
            staff_id=staff.id,
            token_hash=token_digest(token),
            label=label,
            expires_at=utcnow() + timedelta(days=API_TOKEN_DAYS),
        )
    )
    session.flush()
    return token


@dataclass(frozen=True)
class NewWebSession:
    token: str
    csrf_token: str


def open_web_session(session: Session, staff: Staff, hours: int) -> NewWebSession:
    token = new_token()
    csrf = secrets.token_urlsafe(24)
    session.add(
        WebSession(
            token_hash=token_digest(token),
            staff_id=staff.id,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    session.flush()
    return NewWebSession(token=token, csrf_token=csrf)


def close_web_session(session: Session, token: str) -> None:
    row = session.execute(
        select(WebSession).where(WebSession.token_hash == token_digest(token))
    ).scalar_one_or_none()
    if row is not None:
        session.delete(row)


def _staff_principal(staff: Staff, source: str, via_cookie: bool) -> Principal:
    return Principal(
        kind="staff",
        id=staff.id,
        name=staff.login,
        display_name=staff.full_name,
        role=Role(staff.role),
        facility_code=staff.facility_code,
        source=source,
        cccd=staff.cccd,
        via_cookie=via_cookie,
    )


def principal_from_bearer(session: Session, token: str, source: str) -> Principal | None:
    digest = token_digest(token)
    now = utcnow()
    row = session.execute(
        select(ApiToken, Staff)
        .join(Staff, Staff.id == ApiToken.staff_id)
        .where(ApiToken.token_hash == digest)
    ).first()
    if row is not None:
        api_token, staff = row
        if api_token.revoked or api_token.expires_at < now or not staff.active:
            return None
        return _staff_principal(staff, source, via_cookie=False)
    device = session.execute(select(Device).where(Device.token_hash == digest)).scalar_one_or_none()
    if device is None or not device.active:
        return None
    return Principal(
        kind="device",
        id=device.id,
        name=device.code,
        display_name=device.name,
        role=Role(device.kind),
        facility_code=device.facility_code,
        source=source,
    )


def principal_from_session_cookie(
    session: Session, token: str, source: str
) -> tuple[Principal, str] | None:
    """The principal and the session's CSRF token, or None when expired or unknown."""
    row = session.execute(
        select(WebSession, Staff)
        .join(Staff, Staff.id == WebSession.staff_id)
        .where(WebSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    web_session, staff = row
    if web_session.expires_at < utcnow() or not staff.active:
        return None
    return _staff_principal(staff, source, via_cookie=True), web_session.csrf_token


def register_device(
    session: Session,
    *,
    facility_code: str,
    code: str,
    name: str,
    kind: str,
    location: str | None = None,
) -> tuple[Device, str]:
    """Returns the device and its token; the token is shown once and stored hashed."""
    try:
        role = Role(kind)
    except ValueError:
        role = None
    if role not in DEVICE_ROLES:
        raise DomainError(
            "device_kind",
            "Loại thiết bị phải là kiosk hoặc display_board",
            "Device kind must be kiosk or display_board",
            field="kind",
        )
    token = new_token()
    device = Device(
        facility_code=facility_code,
        code=code,
        name=name,
        kind=kind,
        location=location,
        token_hash=token_digest(token),
    )
    session.add(device)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "device_code_taken",
            f"Mã thiết bị '{code}' đã có",
            f"Device code '{code}' already exists",
            field="code",
        ) from exc
    return device, token


def set_on_duty(session: Session, device_code: str, staff_login: str) -> Device:
    device = session.execute(select(Device).where(Device.code == device_code)).scalar_one_or_none()
    if device is None:
        raise NotFound(
            "device_not_found",
            f"Không có thiết bị '{device_code}'",
            f"No device '{device_code}'",
            field="device_code",
        )
    staff = get_staff_by_login(session, staff_login)
    if staff.role not in (Role.RECEPTIONIST, Role.ADMIN) or not staff.active or not staff.cccd:
        raise DomainError(
            "duty_staff",
            "Người trực kiosk phải là nhân viên tiếp đón đang hoạt động và có số CCCD",
            "The kiosk's duty officer must be an active receptionist with a CCCD on file",
            field="staff_login",
        )
    device.on_duty_staff_id = staff.id
    return device


def set_printer(session: Session, device_code: str, target: str | None) -> Device:
    device = session.execute(select(Device).where(Device.code == device_code)).scalar_one_or_none()
    if device is None:
        raise NotFound(
            "device_not_found",
            f"Không có thiết bị '{device_code}'",
            f"No device '{device_code}'",
            field="device_code",
        )
    if target is not None and not target.startswith(("tcp://", "file:")):
        raise DomainError(
            "printer_target",
            "Địa chỉ máy in phải có dạng tcp://HOST:PORT hoặc file:/đường/dẫn",
            "Printer target must be tcp://HOST:PORT or file:/path",
            field="target",
        )
    device.printer_target = target
    return device


# The device and its officer on duty in one query (built once: smarthis/db.py says why);
# both land in the session, so the kiosk's later look-ups (its printer) cost no query.
_DEVICE_AND_OFFICER = (
    select(Device, Staff)
    .outerjoin(Staff, Staff.id == Device.on_duty_staff_id)
    .where(Device.id == bindparam("device_id"))
)


def duty_officer_for(session: Session, principal: Principal) -> Staff | None:
    """The staff member in whose name a card check is made (the portal requires one)."""
    if principal.kind == "staff":
        return session.get(Staff, principal.id)
    if principal.kind == "device":
        device = session.identity_map.get(session.identity_key(Device, principal.id))
        if device is None:
            found = session.execute(_DEVICE_AND_OFFICER, {"device_id": principal.id}).first()
            return found[1] if found is not None else None
        if device.on_duty_staff_id is not None:
            return session.get(Staff, device.on_duty_staff_id)
    return None
