"""Each dashboard figure on the known fortnight (tests/reports/conftest.py), to the unit."""

from __future__ import annotations

from smarthis.reports import service
from smarthis.reports.tables import p90_of
from tests.reports.conftest import D1, D2, FACILITY, Fortnight


def _tables(fortnight: Fortnight) -> dict:
    with fortnight.db.session() as s:
        return {t.key: t for t in service.dashboard(s, FACILITY, D1, D2)}


def test_visits_per_day_follow_the_hospital_calendar(fortnight: Fortnight) -> None:
    visits = _tables(fortnight)["visits"]
    assert visits.rows == [
        {"day": "2026-11-24", "visits": 3, "kiosk": 2, "reception": 1, "kiosk_share": 0.667},
        {"day": "2026-11-25", "visits": 1, "kiosk": 0, "reception": 1, "kiosk_share": 0.0},
    ]
    assert visits.summary == {"visits": 4, "kiosk": 2, "kiosk_share": 0.5}


def test_waiting_time_per_step_median_and_p90(fortnight: Fortnight) -> None:
    waits = {r["step"]: r for r in _tables(fortnight)["waits"].rows}
    figures = {
        step: (r["visits"], r["median_minutes"], r["p90_minutes"]) for step, r in waits.items()
    }
    assert figures == {
        "registered->called": (3, 20.0, 30.0),  # 10, 30 and 20 minutes
        "called->examination_started": (3, 10.0, 10.0),  # 10, 10 and 5 minutes
        "examination_started->concluded": (2, 22.5, 30.0),
        "concluded->paid": (1, 15.0, 15.0),
        "registered->concluded": (2, 52.5, 70.0),
    }


def test_p90_is_the_nearest_rank() -> None:
    assert p90_of(list(range(1, 11))) == 9
    assert p90_of([5.0]) == 5.0
    assert p90_of([]) is None


def test_revenue_per_day_counts_applied_money_less_refunds(fortnight: Fortnight) -> None:
    revenue = _tables(fortnight)["revenue"]
    assert revenue.rows == [
        {"day": "2026-11-24", "cash": 100_000, "card": 0, "vietqr": 50_000,
         "received": 150_000, "refunds": 0, "net": 150_000},
        {"day": "2026-11-25", "cash": 0, "card": 200_000, "vietqr": 0,
         "received": 200_000, "refunds": 20_000, "net": 180_000},
    ]  # fmt: skip
    assert revenue.summary == {"net": 330_000, "received": 350_000}


def test_claims_status_counts(fortnight: Fortnight) -> None:
    claims = _tables(fortnight)["claims"]
    counts = {(r["document"], r["status"]): r["count"] for r in claims.rows if r["count"]}
    assert counts == {("claim", "accepted"): 2, ("claim", "rejected"): 1, ("checkin", "pending"): 1}
    assert len(claims.rows) == 8  # every status shown, zeros included


def test_bed_occupancy_now_and_over_the_range(fortnight: Fortnight) -> None:
    beds = _tables(fortnight)["beds"]
    assert beds.available
    # 2 + 0.5 bed-days used of 3 usable beds x 2 days; the out-of-service bed not counted.
    assert beds.rows == [
        {"ward": "Nội 1", "beds": 3, "occupied": 2, "occupancy": 0.667,
         "bed_days": 2.5, "range_occupancy": 0.417},
    ]  # fmt: skip
    assert (beds.summary["occupancy"], beds.summary["range_occupancy"]) == (0.667, 0.417)


def test_documents_signed_late_per_author(fortnight: Fortnight) -> None:
    tables = _tables(fortnight)
    late = {r["login"]: r["late_documents"] for r in tables["staff_work"].rows}
    # bs.lan: one signed 25 h after filing; bs.minh: one still unsigned after 24 h.
    assert late == {"bs.lan": 1, "bs.minh": 1, "ktv.an": 0, "bs.cdha": 0}
    by_department = {r["department"]: r["late_documents"] for r in tables["department_work"].rows}
    assert by_department == {"(chưa gán khoa)": 1, "CDHA": 0, "KKB": 1, "XN": 0}


def test_work_per_staff_member(fortnight: Fortnight) -> None:
    rows = {r["login"]: r for r in _tables(fortnight)["staff_work"].rows}
    assert set(rows) == {"bs.lan", "bs.minh", "ktv.an", "bs.cdha"}
    lan, minh, an, cdha = rows["bs.lan"], rows["bs.minh"], rows["ktv.an"], rows["bs.cdha"]
    assert (lan["title"], lan["department"], lan["patients_seen"], lan["avg_exam_minutes"]) == (
        "BSCKI",
        "KKB",
        2,
        22.5,
    )
    assert (minh["patients_seen"], minh["avg_exam_minutes"]) == (1, None)  # not concluded
    assert minh["department"] == "(chưa gán khoa)"
    assert (an["results_verified"], an["avg_turnaround_minutes"], an["department"]) == (
        2,
        45.0,
        "XN",
    )
    assert (cdha["results_verified"], cdha["avg_turnaround_minutes"]) == (1, 120.0)
    assert cdha["department"] == "CDHA"  # from the account when no profile says otherwise


def test_work_per_department(fortnight: Fortnight) -> None:
    table = _tables(fortnight)["department_work"]
    rows = {r["department"]: r for r in table.rows}
    assert rows["KKB"]["patients_seen"] == 2 and rows["KKB"]["staff"] == 1
    assert rows["XN"]["results_verified"] == 2 and rows["XN"]["avg_turnaround_minutes"] == 45.0
    assert rows["(chưa gán khoa)"]["patients_seen"] == 1


def test_missing_modules_say_no_data(fortnight: Fortnight, monkeypatch) -> None:
    """A build without the inpatient or signing module shows "chưa có dữ liệu", not zeros."""
    from smarthis.reports import optional

    monkeypatch.setattr(optional, "Bed", None)
    monkeypatch.setattr(optional, "Document", None)
    tables = _tables(fortnight)
    assert tables["beds"].available is False
    assert tables["beds"].as_dict()["note"] == "chưa có dữ liệu"
    assert "chưa có dữ liệu" in tables["beds"].to_csv().decode("utf-8-sig")
    assert all(r["late_documents"] is None for r in tables["staff_work"].rows)
    assert tables["staff_work"].summary["late_documents_available"] is False


def test_a_day_outside_the_range_changes_nothing(fortnight: Fortnight) -> None:
    with fortnight.db.session() as s:
        only_d2 = {t.key: t for t in service.dashboard(s, FACILITY, D2, D2)}
    assert only_d2["visits"].summary == {"visits": 1, "kiosk": 0, "kiosk_share": 0.0}
    assert only_d2["revenue"].summary["net"] == 180_000
    assert [r["login"] for r in only_d2["staff_work"].rows] == ["bs.minh"]
