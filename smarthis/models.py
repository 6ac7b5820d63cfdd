"""Every table, imported in one place so Alembic and tests see the whole schema."""

from smarthis.clinical.models import Visit
from smarthis.counters import Counter
from smarthis.db import Base
from smarthis.facility.models import Department, Room
from smarthis.insurance.models import CardCheckCache
from smarthis.patients.models import Patient, PatientDemographicsVersion, PatientIdentifier
from smarthis.queueing.models import (
    Announcement,
    Area,
    QueueEvent,
    QueuePolicy,
    ServicePoint,
    Ticket,
)
from smarthis.security.models import ApiToken, AuditEntry, AuditHead, Device, Staff, WebSession

__all__ = [
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
    "Counter",
    "Department",
    "Device",
    "Patient",
    "PatientDemographicsVersion",
    "PatientIdentifier",
    "Room",
    "Staff",
    "Visit",
    "WebSession",
]
