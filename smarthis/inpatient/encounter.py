"""The encounter (lượt điều trị) a stay is billed and claimed on.

An admission from outpatients keeps the visit it came from: the examination, its orders and
drugs belong to the same treatment episode and the same claim. A direct admission
(emergency, referral) opens a visit of its own in the admission's transaction, registered
the way reception registers one: the patient's card, the duty officer in whose name the
portal is asked, the category proposed from how the patient came (2 emergency, 1.3 referral,
1.1 at the card's own facility once the portal says so)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.clinical.service import VisitRequest, new_visit
from smarthis.insurance.copay.loader import load_rules
from smarthis.patients.models import Patient
from smarthis.security.principal import Principal

ARRIVAL_MODE_BY_SOURCE = {"emergency": "emergency", "referral": "referral"}
ENCOUNTER_STATUS = "admitted"


def open_encounter(session: Session, actor: Principal, patient: Patient, source: str) -> Visit:
    """The visit of a direct admission; its card check runs after commit (API layer)."""
    request = VisitRequest(
        patient_id=patient.id,
        arrival_mode=ARRIVAL_MODE_BY_SOURCE[source],
        use_insurance=patient.bhyt_code is not None,
    )
    visit = new_visit(session, actor, request, None)
    visit.status = ENCOUNTER_STATUS
    return visit


def inpatient_category(category: str | None) -> str | None:
    """The category an admitted visit is billed with: its inpatient counterpart in the
    rules data when it has no inpatient share of its own (self-referred outpatients, e.g.
    1.18 -> 3.2); None: nothing to change."""
    own = load_rules().category(category) if category else None
    if own is None or own.inpatient_counterpart is None:
        return None
    if any(p.inpatient is not None for p in own.route_shares):
        return None
    return own.inpatient_counterpart


def carry_category_into_stay(visit: Visit, actor: Principal) -> str | None:
    """An outpatient visit admitted: its self-referred outpatient category becomes the
    inpatient one (the bill and the claim read `confirmed_category`). Returns the new one."""
    current = visit.confirmed_category or visit.proposed_category
    changed = inpatient_category(current)
    if changed is not None:
        visit.confirmed_category = changed
        visit.category_confirmed_by = actor.name
    return changed
