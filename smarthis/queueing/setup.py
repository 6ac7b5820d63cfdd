"""Configuring areas and service points (the demo and an admin use the same rules)."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smarthis.errors import Conflict, DomainError
from smarthis.queueing.models import Area, QueuePolicy, ServicePoint

POINT_KINDS = (
    "reception",
    "examination",
    "lab",
    "ultrasound",
    "xray",
    "ct",
    "mri",
    "endoscopy",
    "ecg",
    "cashier",
    "pharmacy",
    "information",
)
# Services a patient may queue for without registering a visit first.
TAKE_A_NUMBER_KINDS = ("reception", "cashier", "pharmacy", "information")

KIND_NAMES_VI = {
    "reception": "Tiếp đón",
    "examination": "Khám bệnh",
    "lab": "Lấy mẫu xét nghiệm",
    "ultrasound": "Siêu âm",
    "xray": "X-quang",
    "ct": "Chụp CT",
    "mri": "Chụp cộng hưởng từ",
    "endoscopy": "Nội soi",
    "ecg": "Điện tim",
    "cashier": "Thu ngân",
    "pharmacy": "Nhận thuốc",
    "information": "Thông tin - hỗ trợ",
}
KIND_NAMES_EN = {
    "reception": "Reception",
    "examination": "Examination",
    "lab": "Lab sampling",
    "ultrasound": "Ultrasound",
    "xray": "X-ray",
    "ct": "CT scan",
    "mri": "MRI",
    "endoscopy": "Endoscopy",
    "ecg": "ECG",
    "cashier": "Cashier",
    "pharmacy": "Pharmacy",
    "information": "Information",
}


def create_area(session: Session, facility_code: str, code: str, name: str) -> Area:
    area = Area(facility_code=facility_code, code=code, name=name)
    session.add(area)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "area_exists", f"Khu '{code}' đã có", f"Area '{code}' exists", field="code"
        ) from exc
    return area


def create_service_point(
    session: Session,
    facility_code: str,
    *,
    code: str,
    name: str,
    kind: str,
    area_code: str,
    prefix: str,
    room_label: str,
    queue_group: str | None = None,
    specialty: str | None = None,
    floor: str | None = None,
    default_service_minutes: int = 8,
) -> ServicePoint:
    if kind not in POINT_KINDS:
        raise DomainError(
            "point_kind",
            "Loại phòng/quầy không hợp lệ",
            f"kind must be one of {', '.join(POINT_KINDS)}",
            field="kind",
        )
    if not re.fullmatch(r"[A-Z]{1,3}", prefix):
        raise DomainError(
            "point_prefix",
            "Tiền tố số thứ tự gồm 1–3 chữ in hoa",
            "The number prefix is 1-3 capital letters",
            field="prefix",
        )
    point = ServicePoint(
        facility_code=facility_code,
        code=code,
        name=name,
        kind=kind,
        specialty=specialty,
        area_code=area_code,
        queue_group=queue_group or code,
        prefix=prefix,
        room_label=room_label,
        floor=floor,
        default_service_minutes=default_service_minutes,
        active=True,
        priority_streak=0,
    )
    session.add(point)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "point_exists", f"Phòng '{code}' đã có", f"Service point '{code}' exists", field="code"
        ) from exc
    return point


def set_policy(
    session: Session,
    facility_code: str,
    *,
    priority_calls_per_normal: int | None = None,
    skip_back_after_minutes: int | None = None,
    max_skips: int | None = None,
) -> QueuePolicy:
    """Change the facility's queue policy; unchanged values keep their current setting."""
    policy = session.get(QueuePolicy, facility_code)
    if policy is None:
        policy = QueuePolicy(
            facility_code=facility_code,
            priority_calls_per_normal=2,
            skip_back_after_minutes=5,
            max_skips=2,
        )
        session.add(policy)
    for name, value, low, high in (
        ("priority_calls_per_normal", priority_calls_per_normal, 1, 20),
        ("skip_back_after_minutes", skip_back_after_minutes, 0, 240),
        ("max_skips", max_skips, 0, 10),
    ):
        if value is None:
            continue
        if not low <= value <= high:
            raise DomainError(
                "queue_policy",
                f"{name} phải trong khoảng {low}–{high}",
                f"{name} must be between {low} and {high}",
                field=name,
            )
        setattr(policy, name, value)
    session.flush()
    return policy
