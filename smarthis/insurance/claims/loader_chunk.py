"""What every claim loader reads about a chunk of encounters (visits), one query per table:
the visit and its examination, the patient, settled invoices and their lines, orders and
results, drugs given, and the staff's practising certificates.

The outpatient loader (visit_loader.py) and the inpatient one (stay_loader.py) share it;
the inpatient chunk adds the stay's own tables. Visits are read in chunks of `CHUNK`, so a
month of 24,000 visits is a few hundred queries, not a few hundred thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.clinical.examination_models import Examination, VisitDiagnosis, VitalSigns
from smarthis.clinical.models import Visit
from smarthis.insurance.claims.export import parse_month
from smarthis.insurance.claims.inputs import ClaimVisit
from smarthis.orders.models import LabResult, Order, OrderItem, Report
from smarthis.patients.models import Patient, PatientIdentifier
from smarthis.pharmacy.models import PrescriptionItem
from smarthis.pharmacy.stock_models import DispensedItem, Dispensing
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.models import Staff
from smarthis.staff.models import StaffProfile

CHUNK = 200
VERIFIED = ("verified", "verified_check_id")


@dataclass
class LoadedMonth:
    claims: list[ClaimVisit] = field(default_factory=list)
    held_back: list[dict[str, object]] = field(default_factory=list)  # visit, reasons


CertificateLookup = Callable[[Session, Sequence[str]], dict[str, str]]


def practising_certificates(session: Session, logins: Sequence[str]) -> dict[str, str]:
    """MA_BAC_SI: each staff member's practising certificate number, from staff records."""
    rows = session.execute(
        select(Staff.login, StaffProfile.certificate_number)
        .join(StaffProfile, StaffProfile.staff_id == Staff.id)
        .where(Staff.login.in_(logins), StaffProfile.certificate_number.is_not(None))
    )
    return {login: number for login, number in rows}


def month_window(month: str) -> tuple[datetime, datetime]:
    year, number = parse_month(month)
    start = datetime(year, number, 1, tzinfo=HOSPITAL_TZ)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=HOSPITAL_TZ)
    return start, end


def grouped(rows: Iterable, key: Callable) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return found


def dispensed_at(session: Session, visit_ids: Sequence[int]) -> dict[int, datetime]:
    """When each drug line (prescription item) was given by the pharmacy."""
    rows = session.execute(
        select(DispensedItem.prescription_item_id, Dispensing.dispensed_at)
        .join(Dispensing, Dispensing.id == DispensedItem.dispensing_id)
        .where(Dispensing.visit_id.in_(visit_ids))
    )
    return {item_id: at for item_id, at in rows}


SETTLED = or_(
    Invoice.status == "paid",
    and_(Invoice.status == "open", Invoice.amount_due == 0, Invoice.paid_vnd == 0),
)


@dataclass
class EncounterChunk:
    """Everything about a chunk of visits, one query per table. A visit without an
    examination (a direct emergency or referral admission) has `None` for it."""

    session: Session
    visit_ids: Sequence[int]
    certificates: CertificateLookup

    def load(self) -> None:
        self.load_tables()
        logins = {login for login in self.logins() if login}
        self.staff = {
            st.login: st
            for st in self.session.scalars(select(Staff).where(Staff.login.in_(logins)))
        }
        self.codes = self.certificates(self.session, sorted(logins))

    def load_tables(self) -> None:
        s, ids = self.session, self.visit_ids
        self.visits: dict[int, tuple[Visit, Examination | None]] = {
            v.id: (v, e)
            for v, e in s.execute(
                select(Visit, Examination)
                .outerjoin(Examination, Examination.visit_id == Visit.id)
                .where(Visit.id.in_(ids))
            )
        }
        patient_ids = {v.patient_id for v, _ in self.visits.values()}
        self.patients = {
            p.id: p for p in s.scalars(select(Patient).where(Patient.id.in_(patient_ids)))
        }
        self.cccd = {
            i.patient_id: i.value
            for i in s.scalars(
                select(PatientIdentifier).where(
                    PatientIdentifier.patient_id.in_(patient_ids), PatientIdentifier.kind == "cccd"
                )
            )
        }
        self.diagnoses = grouped(
            s.scalars(
                select(VisitDiagnosis)
                .where(VisitDiagnosis.visit_id.in_(ids))
                .order_by(VisitDiagnosis.is_main.desc(), VisitDiagnosis.position)
            ),
            lambda d: d.visit_id,
        )
        self.weights = {
            v.visit_id: v.weight_kg
            for v in s.scalars(
                select(VitalSigns)
                .where(VitalSigns.visit_id.in_(ids), VitalSigns.weight_kg.is_not(None))
                .order_by(VitalSigns.measured_at)
            )
        }  # the last weighing of each visit wins
        self.invoices = grouped(
            s.scalars(select(Invoice).where(Invoice.visit_id.in_(ids), SETTLED)),
            lambda i: i.visit_id,
        )
        invoice_ids = [i.id for rows in self.invoices.values() for i in rows]
        self.lines = list(
            s.execute(
                select(InvoiceLine, Charge)
                .join(Charge, Charge.id == InvoiceLine.charge_id)
                .where(InvoiceLine.invoice_id.in_(invoice_ids))
                .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
            )
        )
        self.active_charges = grouped(
            s.scalars(select(Charge).where(Charge.visit_id.in_(ids), Charge.status == "active")),
            lambda c: c.visit_id,
        )
        items = list(
            s.execute(
                select(OrderItem, Order)
                .join(Order, Order.id == OrderItem.order_id)
                .where(Order.visit_id.in_(ids))
            )
        )
        self.items = {item.id: (item, order) for item, order in items}
        item_ids = list(self.items)
        self.lab = grouped(
            s.scalars(
                select(LabResult)
                .where(
                    LabResult.order_item_id.in_(item_ids),
                    LabResult.superseded_by_id.is_(None),
                    LabResult.verified_at.is_not(None),
                )
                .order_by(LabResult.id)
            ),
            lambda r: r.order_item_id,
        )
        self.reports = {
            r.order_item_id: r
            for r in s.scalars(
                select(Report).where(
                    Report.order_item_id.in_(item_ids),
                    Report.superseded_by_id.is_(None),
                    Report.verified_at.is_not(None),
                )
            )
        }
        drug_ids = [c.source_id for _, c in self.lines if c.source_kind == "drug"]
        self.drugs = {
            p.id: p
            for p in s.scalars(select(PrescriptionItem).where(PrescriptionItem.id.in_(drug_ids)))
        }
        self.given = dispensed_at(s, ids)

    def logins(self) -> set[str | None]:
        """Everyone whose department or certificate a claim line may name."""
        exams = [e for _, e in self.visits.values() if e is not None]
        logins: set[str | None] = {e.concluded_by or e.started_by for e in exams}
        logins |= {o.ordered_by for _, o in self.items.values()}
        logins |= {r.entered_by for rows in self.lab.values() for r in rows}
        logins |= {r.verified_by for rows in self.lab.values() for r in rows if r.verified_by}
        logins |= {r.entered_by for r in self.reports.values()}
        return logins
