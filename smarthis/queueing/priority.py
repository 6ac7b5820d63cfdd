"""Priority groups as practised in Vietnamese hospitals, and who is called next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from smarthis.errors import DomainError

# Lower rank is served first. Emergency is never held back by the anti-starvation rule.
PRIORITY_RANKS: dict[str, int] = {
    "emergency": 0,
    "returning": 1,  # back from a paraclinical room with results
    "child_under_6": 2,
    "pregnant": 2,
    "disability": 2,  # severe disability
    "elderly_75": 2,
    "revolutionary_merit": 2,  # người có công với cách mạng
}
NORMAL_RANK = 9
DECLARED_GROUPS = ("emergency", "pregnant", "disability", "revolutionary_merit")

PRIORITY_NAMES_VI: dict[str, str] = {
    "emergency": "Cấp cứu",
    "returning": "Quay lại có kết quả",
    "child_under_6": "Trẻ em dưới 6 tuổi",
    "pregnant": "Phụ nữ có thai",
    "disability": "Người khuyết tật nặng",
    "elderly_75": "Người từ 75 tuổi",
    "revolutionary_merit": "Người có công với cách mạng",
}
PRIORITY_NAMES_EN: dict[str, str] = {
    "emergency": "Emergency",
    "returning": "Returning with results",
    "child_under_6": "Child under 6",
    "pregnant": "Pregnant woman",
    "disability": "Severe disability",
    "elderly_75": "Aged 75 or over",
    "revolutionary_merit": "Person with revolutionary merit",
}


def age_on(birth: date, day: date) -> int:
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


def priority_for(
    declared: str | None,
    date_of_birth: date | None,
    birth_year: int | None,
    today: date,
) -> str | None:
    """The patient's priority group: a declared one wins; otherwise age decides."""
    if declared is not None:
        if declared not in DECLARED_GROUPS:
            raise DomainError(
                "priority_group",
                "Nhóm ưu tiên khai báo không hợp lệ",
                f"Declared priority must be one of {', '.join(DECLARED_GROUPS)}",
                field="priority",
            )
        return declared
    if date_of_birth is not None:
        age = age_on(date_of_birth, today)
    elif birth_year is not None:
        age = today.year - birth_year
    else:
        return None
    if age < 6:
        return "child_under_6"
    if age >= 75:
        return "elderly_75"
    return None


def rank_of(group: str | None) -> int:
    return PRIORITY_RANKS.get(group, NORMAL_RANK) if group else NORMAL_RANK


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    rank: int


def choose_next(
    candidates: list[Candidate], priority_streak: int, priority_calls_per_normal: int
) -> Candidate | None:
    """`candidates` in queue order (rank, then arrival). Priority tickets go first, but after
    `priority_calls_per_normal` priority calls in a row a waiting normal ticket is called,
    so normal tickets never starve. Emergencies always go first."""
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c.rank)  # min keeps the earliest of equal rank
    if best.rank == PRIORITY_RANKS["emergency"] or best.rank == NORMAL_RANK:
        return best
    if priority_streak >= priority_calls_per_normal:
        normal = next((c for c in candidates if c.rank == NORMAL_RANK), None)
        if normal is not None:
            return normal
    return best
