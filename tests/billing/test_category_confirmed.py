"""The visit category proposed at reception is confirmed (or corrected) by the doctor at the
conclusion, and the bill is split by the confirmed one."""

from __future__ import annotations

import pytest

from smarthis.clinical import examination
from smarthis.clinical.models import Visit
from smarthis.db import Database
from smarthis.errors import DomainError
from tests.billing.conftest import DOCTOR, Hospital, current, prescribe, start_exam


def _conclude(db: Database, visit_id: int, category: str | None) -> None:
    with db.session() as s:
        examination.conclude(
            s, DOCTOR, visit_id, examination.ConclusionInput("home", category=category)
        )


def test_the_proposed_category_is_confirmed_when_the_doctor_says_nothing(
    hospital: Hospital,
) -> None:
    start_exam(hospital.db, hospital.visit_id)
    prescribe(hospital.db, hospital.visit_id, issue=True)
    _conclude(hospital.db, hospital.visit_id, None)
    with hospital.db.session() as s:
        visit = s.get(Visit, hospital.visit_id)
        assert (visit.proposed_category, visit.confirmed_category) == ("1.1", "1.1")
        assert visit.category_confirmed_by == DOCTOR.name


def test_a_corrected_category_is_what_the_bill_uses(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    prescribe(hospital.db, hospital.visit_id, issue=True)
    assert current(hospital.db, hospital.visit_id).category == "1.1"
    _conclude(hospital.db, hospital.visit_id, "2")  # it was an emergency after all
    with hospital.db.session() as s:
        assert s.get(Visit, hospital.visit_id).proposed_category == "1.1"  # kept as proposed
    assert current(hospital.db, hospital.visit_id).category == "2"


def test_an_unknown_category_is_refused_naming_the_field(hospital: Hospital) -> None:
    start_exam(hospital.db, hospital.visit_id)
    prescribe(hospital.db, hospital.visit_id, issue=True)
    with pytest.raises(DomainError) as refused:
        _conclude(hospital.db, hospital.visit_id, "7.7")
    assert refused.value.field == "category"
