"""Modality Worklist identifiers (PS3.4 K.6): the matching keys read from a C-FIND request
and the answer built for one scheduled procedure, holding exactly the requested keys."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from fnmatch import fnmatchcase

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from smarthis.integrations.dicom.worklist_query import ScheduledProcedure, WorklistFilter
from smarthis.text import fold

# UTF-8 keeps Vietnamese names whole (ISO_IR 192).
CHARACTER_SET = "ISO_IR 192"
# Codes of our own service catalogue (a local coding scheme, PS3.3 8.2).
CODING_SCHEME = "99SMARTHIS"
SEX_CODES = {"male": "M", "female": "F"}
SPS = "ScheduledProcedureStepSequence"
_DATE = re.compile(r"^\d{8}$")


class BadWorklistQuery(ValueError):
    """A matching key the worklist cannot read (answered with status A900)."""


def _single(value: object) -> str | None:
    """A matching key's value; empty or a bare '*' matches everything."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text == "*":
        return None
    if "*" in text or "?" in text:
        # Wildcards on identifiers would turn an indexed lookup into a scan; modalities
        # send exact ids or none.
        raise BadWorklistQuery(f"wildcards are not supported in {text!r}")
    return text


def _day(text: str) -> date:
    if not _DATE.match(text):
        raise BadWorklistQuery(f"not a DICOM date: {text!r}")
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError as exc:
        raise BadWorklistQuery(f"not a DICOM date: {text!r}") from exc


def parse_date_range(value: object) -> tuple[date | None, date | None]:
    """DA matching (PS3.4 C.2.2.2.5): "D", "D1-D2", "-D2", "D1-"."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None, None
    if "-" not in text:
        day = _day(text)
        return day, day
    first, _, last = text.partition("-")
    try:
        return (_day(first) if first else None), (_day(last) if last else None)
    except BadWorklistQuery as exc:
        raise BadWorklistQuery(f"not a DICOM date range: {text!r}") from exc


def parse_request(identifier: Dataset) -> WorklistFilter:
    step = Dataset()
    if SPS in identifier and identifier[SPS].value:
        step = identifier[SPS].value[0]
    day_from, day_to = parse_date_range(step.get("ScheduledProcedureStepStartDate"))
    modality = _single(step.get("Modality"))
    return WorklistFilter(
        modality=modality.upper() if modality else None,
        day_from=day_from,
        day_to=day_to,
        station_ae_title=_single(step.get("ScheduledStationAETitle")),
        accession_number=_single(identifier.get("AccessionNumber")),
        patient_mrn=_single(identifier.get("PatientID")),
    )


def person_name(full_name: str) -> str:
    """Vietnamese names are family name first: "Nguyễn Văn An" -> "Nguyễn^Văn An"
    (family^given, the given part with the middle name, as Vietnamese PACS show it)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name.strip()
    return f"{parts[0]}^{' '.join(parts[1:])}"


def name_matches(request: Dataset, full_name: str) -> bool:
    """PatientName matching with DICOM wildcards (* and ?), ignoring case, diacritics and
    the ^ separators: "NGUYEN*" finds "Nguyễn^Văn An"."""
    pattern = str(request.get("PatientName") or "").strip()
    if not pattern or pattern == "*":
        return True
    wanted = fold(pattern.replace("^", " ").replace("=", " "))
    return fnmatchcase(fold(full_name), wanted.replace("[", "[[]"))


# Study Instance UIDs offered to modalities: a name-based UUID under the 2.25 root (PS3.5
# B.2), so every query about one accession number offers the same UID.
_STUDY_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_OID, "smarthis.worklist.study")


def study_uid(facility_code: str, accession_number: str) -> str:
    name = f"{facility_code}/{accession_number}"
    return f"2.25.{uuid.uuid5(_STUDY_UID_NAMESPACE, name).int}"


# An answer holds the keys the request names and nothing else (PS3.4 C.2.2.1.3: a key we do
# not hold comes back empty). Values are computed as plain data first and only the asked
# elements become pydicom elements: building whole datasets costs ~1 ms an answer.
Values = dict[str, object]


def _code(procedure: ScheduledProcedure) -> Values:
    return {
        "CodeValue": procedure.service_code[:16],
        "CodingSchemeDesignator": CODING_SCHEME,
        "CodeMeaning": procedure.service_name[:64],
    }


def _step(procedure: ScheduledProcedure) -> Values:
    return {
        "Modality": procedure.modality,
        "ScheduledStationAETitle": procedure.station_ae_title,
        "ScheduledStationName": procedure.point_code[:16],
        "ScheduledProcedureStepStartDate": procedure.scheduled_at.strftime("%Y%m%d"),
        "ScheduledProcedureStepStartTime": procedure.scheduled_at.strftime("%H%M%S"),
        "ScheduledProcedureStepID": procedure.accession_number,
        "ScheduledProcedureStepDescription": procedure.service_name[:64],
        "ScheduledPerformingPhysicianName": "",
        "ScheduledProtocolCodeSequence": _code(procedure),
    }


def answer_values(procedure: ScheduledProcedure, facility_code: str) -> Values:
    """Everything the worklist knows of one procedure (nested dicts are sequence items)."""
    sex = SEX_CODES.get(procedure.sex or "", "O" if procedure.sex else "")
    return {
        "PatientName": person_name(procedure.patient_name),
        "PatientID": procedure.patient_mrn,
        "IssuerOfPatientID": facility_code,
        "PatientBirthDate": procedure.birth_date.strftime("%Y%m%d") if procedure.birth_date else "",
        "PatientSex": sex,
        "AccessionNumber": procedure.accession_number,
        "ReferringPhysicianName": "",
        "StudyInstanceUID": study_uid(facility_code, procedure.accession_number),
        "RequestedProcedureID": procedure.accession_number,
        "RequestedProcedureDescription": procedure.service_name[:64],
        "RequestedProcedureCodeSequence": _code(procedure),
        "ScheduledProcedureStepSequence": _step(procedure),
    }


def _fill(request: Dataset, values: Values) -> Dataset:
    out = Dataset()
    for element in request:
        if element.tag == 0x00080005:  # SpecificCharacterSet: ours is set by the caller
            continue
        value = values.get(element.keyword)
        if element.VR == "SQ":
            items = []
            if isinstance(value, dict) and element.value:
                items = [_fill(element.value[0], value)]
            out.add_new(element.tag, "SQ", Sequence(items))
        else:
            out.add_new(element.tag, element.VR, None if isinstance(value, dict) else value)
    return out


def answer_for(request: Dataset, procedure: ScheduledProcedure, facility_code: str) -> Dataset:
    answer = _fill(request, answer_values(procedure, facility_code))
    answer.SpecificCharacterSet = CHARACTER_SET
    return answer
