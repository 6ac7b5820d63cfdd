"""Inpatient claims made from the database (episodes: stays.py): the month's export holds
ONE claim for an admitted visit, with MA_LOAI_KCB 03, the bed days (MA_GIUONG), the supply
(MA_VAT_TU) and the course (XML5), and the claims portal simulator accepts it; a direct
day-care admission is claimed as 04; a stay not discharged is held back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from smarthis.billing.models import Charge, Invoice, InvoiceLine
from smarthis.cli import app
from smarthis.config import Settings, get_settings
from smarthis.db import Database
from smarthis.demo.loader import load_demo
from smarthis.inpatient.models import Bed
from smarthis.insurance.claims import stay_loader, visit_loader
from smarthis.insurance.claims.batch import (
    export_month_from_db,
    kind_counts,
    month_claims,
    queue_month,
    submissions_of_month,
)
from smarthis.insurance.claims.claim import build_claim
from smarthis.insurance.claims.stay_chunk import claim_bed_codes
from smarthis.insurance.claims.submissions import deliver_due
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.conftest import FACILITY, empty_all_tables
from tests.insurance.claims.conftest import ClaimsSimulator
from tests.insurance.claims.stays import NOTES, WARD_DOSES, Episode, make_episode


@pytest.fixture(scope="module")
def episode(
    _shared_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Episode]:
    db = _shared_database
    empty_all_tables(db)
    settings = Settings(
        database_url=db.url, facility_code=FACILITY, data_dir=tmp_path_factory.mktemp("stays")
    )
    load_demo(db, settings)
    yield make_episode(db, settings)
    empty_all_tables(db)


def _claims_of_month(episode: Episode) -> tuple[list, list[dict[str, object]]]:
    held: list[dict[str, object]] = []
    return list(month_claims(episode.db, FACILITY, episode.month, held)), held


def test_the_stay_is_one_inpatient_claim_of_the_visit(episode: Episode) -> None:
    claims, held = _claims_of_month(episode)
    mine = [c for c in claims if c.visit_id == episode.visit_id]
    assert len(mine) == 1  # not also claimed as an examination ("01")
    claim = mine[0]
    assert (claim.visit_kind, claim.record_number) == ("03", episode.stay_number)
    assert claim.inpatient_from and claim.admitted_at <= claim.inpatient_from
    assert claim.inpatient_reason == "Hoá trị đợt 3"
    assert claim.main_icd10 == "C349" and claim.other_icd10 == ("K297",)
    assert (claim.treatment_result, claim.discharge_type) == (2, 1)
    assert claim.department_codes == ("KNOI", "KNGOAI")  # in order, the discharging last
    built = build_claim(claim)
    assert built.issues() == []
    summary = built.tables["XML1"][0]
    assert summary["MA_LOAI_KCB"] == "03" and summary["SO_NGAY_DTRI"] == "3"
    assert summary["MA_KHOA"] == "KNOI;KNGOAI"
    assert Decimal(summary["T_BHTT"]) == Decimal(summary["T_TONGCHI_BH"]) - Decimal(
        summary["T_BNCCT"]
    )
    # The course is the progress notes, each signed by its writer's certificate; the
    # consultation's conclusion goes with the note written after it.
    course = built.tables["XML5"]
    assert len(course) == len(NOTES)
    assert course[0]["DIEN_BIEN_LS"] == "S: Mệt, ăn kém; O: M 82, HA 120/70; A: Ổn định"
    assert all(entry["NGUOI_THUC_HIEN"] for entry in course)
    assert [bool(entry.get("HOI_CHAN")) for entry in course] == [False, False, True]
    assert "Giữ phác đồ" in course[2]["HOI_CHAN"]
    lines = built.tables["XML3"]
    beds = [line for line in lines if line["MA_NHOM"] == "15"]
    # Bed NOI-101-1 as table 3 codes it: H + its number among the department's beds.
    with episode.db.session() as s:
        bed_id = s.scalars(select(Bed.id).where(Bed.code == "NOI-101-1")).one()
        expected = claim_bed_codes(s, {"KNOI"})[bed_id]
    assert re.fullmatch(r"H\d{3}", expected)
    assert len(beds) >= 2 and all(line["MA_GIUONG"] == expected for line in beds)
    assert all(line["MA_KHOA"] == "KNOI" for line in beds)
    supplies = {line["MA_NHOM"]: line for line in lines if line.get("MA_VAT_TU")}
    assert set(supplies) == {"10", "11"}
    assert all(line["TEN_VAT_TU"] and not line.get("MA_DICH_VU") for line in supplies.values())
    assert supplies["10"]["TT_THAU"] == "126/QĐ-BVUB;G2;N1;2026"  # group 10 needs its tender
    # The fund's money is the invoices' own split, every invoice of the episode.
    with episode.db.session() as s:
        paid = s.scalars(
            select(InvoiceLine.fund_pays)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.visit_id == episode.visit_id, Invoice.status == "paid")
        ).all()
    assert claim.totals.fund_pays == Decimal(sum(paid)) > 0


def test_doses_given_on_the_ward_are_xml2_drug_lines(episode: Episode) -> None:
    claims, _ = _claims_of_month(episode)
    claim = next(c for c in claims if c.visit_id == episode.visit_id)
    built = build_claim(claim)
    assert built.issues() == []
    given = {d.drug_code: d for d in WARD_DOSES if d.status == "given" and d.drug_code}
    lines = {line["MA_THUOC"]: line for line in built.tables["XML2"]}
    assert set(lines) == set(given)  # not the held dose, not the patient's own drug
    para = lines["T-PARA500"]
    assert (para["TEN_THUOC"], para["HAM_LUONG"], para["DUONG_DUNG"]) == (
        "Panadol",
        "500 mg",
        "1.01",
    )
    assert para["LIEU_DUNG"] == "2 viên lúc 8 giờ" and Decimal(para["SO_LUONG"]) == 2
    assert lines["T-IBU400"]["LIEU_DUNG"] == "1 viên"  # the quantity and unit when no dose text
    assert Decimal(para["DON_GIA"]) == 1000 and para["TT_THAU"] == "125/QĐ-BVUB;G1;N4;2026"
    assert all(line["MA_KHOA"] == "KNOI" and line["MA_BAC_SI"] for line in lines.values())
    assert all(line["NGAY_YL"] == line["NGAY_TH_YL"] for line in lines.values())
    with episode.db.session() as s:
        charged = s.scalars(
            select(Charge).where(
                Charge.visit_id == episode.visit_id, Charge.source_kind == "ward_drug"
            )
        ).all()
        paid = s.scalars(
            select(InvoiceLine.fund_pays)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .join(Charge, Charge.id == InvoiceLine.charge_id)
            .where(Charge.source_kind == "ward_drug", Invoice.status == "paid")
        ).all()
    assert sorted(c.item_code for c in charged) == sorted(given)
    fund = sum(Decimal(line["T_BHTT"]) for line in lines.values())
    assert fund == Decimal(sum(paid)) > 0  # the invoices' split, line for line


def test_a_stay_not_discharged_is_held_back(episode: Episode) -> None:
    claims, held = _claims_of_month(episode)
    numbers = {c.claim_code for c in claims}
    assert episode.open_visit_number not in numbers  # neither as 03 nor as 01
    waiting = [h for h in held if h["visit"] == episode.open_visit_number]
    assert len(waiting) == 1 and waiting[0]["reasons"] == ["chưa ra viện"]
    with episode.db.session() as s:  # the outpatient loader leaves both stays' visits alone
        outpatient = visit_loader.concluded_insured_visits(s, FACILITY, episode.month)
    assert episode.visit_id not in outpatient


def test_a_note_writer_without_certificate_holds_the_stay_back(episode: Episode) -> None:
    with episode.db.session() as s:
        loaded = stay_loader.load_stays(s, [episode.visit_id], lambda _s, _logins: {})
    assert loaded.claims == []
    assert any("chứng chỉ hành nghề" in r for r in loaded.held_back[0]["reasons"])


def test_export_and_the_portal_accept_the_inpatient_claim(
    episode: Episode, claims_simulator: ClaimsSimulator, tmp_path
) -> None:
    summary = export_month_from_db(episode.db, FACILITY, episode.month, tmp_path)
    assert summary.invalid == 0 and summary.exported == 2  # the stay and the day care
    assert [h["visit"] for h in summary.held_back] == [episode.open_visit_number]
    queued = queue_month(episode.db, FACILITY, episode.month)
    assert queued.queued == 2 and not queued.invalid
    with claims_simulator.client() as portal:
        sent = deliver_due(episode.db, portal, limit=100)
    assert {view.status for view in sent} == {"accepted"}
    rows = submissions_of_month(episode.db, FACILITY, episode.month)
    claim_rows = {(r.visit_id, r.kind_vi, r.status) for r in rows if r.document == "claim"}
    assert claim_rows == {
        (episode.visit_id, "Nội trú", "accepted"),
        (episode.day_care_visit_id, "Nội trú ban ngày", "accepted"),
    }
    by_kind = kind_counts(episode.db, FACILITY, episode.month)
    assert by_kind["Nội trú"]["accepted"] >= 1 and by_kind["Nội trú ban ngày"]["accepted"] >= 1
    client = client_for(make_app(episode.db))
    cashier = sign_in_every_role(episode.db).headers(Role.CASHIER)
    answer = client.get("/api/claims", params={"month": episode.month}, headers=cashier).json()
    assert {s["kind_vi"] for s in answer["submissions"]} == {"Nội trú", "Nội trú ban ngày"}


def test_visit_dates_stay_in_order(episode: Episode) -> None:
    claims, _ = _claims_of_month(episode)
    claim = next(c for c in claims if c.visit_id == episode.visit_id)
    assert isinstance(claim.discharged_at, datetime)
    assert claim.admitted_at < claim.inpatient_from < claim.discharged_at  # type: ignore[operator]
    assert claim.settlement_month == claim.discharged_at.month


def test_a_direct_day_care_admission_is_claimed_as_04(episode: Episode) -> None:
    with episode.db.session() as s:
        loaded = stay_loader.load_stays(s, [episode.day_care_visit_id])
    assert not loaded.held_back
    (claim,) = loaded.claims
    assert claim.visit_kind == "04" and claim.reason_for_visit == "Tuyến dưới chuyển đến"
    assert claim.patient.weight_kg == Decimal("51.5")  # weighed on the ward
    assert claim.main_icd10 == "C509" and len(claim.course) == 1
    built = build_claim(claim)
    assert built.issues() == []
    assert built.tables["XML1"][0]["SO_NGAY_DTRI"] == "1"


def test_cli_status_of_a_month_counts_by_kind(
    episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_month(episode.db, FACILITY, episode.month)
    monkeypatch.setenv("SMARTHIS_DATABASE_URL", episode.db.url)
    monkeypatch.setenv("SMARTHIS_FACILITY_CODE", FACILITY)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["claims", "status", "--month", episode.month])
        bad = CliRunner().invoke(app, ["claims", "status", "--month", "2026-13"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    by_kind = json.loads(result.output)["by_kind"]
    assert set(by_kind) == {"Nội trú", "Nội trú ban ngày"}
    assert bad.exit_code == 2 and "--month" in bad.output


def test_an_unpaid_ward_charge_holds_the_stay_back(episode: Episode) -> None:
    with episode.db.session() as s:
        charge = s.scalars(
            select(Charge).where(
                Charge.visit_id == episode.visit_id,
                Charge.source_kind == "supply",
                Charge.cost_group == 11,
            )
        ).one()
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
        loaded = stay_loader.load_stays(s, [episode.visit_id])
        s.rollback()
    assert loaded.claims == []
    assert loaded.held_back[0]["reasons"] == ["1 khoản chi phí chưa thanh toán"]
