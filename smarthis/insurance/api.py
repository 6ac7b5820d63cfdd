"""JSON route for a card check asked directly (cashier's or receptionist's question)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.insurance.card_check import check_card
from smarthis.insurance.portal_client import CardCheckRequest, PortalUnavailable
from smarthis.security import audit
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal
from smarthis.security.service import duty_officer_for

router = APIRouter(prefix="/api/insurance", tags=["insurance"])


class CardCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bhyt_code: str = Field(min_length=1, max_length=30)
    full_name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None
    year_of_birth: int | None = Field(default=None, ge=1900, le=2200)


class CardCheckOut(BaseModel):
    result_code: str
    message: str
    message_en: str
    action: str
    instruction: str
    verified: bool
    from_cache: bool
    card_code_to_use: str | None
    valid_to: date | None
    registered_facility_code: str | None
    five_years_from: date | None
    raw: dict[str, Any]


def _check(db: Database, principal: Principal, portal: Any, settings: Any, body: CardCheckIn):
    with db.session() as session:
        officer = duty_officer_for(session, principal)
    if officer is None or not officer.cccd:
        raise DomainError(
            "card_check_no_officer",
            "Cổng BHXH yêu cầu họ tên và CCCD của cán bộ tra cứu: tài khoản này chưa có CCCD",
            "The portal requires the looking-up officer's name and CCCD; none on file",
            field="staff_cccd",
        )
    request = CardCheckRequest(
        card_code=body.bhyt_code,
        full_name=body.full_name,
        staff_name=officer.full_name,
        staff_cccd=officer.cccd,
        date_of_birth=body.date_of_birth,
        year_of_birth=body.year_of_birth,
    )
    answer, from_cache = check_card(
        db, portal, principal.facility_code, request, settings.bhxh_cache_seconds
    )
    with db.session() as session:
        audit.record(
            session,
            principal,
            "insurance.card_check",
            detail={"card": request.card_code, "result": answer.code},
        )
    return answer, from_cache


@router.post("/card-check")
async def card_check(
    body: CardCheckIn,
    request: Request,
    principal: Principal = Depends(require(Permission.INSURANCE_CHECK)),
    db: Database = Depends(database),
) -> CardCheckOut:
    state = request.app.state
    try:
        answer, from_cache = await run_in_threadpool(
            _check, db, principal, state.portal, state.settings, body
        )
    except PortalUnavailable as exc:
        raise HTTPException(
            503,
            detail={
                "code": "portal_unavailable",
                "message": "Cổng BHXH không phản hồi, hãy tiếp nhận và kiểm tra lại sau",
                "message_en": f"The insurance portal did not answer ({exc})",
            },
        ) from exc
    result = answer.result
    return CardCheckOut(
        result_code=result.code,
        message=result.message_vi,
        message_en=result.message_en,
        action=result.action.value,
        instruction=result.instruction_vi,
        verified=result.verified,
        from_cache=from_cache,
        card_code_to_use=answer.card_code_to_use,
        valid_to=answer.valid_to,
        registered_facility_code=answer.registered_facility_code,
        five_years_from=answer.five_years_from,
        raw=answer.raw,
    )
