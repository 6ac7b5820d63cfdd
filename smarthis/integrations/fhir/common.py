"""Small shapes every builder uses: references, times, codings, and the check that a
built resource is valid FHIR R4B (the fhir.resources model parses it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from smarthis.queueing.clock import HOSPITAL_TZ

Resource = dict[str, Any]


def ref(resource_type: str, resource_id: str | int, display: str | None = None) -> Resource:
    reference: Resource = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        reference["display"] = display
    return reference


def instant(moment: datetime) -> str:
    """A FHIR dateTime/instant with the hospital's offset, to the second."""
    if moment.tzinfo is None:  # stored as UTC; a driver may hand it back naive
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HOSPITAL_TZ).isoformat(timespec="seconds")


def fhir_date(day: date) -> str:
    return day.isoformat()


def coding(system: str, code: str, display: str | None = None) -> Resource:
    found: Resource = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(*codings: Resource, text: str | None = None) -> Resource:
    found: Resource = {}
    if codings:
        found["coding"] = list(codings)
    if text:
        found["text"] = text
    return found


def split_vietnamese_name(full_name: str) -> tuple[str | None, list[str]]:
    """Vietnamese names are written family name first: "Nguyễn Văn An" -> Nguyễn, [Văn, An]."""
    parts = full_name.split()
    if len(parts) < 2:
        return None, parts
    return parts[0], parts[1:]


def human_name(full_name: str) -> Resource:
    family, given = split_vietnamese_name(full_name)
    name: Resource = {"use": "official", "text": " ".join(full_name.split())}
    if family:
        name["family"] = family
    if given:
        name["given"] = given
    return name


def validated(resource: Resource) -> Resource:
    """Parse with the R4B model (required elements, types, formats) and return the resource
    as built: a builder bug fails here, before anything leaves the hospital. (The model's
    own serialisation is skipped: it costs more than the check and changes nothing.)"""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource
