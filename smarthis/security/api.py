"""JSON routes: tokens, the caller's profile, staff and devices, the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from smarthis.db import MAX_ID, Database
from smarthis.security import audit, service
from smarthis.security.deps import database, require
from smarthis.security.models import AuditEntry, Device
from smarthis.security.permissions import ROLE_PERMISSIONS, Permission
from smarthis.security.principal import Principal
from smarthis.security.schemas import (
    AuditEntryOut,
    AuditVerifyOut,
    DeviceCreate,
    DeviceCreated,
    DeviceOut,
    DutyRequest,
    Me,
    StaffCreate,
    StaffOut,
    TokenRequest,
    TokenResponse,
)

router = APIRouter(prefix="/api", tags=["security"])


@router.post("/auth/token", dependencies=[Depends(require(Permission.PUBLIC))])
def take_token(body: TokenRequest, db: Database = Depends(database)) -> TokenResponse:
    with db.session() as session:
        staff = service.authenticate(session, body.login, body.password)
        token = service.issue_api_token(session, staff)
        return TokenResponse(token=token, login=staff.login, role=staff.role)


@router.get("/me")
def me(principal: Principal = Depends(require(Permission.AUTHENTICATED))) -> Me:
    return Me(
        kind=principal.kind,
        name=principal.name,
        display_name=principal.display_name,
        role=principal.role.value,
        facility_code=principal.facility_code,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[principal.role]),
    )


@router.get("/staff")
def list_staff(
    role: str | None = Query(default=None, max_length=32),
    _: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> list[StaffOut]:
    with db.session() as session:
        return [StaffOut.model_validate(s) for s in service.list_staff(session, role)]


@router.post("/staff", status_code=201)
def create_staff(
    body: StaffCreate,
    principal: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> StaffOut:
    with db.session() as session:
        staff = service.create_staff(
            session, facility_code=principal.facility_code, **body.model_dump()
        )
        return StaffOut.model_validate(staff)


@router.post("/staff/{login}/disable")
def disable_staff(
    login: str,
    _: Principal = Depends(require(Permission.STAFF_MANAGE)),
    db: Database = Depends(database),
) -> StaffOut:
    with db.session() as session:
        return StaffOut.model_validate(service.disable_staff(session, login))


@router.get("/devices")
def list_devices(
    _: Principal = Depends(require(Permission.DEVICE_MANAGE)),
    db: Database = Depends(database),
) -> list[DeviceOut]:
    with db.session() as session:
        devices = session.execute(select(Device).order_by(Device.code)).scalars()
        return [DeviceOut.model_validate(d) for d in devices]


@router.post("/devices", status_code=201)
def register_device(
    body: DeviceCreate,
    principal: Principal = Depends(require(Permission.DEVICE_MANAGE)),
    db: Database = Depends(database),
) -> DeviceCreated:
    with db.session() as session:
        device, token = service.register_device(
            session, facility_code=principal.facility_code, **body.model_dump()
        )
        return DeviceCreated(**DeviceOut.model_validate(device).model_dump(), token=token)


@router.post("/devices/{code}/duty")
def set_duty_officer(
    code: str,
    body: DutyRequest,
    _: Principal = Depends(require(Permission.DEVICE_DUTY)),
    db: Database = Depends(database),
) -> DeviceOut:
    with db.session() as session:
        return DeviceOut.model_validate(service.set_on_duty(session, code, body.staff_login))


@router.get("/audit")
def read_audit(
    patient_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    limit: int = Query(default=100, ge=1, le=1000),
    _: Principal = Depends(require(Permission.AUDIT_READ)),
    db: Database = Depends(database),
) -> list[AuditEntryOut]:
    with db.session() as session:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if patient_id is not None:
            query = query.where(AuditEntry.patient_id == patient_id)
        return [
            AuditEntryOut(
                **{k: getattr(e, k) for k in AuditEntryOut.model_fields if k != "at"},
                at=e.at.isoformat(),
            )
            for e in session.execute(query).scalars()
        ]


@router.get("/audit/verify")
def verify_audit(
    _: Principal = Depends(require(Permission.AUDIT_READ)),
    db: Database = Depends(database),
) -> AuditVerifyOut:
    with db.session() as session:
        problems = audit.verify_chain(session)
    return AuditVerifyOut(
        intact=not problems,
        problems=[{"entry_id": p.entry_id, "problem": p.problem} for p in problems],
    )
