"""The lab order message: OML^O21 (v2.5 laboratory order) or ORM^O01 (what older LIS take).

One ORC/OBR pair per ordered lab test: each test is an order of its own for the LIS
(placer order number = our order item id), and the order sheet is their placer group
(ORC-4), so the LIS can show the sheet together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from smarthis.catalogs.service_catalog import find_service
from smarthis.integrations.hl7.encoding import components, escape, message, msh, segment, timestamp

ORDER_MESSAGE_TYPES = {"OML_O21": "OML^O21^OML_O21", "ORM_O01": "ORM^O01^ORM_O01"}
# ORC-1 (HL7 table 0119): NW a new order; XO a change to it — sent when the sample is taken,
# so the LIS learns the tube's accession number (OBR-18) before the tube reaches the lab.
NEW_ORDER = "NW"
CHANGE_ORDER = "XO"
# OBR-4's coding systems: our own code (HL7 "L" = local) and the Ministry of Health's
# national technical-service code (Thông tư 23/2024/TT-BYT list), where the service has one.
LOCAL_CODING_SYSTEM = "L"
NATIONAL_CODING_SYSTEM = "BYT"
SEX_CODES = {"male": "M", "female": "F"}


@dataclass(frozen=True)
class Endpoints:
    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str


@dataclass(frozen=True)
class PatientPart:
    mrn: str
    full_name: str
    date_of_birth: date | None
    birth_year: int | None
    sex: str | None


@dataclass(frozen=True)
class TestPart:
    item_id: int
    service_code: str
    service_name: str
    accession_number: str | None


@dataclass(frozen=True)
class LabOrder:
    order_id: int
    ordered_by: str
    ordered_at: datetime
    visit_number: str
    emergency: bool
    patient: PatientPart
    tests: Sequence[TestPart]


def order_message_type(setting: str) -> str:
    try:
        return ORDER_MESSAGE_TYPES[setting.upper()]
    except KeyError:
        raise ValueError(
            f"lis_order_message must be one of {', '.join(ORDER_MESSAGE_TYPES)}, not {setting!r}"
        ) from None


def person_name(full_name: str) -> str:
    """XPN from a Vietnamese name: family name first, given name last, the rest middle
    ("Nguyễn Văn An" -> Nguyễn^An^Văn)."""
    words = full_name.split()
    if len(words) == 1:
        return components(words[0])
    return components(words[0], words[-1], " ".join(words[1:-1]))


def _birth(patient: PatientPart) -> str:
    if patient.date_of_birth is not None:
        return patient.date_of_birth.strftime("%Y%m%d")
    return str(patient.birth_year) if patient.birth_year else ""


def _pid(patient: PatientPart, endpoints: Endpoints) -> str:
    return segment(
        "PID",
        [
            "1",
            "",
            components(patient.mrn, "", "", endpoints.sending_application, "MR"),
            "",
            person_name(patient.full_name),
            "",
            _birth(patient),
            SEX_CODES.get(patient.sex or "", "U"),
        ],
    )


def _pv1(order: LabOrder) -> str:
    fields = [""] * 19
    fields[0] = "1"
    fields[1] = "E" if order.emergency else "O"  # PV1-2 patient class
    fields[18] = escape(order.visit_number)  # PV1-19 visit number
    return segment("PV1", fields)


def placer_number(item_id: int, endpoints: Endpoints) -> str:
    return components(str(item_id), endpoints.sending_application)


def _orc(order: LabOrder, test: TestPart, endpoints: Endpoints, control: str) -> str:
    fields = [""] * 12
    fields[0] = control
    fields[1] = placer_number(test.item_id, endpoints)  # ORC-2
    fields[3] = components(str(order.order_id), endpoints.sending_application)  # ORC-4
    fields[8] = timestamp(order.ordered_at)  # ORC-9
    fields[11] = components(order.ordered_by)  # ORC-12 ordering provider (login)
    return segment("ORC", fields)


def _priority(order: LabOrder) -> tuple[str, str]:
    # HL7 table 0485: S = stat (emergency visits), R = routine.
    return ("S", "Khẩn") if order.emergency else ("R", "Thường quy")


def _tq1(order: LabOrder, set_id: int) -> str:
    code, text = _priority(order)
    fields = [""] * 9
    fields[0] = str(set_id)
    fields[8] = components(code, text, "HL70485")  # TQ1-9 priority
    return segment("TQ1", fields)


def universal_service_id(test: TestPart) -> str:
    national = find_service(test.service_code).national_code
    return components(
        test.service_code,
        test.service_name,
        LOCAL_CODING_SYSTEM,
        national or "",
        test.service_name if national else "",
        NATIONAL_CODING_SYSTEM if national else "",
    )


def _obr(order: LabOrder, test: TestPart, set_id: int, endpoints: Endpoints, orm: bool) -> str:
    fields = [""] * 27
    fields[0] = str(set_id)
    fields[1] = placer_number(test.item_id, endpoints)  # OBR-2
    fields[3] = universal_service_id(test)  # OBR-4
    fields[6] = timestamp(order.ordered_at)  # OBR-7
    fields[15] = components(order.ordered_by)  # OBR-16 ordering provider
    fields[17] = escape(test.accession_number or "")  # OBR-18: our specimen's accession
    if orm:
        # ORM^O01 has no TQ1: the priority rides in OBR-27 (TQ component 6).
        fields[26] = "^^^^^" + _priority(order)[0]
    return segment("OBR", fields)


def build_order_message(
    order: LabOrder,
    endpoints: Endpoints,
    control_id: str,
    at: datetime,
    kind: str,
    order_control: str = NEW_ORDER,
) -> str:
    message_type = order_message_type(kind)
    orm = message_type.startswith("ORM")
    segments = [
        msh(
            sending_application=endpoints.sending_application,
            sending_facility=endpoints.sending_facility,
            receiving_application=endpoints.receiving_application,
            receiving_facility=endpoints.receiving_facility,
            at=at,
            message_type=message_type,
            control_id=control_id,
        ),
        _pid(order.patient, endpoints),
        _pv1(order),
    ]
    for set_id, test in enumerate(order.tests, start=1):
        segments.append(_orc(order, test, endpoints, order_control))
        if not orm:
            segments.append(_tq1(order, 1))
        segments.append(_obr(order, test, set_id, endpoints, orm))
    return message(segments)
