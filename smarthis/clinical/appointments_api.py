"""The day's follow-up appointments of an examination room, for its doctor's workstation."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from smarthis.clinical.appointments import follow_ups_on
from smarthis.db import Database
from smarthis.errors import DomainError
from smarthis.queueing import service as queue
from smarthis.queueing.clock import service_day
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/appointments", tags=["appointments"])

# Follow-ups are booked weeks ahead and looked back on for a while; further is a typo.
DAYS_AROUND_TODAY = 366


class FollowUpOut(BaseModel):
    patient_id: int
    mrn: str
    full_name: str
    date_of_birth: date | None
    birth_year: int | None
    booked_on: date
    booked_by: str | None
    main_diagnosis: str | None
    arrived_visit_number: str | None


class FollowUpsOut(BaseModel):
    point_code: str
    specialty: str
    day: date
    follow_ups: list[FollowUpOut]


@router.get("/follow-ups")
def follow_ups(
    point: str = Query(min_length=1, max_length=32, description="the examination room's code"),
    day: date | None = Query(default=None, description="the hospital day; today by default"),
    principal: Principal = Depends(require(Permission.VISIT_READ)),
    db: Database = Depends(database),
) -> FollowUpsOut:
    """Patients asked back on the day in the room's specialty, and whether they have come."""
    today = service_day()
    day = day or today
    if abs((day - today).days) > DAYS_AROUND_TODAY:
        raise DomainError(
            "day_out_of_range",
            f"Ngày {day:%d/%m/%Y} quá xa hôm nay (tối đa {DAYS_AROUND_TODAY} ngày)",
            f"{day} is too far from today (at most {DAYS_AROUND_TODAY} days)",
            field="day",
        )
    with db.session() as session:
        room = queue.get_point(session, principal.facility_code, point)
        if room.kind != "examination" or not room.specialty:
            raise DomainError(
                "not_an_examination_room",
                f"'{room.name}' không phải phòng khám có chuyên khoa",
                f"'{room.name}' is not an examination room with a specialty",
                field="point",
            )
        booked = follow_ups_on(session, principal, room.specialty, day)
        return FollowUpsOut(
            point_code=room.code,
            specialty=room.specialty,
            day=day,
            follow_ups=[FollowUpOut(**b.__dict__) for b in booked],
        )
