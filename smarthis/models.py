"""Every table, imported in one place so Alembic and tests see the whole schema."""

from smarthis.billing.models import Charge, Invoice, InvoiceLine, Payment, Refund
from smarthis.clinical.examination_models import Examination, VisitDiagnosis, VisitStep, VitalSigns
from smarthis.clinical.models import Visit
from smarthis.consultations.models import (
    Consultation,
    ConsultationParticipant,
    ConsultationSharedItem,
)
from smarthis.counters import Counter
from smarthis.db import Base
from smarthis.documents.models import (  # noqa: F401 - registers the document registry
    Document,
    DocumentSignature,
)
from smarthis.facility.models import Department, Room
from smarthis.inpatient.charge_models import BedDay, SupplyUse  # noqa: F401 - bed days, supplies
from smarthis.inpatient.models import (  # noqa: F401 - registers the inpatient tables
    Bed,
    BedMovement,
    MedicationAdministration,
    NursingNote,
    ProgressNote,
    Stay,
    StayVitals,
    Ward,
)
from smarthis.insurance.claims.models import ClaimSubmission
from smarthis.insurance.models import CardCheckCache
from smarthis.integrations.dicom.models import (
    DicomEvent,
    ImagingProcedure,
    ImagingStudy,
    PacsCursor,
)
from smarthis.integrations.hl7.models import Hl7InboundMessage, LisOrderLink
from smarthis.integrations.outbox import OutboxMessage
from smarthis.orders.models import LabResult, Order, OrderItem, Report, Specimen
from smarthis.patients.models import Patient, PatientDemographicsVersion, PatientIdentifier
from smarthis.pharmacy.models import Prescription, PrescriptionItem
from smarthis.pharmacy.stock_models import DispensedItem, Dispensing, DrugLot
from smarthis.queueing.models import (
    Announcement,
    Area,
    QueueEvent,
    QueuePolicy,
    ServicePoint,
    Ticket,
)
from smarthis.security.models import ApiToken, AuditEntry, AuditHead, Device, Staff, WebSession
from smarthis.staff.models import ScheduleEntry, StaffProfile

__all__ = [
    "Consultation",
    "ConsultationParticipant",
    "ConsultationSharedItem",
    "Charge",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "Refund",
    "LabResult",
    "Order",
    "OrderItem",
    "Report",
    "Specimen",
    "Announcement",
    "Area",
    "QueueEvent",
    "QueuePolicy",
    "ServicePoint",
    "Ticket",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "CardCheckCache",
    "ClaimSubmission",
    "Hl7InboundMessage",
    "LisOrderLink",
    "OutboxMessage",
    "DicomEvent",
    "ImagingProcedure",
    "ImagingStudy",
    "PacsCursor",
    "Counter",
    "Department",
    "Device",
    "Examination",
    "Patient",
    "PatientDemographicsVersion",
    "PatientIdentifier",
    "DispensedItem",
    "Dispensing",
    "DrugLot",
    "Prescription",
    "PrescriptionItem",
    "Room",
    "ScheduleEntry",
    "StaffProfile",
    "Staff",
    "Visit",
    "VisitDiagnosis",
    "VisitStep",
    "VitalSigns",
    "WebSession",
]
