"""The dashboard's JSON, its CSV exports, who may read them, and bad ranges as 4xx."""

from __future__ import annotations

import csv
import io

import pytest

from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.reports.conftest import Fortnight

RANGE = "from=2026-11-24&to=2026-11-25"


@pytest.fixture
def signed_in(fortnight: Fortnight):
    creds = sign_in_every_role(fortnight.db)
    return client_for(make_app(fortnight.db)), creds


def test_manager_reads_the_dashboard(signed_in) -> None:
    client, creds = signed_in
    response = client.get(f"/api/reports/dashboard?{RANGE}", headers=creds.headers(Role.MANAGER))
    assert response.status_code == 200
    data = response.json()
    assert (data["from"], data["to"]) == ("2026-11-24", "2026-11-25")
    assert data["tables"]["visits"]["summary"]["kiosk_share"] == 0.5
    assert data["tables"]["revenue"]["summary"]["net"] == 330_000
    assert data["tables"]["beds"]["available"] is True
    page = client.get("/dashboard", headers=creds.headers(Role.MANAGER))
    assert page.status_code == 200 and "Bảng điều hành" in page.text


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_who_may_read(signed_in, role: Role) -> None:
    client, creds = signed_in
    assert (
        client.get(f"/api/reports/dashboard?{RANGE}", headers=creds.headers(role)).status_code
        == 200
    )


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.CASHIER, Role.RECEPTIONIST, Role.KIOSK])
def test_who_may_not(signed_in, role: Role) -> None:
    client, creds = signed_in
    assert (
        client.get(f"/api/reports/dashboard?{RANGE}", headers=creds.headers(role)).status_code
        == 403
    )
    assert (
        client.get(f"/api/reports/visits.csv?{RANGE}", headers=creds.headers(role)).status_code
        == 403
    )
    assert client.get("/api/reports/dashboard").status_code == 401


def test_revenue_csv_is_utf8_with_bom(signed_in) -> None:
    client, creds = signed_in
    response = client.get(f"/api/reports/revenue.csv?{RANGE}", headers=creds.headers(Role.MANAGER))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "revenue_2026-11-24_2026-11-25.csv" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Ngày", "Tiền mặt", "Thẻ", "VietQR", "Tổng thu", "Hoàn trả", "Thực thu"],
        ["2026-11-24", "100000", "0", "50000", "150000", "0", "150000"],
        ["2026-11-25", "0", "200000", "0", "200000", "20000", "180000"],
    ]


def test_every_table_exports(signed_in) -> None:
    client, creds = signed_in
    for key in ("visits", "waits", "revenue", "claims", "beds", "staff_work", "department_work"):
        response = client.get(f"/api/reports/{key}.csv?{RANGE}", headers=creds.headers(Role.ADMIN))
        assert response.status_code == 200, key
        text = response.content.decode("utf-8-sig")
        assert len(text.splitlines()) >= 2, key
    staff = response.content.decode("utf-8-sig")  # the last one: per department
    assert "KKB" in staff and "Khoa" in staff.splitlines()[0]
    people = client.get(f"/api/reports/staff_work.csv?{RANGE}", headers=creds.headers(Role.ADMIN))
    assert "Nguyễn Thị Lan,BSCKI,bs.lan,KKB,2,22.5" in people.content.decode("utf-8-sig")


def test_bad_ranges_and_tables_are_4xx(signed_in) -> None:
    client, creds = signed_in
    headers = creds.headers(Role.MANAGER)
    backwards = client.get("/api/reports/dashboard?from=2026-11-25&to=2026-11-24", headers=headers)
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "to"
    too_long = client.get("/api/reports/dashboard?from=2020-01-01&to=2026-11-24", headers=headers)
    assert too_long.status_code == 422
    not_a_day = client.get("/api/reports/dashboard?from=hôm-qua", headers=headers)
    assert not_a_day.status_code == 422
    unknown = client.get(f"/api/reports/patients.csv?{RANGE}", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "report_unknown"
