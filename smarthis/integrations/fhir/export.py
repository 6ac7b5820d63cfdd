"""A visit's FHIR document, as the EMR export sends it and the /fhir API serves it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from smarthis.clinical.models import Visit
from smarthis.config import Settings
from smarthis.db import utcnow
from smarthis.integrations.fhir.bundle import document_bundle
from smarthis.integrations.fhir.common import Resource
from smarthis.integrations.fhir.document import (
    document_identifier_system,
    visit_resources,
)
from smarthis.integrations.fhir.visit_data import Facility, load_visit


def facility_of(settings: Settings) -> Facility:
    return Facility(code=settings.facility_code, name=settings.facility_name)


def visit_document(
    session: Session, visit: Visit, facility: Facility, *, timestamp: datetime | None = None
) -> Resource:
    """The visit's record as a FHIR `document` Bundle (validated, references resolved)."""
    resources = visit_resources(load_visit(session, visit), facility)
    return document_bundle(
        resources,
        facility_code=visit.facility_code,
        identifier_system=document_identifier_system(visit.facility_code),
        identifier_value=visit.visit_number,
        timestamp=timestamp or utcnow(),
    )
