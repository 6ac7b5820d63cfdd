"""The one table of who may do what. Every route names exactly one permission from here."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RECEPTIONIST = "receptionist"
    DOCTOR = "doctor"
    NURSE = "nurse"
    LAB_TECHNICIAN = "lab_technician"
    IMAGING_TECHNICIAN = "imaging_technician"
    RADIOLOGIST = "radiologist"
    CASHIER = "cashier"
    PHARMACIST = "pharmacist"
    MANAGER = "manager"  # hospital director / management board: reports, schedules
    # Devices, not people: they authenticate with a device token.
    KIOSK = "kiosk"
    DISPLAY_BOARD = "display_board"


STAFF_ROLES = [r for r in Role if r not in (Role.KIOSK, Role.DISPLAY_BOARD)]
DEVICE_ROLES = [Role.KIOSK, Role.DISPLAY_BOARD]

ROLE_NAMES_VI: dict[Role, str] = {
    Role.ADMIN: "Quản trị hệ thống",
    Role.RECEPTIONIST: "Tiếp đón",
    Role.DOCTOR: "Bác sĩ",
    Role.NURSE: "Điều dưỡng",
    Role.LAB_TECHNICIAN: "Kỹ thuật viên xét nghiệm",
    Role.IMAGING_TECHNICIAN: "Kỹ thuật viên chẩn đoán hình ảnh",
    Role.RADIOLOGIST: "Bác sĩ chẩn đoán hình ảnh",
    Role.CASHIER: "Thu ngân",
    Role.PHARMACIST: "Dược sĩ",
    Role.MANAGER: "Ban giám đốc / quản lý",
    Role.KIOSK: "Kiosk tự phục vụ",
    Role.DISPLAY_BOARD: "Màn hình gọi số",
}


class Permission(StrEnum):
    PUBLIC = "public"  # no credentials: health check, login page, static files
    AUTHENTICATED = "authenticated"  # any signed-in staff member or device: own profile
    PATIENT_READ = "patient.read"
    PATIENT_SEARCH = "patient.search"
    PATIENT_REGISTER = "patient.register"  # find-or-create from an identity document
    PATIENT_UPDATE = "patient.update"
    PATIENT_MERGE = "patient.merge"
    VISIT_REGISTER = "visit.register"
    VISIT_READ = "visit.read"
    INSURANCE_CHECK = "insurance.check"
    IDENTITY_DECODE = "identity.decode"
    CATALOG_READ = "catalog.read"
    STAFF_MANAGE = "staff.manage"
    DEVICE_MANAGE = "device.manage"
    DEVICE_DUTY = "device.duty"  # set the receptionist on duty for a kiosk
    AUDIT_READ = "audit.read"
    QUEUE_ISSUE = "queue.issue"  # give a patient a queue number
    QUEUE_CALL = "queue.call"  # call, recall, skip, transfer, complete at a service point
    QUEUE_DISPLAY = "queue.display"  # read the boards' state and live stream
    QUEUE_STATS = "queue.stats"
    KIOSK_SELF_SERVICE = "kiosk.self_service"  # the patient-facing kiosk flows
    EXAMINATION_WRITE = "examination.write"  # examine, diagnose, conclude a visit
    VITALS_WRITE = "vitals.write"  # record vital signs
    ORDER_WRITE = "order.write"  # order lab tests, imaging, functional tests for a visit
    ORDER_READ = "order.read"  # what was ordered, its rooms and status (no result values)
    SPECIMEN_COLLECT = "specimen.collect"  # take a sample, print its barcode label
    # Enter lab results or write reports; which role may do which kind is a service rule
    # (lab: lab technician; imaging: radiologist; functional tests: doctor or radiologist).
    RESULT_ENTER = "result.enter"
    RESULT_VERIFY = "result.verify"  # the second person who releases a result to the patient
    RESULT_READ = "result.read"  # any clinical workstation opens a patient's results
    PRESCRIPTION_WRITE = "prescription.write"  # write and issue the visit's prescription
    # The interface monitor: HL7 traffic with the LIS (sent, acknowledged, failed, received)
    # and sending a message again by hand.
    INTERFACES_VIEW = "interfaces.view"
    INTERFACES_RESEND = "interfaces.resend"
    # Billing: see a visit's invoice and its split, take payments (cash, card, flagged
    # transfers) and the day-end report; refund and cancel with a reason (audited).
    BILLING_VIEW = "billing.view"
    BILLING_COLLECT = "billing.collect"
    BILLING_REFUND = "billing.refund"
    # XML 130 claims: see each visit's claim status with the BHXH portal; queue a month's
    # claims for sending.
    CLAIMS_VIEW = "claims.view"
    CLAIMS_SUBMIT = "claims.submit"
    # Signed clinical documents (smarthis/documents): read a patient's registry and verify
    # signatures; register a PDF or its corrected version; sign as oneself (PAdES).
    DOCUMENT_READ = "document.read"
    DOCUMENT_WRITE = "document.write"
    DOCUMENT_SIGN = "document.sign"
    # Inpatient stays: the ward's bed board and a stay's record; admitting, moving beds,
    # notes, vital signs, medication given, discharge (who may do which is a service rule).
    INPATIENT_READ = "inpatient.read"
    INPATIENT_WRITE = "inpatient.write"
    # Outpatient pharmacy: the queue of paid prescriptions and dispensing them from lots;
    # the stock itself (receive lots, see what is low or expiring).
    PHARMACY_DISPENSE = "pharmacy.dispense"
    PHARMACY_STOCK = "pharmacy.stock"
    # Management: the dashboard and work monitoring (aggregates, no patient data), and
    # planning who works in which room when (the rooms' queues follow the plan).
    REPORTS_VIEW = "reports.view"
    SCHEDULE_MANAGE = "schedule.manage"
    # The read-only FHIR API (/fhir): a patient's record as FHIR R4 resources, for
    # systems and clinicians with an API token.
    FHIR_READ = "fhir.read"


_CLINICAL_READ = {
    Permission.AUTHENTICATED,
    Permission.QUEUE_CALL,
    Permission.QUEUE_DISPLAY,
    Permission.PATIENT_READ,
    Permission.PATIENT_SEARCH,
    Permission.VISIT_READ,
    Permission.CATALOG_READ,
    Permission.IDENTITY_DECODE,
    Permission.ORDER_READ,
}
# Staff who care for the patient or produce results; not reception, not the cashier.
_RESULTS = {Permission.RESULT_READ, Permission.DOCUMENT_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(set(Permission) - {Permission.PUBLIC}),
    Role.RECEPTIONIST: frozenset(
        _CLINICAL_READ
        | {
            Permission.PATIENT_REGISTER,
            Permission.PATIENT_UPDATE,
            Permission.PATIENT_MERGE,
            Permission.VISIT_REGISTER,
            Permission.INSURANCE_CHECK,
            Permission.DEVICE_DUTY,
            Permission.QUEUE_ISSUE,
            Permission.QUEUE_STATS,
        }
    ),
    Role.DOCTOR: frozenset(
        _CLINICAL_READ
        | _RESULTS
        | {
            Permission.PATIENT_UPDATE,
            Permission.INPATIENT_READ,
            Permission.INPATIENT_WRITE,
            Permission.ORDER_WRITE,
            Permission.RESULT_ENTER,
            Permission.RESULT_VERIFY,
            Permission.EXAMINATION_WRITE,
            Permission.VITALS_WRITE,
            Permission.PRESCRIPTION_WRITE,
            Permission.DOCUMENT_WRITE,
            Permission.DOCUMENT_SIGN,
            Permission.FHIR_READ,
        }
    ),
    Role.NURSE: frozenset(
        _CLINICAL_READ
        | _RESULTS
        | {
            Permission.PATIENT_UPDATE,
            Permission.SPECIMEN_COLLECT,
            Permission.VITALS_WRITE,
            Permission.INPATIENT_READ,
            Permission.INPATIENT_WRITE,
            Permission.DOCUMENT_WRITE,
            Permission.DOCUMENT_SIGN,
        }
    ),
    Role.LAB_TECHNICIAN: frozenset(
        _CLINICAL_READ
        | _RESULTS
        | {
            Permission.SPECIMEN_COLLECT,
            Permission.RESULT_ENTER,
            Permission.RESULT_VERIFY,
            # The lab sees whether its orders reach the LIS and its results come back.
            Permission.INTERFACES_VIEW,
        }
    ),
    Role.IMAGING_TECHNICIAN: frozenset(_CLINICAL_READ | _RESULTS),
    Role.RADIOLOGIST: frozenset(
        _CLINICAL_READ | _RESULTS | {Permission.RESULT_ENTER, Permission.RESULT_VERIFY}
    ),
    Role.CASHIER: frozenset(
        _CLINICAL_READ
        | {
            Permission.INSURANCE_CHECK,
            Permission.BILLING_VIEW,
            Permission.BILLING_COLLECT,
            Permission.BILLING_REFUND,
            # The finance office prepares and sends the insurance claims.
            Permission.CLAIMS_VIEW,
            Permission.CLAIMS_SUBMIT,
        }
    ),
    Role.PHARMACIST: frozenset(
        _CLINICAL_READ | _RESULTS | {Permission.PHARMACY_DISPENSE, Permission.PHARMACY_STOCK}
    ),
    Role.MANAGER: frozenset(
        {
            Permission.AUTHENTICATED,
            Permission.REPORTS_VIEW,
            Permission.SCHEDULE_MANAGE,
            Permission.QUEUE_STATS,
        }
    ),
    # A kiosk registers the patient standing in front of it; it cannot browse or search.
    Role.KIOSK: frozenset(
        {
            Permission.AUTHENTICATED,
            Permission.KIOSK_SELF_SERVICE,
            Permission.QUEUE_ISSUE,
        }
    ),
    Role.DISPLAY_BOARD: frozenset({Permission.AUTHENTICATED, Permission.QUEUE_DISPLAY}),
}


def role_may(role: Role | str, permission: Permission) -> bool:
    if permission is Permission.PUBLIC:
        return True
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())
