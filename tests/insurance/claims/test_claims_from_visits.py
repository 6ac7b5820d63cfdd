"""Claims made from the database: `smarthis demo --days` fills past days with finished
visits through the real services (one of them admitted to a ward, and a referral taken in
for day care), the loaders turn the month's insured visits and discharged stays into XML 130
claims that validate, and the queue sends them to the portal simulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from itertools import combinations

import pytest
from sqlalchemy import func, select

from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.clinical.examination_models import Examination, VisitStep
from smarthis.clinical.models import Visit
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.demo.history import HistorySummary, fill_history
from smarthis.demo.loader import load_demo
from smarthis.inpatient.bed_day_rule import charged_days
from smarthis.inpatient.charge_models import BedDay, SupplyUse
from smarthis.inpatient.models import (
    Bed,
    BedMovement,
    NursingNote,
    ProgressNote,
    Stay,
    StayVitals,
)
from smarthis.insurance.claims import visit_loader
from smarthis.insurance.claims.batch import (
    export_month_from_db,
    month_claims,
    queue_month,
    status_counts,
)
from smarthis.insurance.claims.claim import build_claim
from smarthis.insurance.claims.submissions import deliver_due
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.audit import verify_chain
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.conftest import FACILITY, empty_all_tables
from tests.insurance.claims.conftest import ClaimsSimulator

TODAY = date(2026, 11, 5)  # a Thursday: the history fills Mon 2 - Wed 4 November
DAYS, PER_DAY = 3, 4


@dataclass
class Month:
    db: Database
    settings: Settings
    history: HistorySummary


@pytest.fixture(scope="module")
def month(_shared_database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Month]:
    empty_all_tables(_shared_database)
    settings = Settings(
        database_url=_shared_database.url,
        facility_code=FACILITY,
        data_dir=tmp_path_factory.mktemp("history-var"),
    )
    load_demo(_shared_database, settings)
    history = fill_history(
        _shared_database, settings, DAYS, visits_per_day=PER_DAY, seed=7, today=TODAY
    )
    yield Month(_shared_database, settings, history)
    empty_all_tables(_shared_database)


def test_history_fills_past_working_days_with_finished_visits(month: Month) -> None:
    assert month.history.visits == DAYS * PER_DAY
    # Every prescription given out; an admitted patient gets none to take home.
    assert month.history.dispensed == DAYS * PER_DAY - month.history.admitted
    with month.db.session() as s:
        rows = s.execute(select(Visit, Examination).join(Examination)).all()
        assert len(rows) == DAYS * PER_DAY
        admitted = set(s.scalars(select(Stay.visit_id).where(Stay.admitted_from == "outpatient")))
        assert len(admitted) == month.history.admitted
        days = set()
        for visit, exam in rows:
            registered = visit.registered_at.astimezone(HOSPITAL_TZ)
            concluded = exam.concluded_at.astimezone(HOSPITAL_TZ)
            days.add(registered.date())
            assert visit.status == "concluded"
            assert time(7) <= registered.time() and concluded.date() == registered.date()
            assert registered < exam.started_at < exam.concluded_at  # waits between steps
            if visit.id in admitted:  # the stay's bill is paid at discharge, days later
                assert exam.conclusion == "admit"
                continue
            steps = s.execute(
                select(VisitStep.step, VisitStep.at).where(VisitStep.visit_id == visit.id)
            )
            for step, at in steps:  # the journey in order, within the day
                local = at.astimezone(HOSPITAL_TZ)
                assert registered <= local and local.date() == registered.date()
                assert (local <= concluded) == (step not in ("paid", "dispensed")), step
        assert days == {date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)}
        # Every charge was paid (or needed no payment): nothing is left open to pay.
        unpaid = s.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.status == "open", Invoice.amount_due > 0)
        )
        assert unpaid == 0
        # The audit log keeps the real time the demo was written, and still verifies.
        assert s.scalar(select(func.min(AuditEntry.at))).date() > TODAY
        assert verify_chain(s) == []


def test_the_history_admits_and_discharges_stays_on_their_days(month: Month) -> None:
    assert month.history.admitted >= 1 and month.history.day_care >= 1
    with month.db.session() as s:
        stays = s.scalars(select(Stay)).all()
        assert len(stays) == month.history.admitted + month.history.day_care
        assert {stay.kind for stay in stays} == {"inpatient", "day_care"}
        for stay in stays:
            admitted, discharged = stay.admitted_at, stay.discharged_at
            assert stay.status == "discharged" and discharged is not None
            visit = s.get(Visit, stay.visit_id)
            assert visit is not None and visit.registered_at <= admitted < discharged
            first, last = (t.astimezone(HOSPITAL_TZ).date() for t in (admitted, discharged))
            nights = (last - first).days
            assert first >= date(2026, 11, 2) and last < TODAY  # over before "today"
            assert nights == 0 if stay.kind == "day_care" else 1 <= nights <= 4
            # The ward's record lies between admission and discharge.
            record = [
                *s.scalars(select(ProgressNote.written_at).where(ProgressNote.stay_id == stay.id)),
                *s.scalars(select(NursingNote.written_at).where(NursingNote.stay_id == stay.id)),
                *s.scalars(select(SupplyUse.used_at).where(SupplyUse.stay_id == stay.id)),
            ]
            weights = s.scalars(select(StayVitals).where(StayVitals.stay_id == stay.id)).all()
            record += [row.taken_at for row in weights]
            assert any(row.weight_kg for row in weights)
            assert len(record) >= 4 and all(admitted < at < discharged for at in record)
            moves = s.execute(
                select(BedMovement.kind, BedMovement.moved_at)
                .where(BedMovement.stay_id == stay.id)
                .order_by(BedMovement.moved_at)
            ).all()
            assert [tuple(m) for m in moves] == [("admit", admitted), ("discharge", discharged)]
            # Bed days counted from the true admission and discharge times, on that bed.
            bed_days = s.scalars(select(BedDay).where(BedDay.stay_id == stay.id)).all()
            expected = charged_days(
                admitted,
                discharged,
                discharged,
                day_care=stay.kind == "day_care",
                discharge_kind=stay.discharge_kind,
            )
            assert expected and sorted(b.day for b in bed_days) == expected
            assert {b.bed_id for b in bed_days} == {stay.bed_id}
            charged = s.scalars(
                select(Charge).where(Charge.source_kind == "bed_day", Charge.visit_id == visit.id)
            ).all()
            assert len(charged) == len(expected)
            assert all(
                discharged <= c.created_at < discharged + timedelta(hours=1) for c in charged
            )
        for one, other in combinations(stays, 2):  # one patient per bed at a time
            if one.bed_id == other.bed_id:
                assert (
                    one.discharged_at <= other.admitted_at or other.discharged_at <= one.admitted_at
                )
        # No past stay holds a bed: each was made ready again after its discharge.
        assert set(s.scalars(select(Bed.status))) == {"available"}


def test_the_discharged_stays_are_valid_inpatient_claims(month: Month) -> None:
    held: list[dict[str, object]] = []
    claims = [
        claim
        for claim in month_claims(month.db, FACILITY, "2026-11", held)
        if claim.visit_kind in ("03", "04")
    ]
    assert held == [] and {claim.visit_kind for claim in claims} == {"03", "04"}
    with month.db.session() as s:
        for claim in claims:
            built = build_claim(claim)
            assert built.issues() == []
            stay = s.scalars(select(Stay).where(Stay.visit_id == claim.visit_id)).one()
            days = s.scalars(select(BedDay.day).where(BedDay.stay_id == stay.id)).all()
            first, last = (
                t.astimezone(HOSPITAL_TZ).date() for t in (stay.admitted_at, stay.discharged_at)
            )
            assert built.tables["XML1"][0]["SO_NGAY_DTRI"] == str((last - first).days + 1)
            beds = [line for line in built.tables["XML3"] if line.get("MA_GIUONG")]
            assert len(beds) == len(days) and built.tables["XML5"]


def test_every_insured_visit_becomes_a_valid_claim(month: Month) -> None:
    with month.db.session() as s:
        ids = visit_loader.concluded_insured_visits(s, FACILITY, "2026-11")
        loaded = visit_loader.load_visits(s, ids)
        assert ids and len(loaded.claims) == len(ids) and not loaded.held_back
        for claim in loaded.claims:
            assert build_claim(claim).issues() == []
            paid = s.scalars(
                select(InvoiceLine.fund_pays)
                .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                .where(Invoice.visit_id == claim.visit_id, Invoice.status != "voided")
            ).all()
            assert claim.totals.fund_pays == Decimal(sum(paid))  # the money as it was split
            assert claim.drugs and claim.services and claim.results
            assert claim.patient.weight_kg is not None


def test_a_visit_missing_what_the_claim_needs_is_held_back_with_the_reason(month: Month) -> None:
    with month.db.session() as s:
        ids = visit_loader.concluded_insured_visits(s, FACILITY, "2026-11")
        loaded = visit_loader.load_visits(s, ids[:1], lambda _s, _logins: {})
    assert loaded.claims == []
    assert any("chứng chỉ hành nghề" in reason for reason in loaded.held_back[0]["reasons"])


def test_an_unpaid_charge_holds_the_visit_back(month: Month) -> None:
    with month.db.session() as s:
        visit_id = visit_loader.concluded_insured_visits(s, FACILITY, "2026-11")[0]
        charge = s.scalars(select(Charge).where(Charge.visit_id == visit_id)).first()
        extra = Charge(
            **{
                c.name: getattr(charge, c.name)
                for c in Charge.__table__.columns
                if c.name not in ("id", "source_id")
            },
            source_id=charge.source_id + 10**9,
        )
        s.add(extra)
        s.flush()
        loaded = visit_loader.load_visits(s, [visit_id])
        s.rollback()
    assert loaded.claims == []
    assert loaded.held_back[0]["reasons"] == ["1 khoản chi phí chưa thanh toán"]


def test_export_of_the_month_from_the_database(month: Month, tmp_path) -> None:
    summary = export_month_from_db(month.db, FACILITY, "2026-11", tmp_path)
    assert summary.invalid == 0 and summary.held_back == []
    assert summary.exported == month.history.insured
    assert len(list(tmp_path.glob("*.xml"))) == summary.exported
    assert export_month_from_db(month.db, FACILITY, "2026-10", tmp_path / "oct").exported == 0


def test_queued_claims_are_sent_once_and_accepted(
    month: Month, claims_simulator: ClaimsSimulator
) -> None:
    queued = queue_month(month.db, FACILITY, "2026-11")
    assert queued.queued == month.history.insured and not queued.invalid
    assert queue_month(month.db, FACILITY, "2026-11").queued == queued.queued  # no duplicates
    assert status_counts(month.db, FACILITY) == {"pending": queued.queued}
    with claims_simulator.client() as portal:
        sent = deliver_due(month.db, portal, limit=1000)
    assert len(sent) == queued.queued
    assert status_counts(month.db, FACILITY) == {"accepted": queued.queued}


def test_the_finance_office_sees_each_claims_answer(month: Month) -> None:
    client = client_for(make_app(month.db))
    creds = sign_in_every_role(month.db)
    cashier = creds.headers(Role.CASHIER)
    status = client.get("/api/claims", params={"month": "2026-11"}, headers=cashier).json()
    assert status["counts"] == {"accepted": month.history.insured}
    assert all(s["transaction_code"] and s["status_vi"] for s in status["submissions"])
    queued = client.post("/api/claims/queue", json={"month": "2026-11"}, headers=cashier)
    assert queued.status_code == 200 and queued.json()["held_back"] == []
    bad = client.get("/api/claims", params={"month": "2026-13"}, headers=cashier)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "month"
    nurse = creds.headers(Role.NURSE)
    assert client.get("/api/claims", params={"month": "2026-11"}, headers=nurse).status_code == 403
    assert client.get("/claims", headers=cashier).status_code == 200
