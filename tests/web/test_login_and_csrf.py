"""Signing in on the web: the Vietnamese login page, the session cookie, CSRF protection of
cookie-authenticated changes, logging out, and who may open the admin pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from smarthis.db import Database
from smarthis.security import service
from smarthis.security.deps import CSRF_HEADER, SESSION_COOKIE
from smarthis.security.permissions import Role
from tests.apphelpers import PASSWORD, Credentials, client_for, make_app, sign_in_every_role

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def creds(db: Database) -> Credentials:
    return sign_in_every_role(db)


@pytest.fixture
def client(db: Database, creds: Credentials) -> TestClient:
    return client_for(make_app(db))


def _sign_in(client: TestClient, login: str, next_path: str = "/") -> str:
    response = client.post(
        "/login",
        data={"login": login, "password": PASSWORD, "next": next_path},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return response.cookies[SESSION_COOKIE]


def _csrf_from(page_html: str) -> str:
    found = CSRF_META.search(page_html)
    assert found is not None, "page carries no CSRF meta tag"
    return found.group(1)


def test_login_page_is_in_vietnamese(client: TestClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "Đăng nhập" in response.text
    assert "Mật khẩu" in response.text


def test_wrong_password_shows_the_login_page_again_with_a_reason(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"login": "t.receptionist", "password": "not-the-password", "next": "/reception"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text
    assert SESSION_COOKIE not in response.cookies
    # The form still remembers where the user wanted to go.
    assert 'value="/reception"' in response.text


def test_unknown_login_gets_the_same_answer_as_a_wrong_password(client: TestClient) -> None:
    response = client.post(
        "/login", data={"login": "nobody", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text


def test_correct_password_sets_a_strict_httponly_cookie_and_goes_to_next(
    client: TestClient,
) -> None:
    response = client.post(
        "/login",
        data={"login": "t.receptionist", "password": PASSWORD, "next": "/reception"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/reception"
    (cookie_header,) = [
        h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")
    ]
    attributes = {part.strip().lower() for part in cookie_header.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=strict" in attributes


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http:/evil.example", "reception"]
)
def test_next_pointing_off_site_is_ignored(client: TestClient, target: str) -> None:
    response = client.post(
        "/login",
        data={"login": "t.receptionist", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_signed_in_user_sees_reception_with_a_csrf_token(client: TestClient) -> None:
    _sign_in(client, "t.receptionist")
    response = client.get("/reception", follow_redirects=False)
    assert response.status_code == 200
    assert _csrf_from(response.text)
    assert "Nhân viên receptionist" in response.text  # who is signed in


def test_cookie_change_without_the_csrf_header_is_refused(client: TestClient) -> None:
    _sign_in(client, "t.receptionist")
    refused = client.post("/api/patients/temporary", json={"description": "nam, 40 tuổi"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = client.post(
        "/api/patients/temporary",
        json={"description": "nam, 40 tuổi"},
        headers={CSRF_HEADER: "guessed-token"},
    )
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "csrf_failed"

    token = _csrf_from(client.get("/reception").text)
    accepted = client.post(
        "/api/patients/temporary",
        json={"description": "nam, 40 tuổi", "sex": "male", "approx_age": 40},
        headers={CSRF_HEADER: token},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["is_temporary"] is True


def test_after_logout_the_old_cookie_no_longer_works(client: TestClient) -> None:
    cookie = _sign_in(client, "t.receptionist")
    assert client.get("/api/me").json()["name"] == "t.receptionist"
    token = _csrf_from(client.get("/reception").text)

    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"

    client.cookies.clear()
    replayed = client.get("/api/me", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert replayed.status_code == 401
    page = client.get(
        "/reception", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}, follow_redirects=False
    )
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/reception"


def test_logout_without_the_csrf_token_is_refused(client: TestClient) -> None:
    _sign_in(client, "t.receptionist")
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 200


def test_disabled_staff_member_loses_token_and_session(
    db: Database, client: TestClient, creds: Credentials
) -> None:
    _sign_in(client, "t.doctor")
    bearer = creds.headers(Role.DOCTOR)
    assert client.get("/api/me", headers=bearer).status_code == 200
    with db.session() as session:
        service.disable_staff(session, "t.doctor")
    assert client.get("/api/me", headers=bearer).status_code == 401
    assert client.get("/api/me").status_code == 401  # the browser session too


@pytest.mark.parametrize(("path", "heading"), [("/admin/staff", "t.doctor"), ("/admin/audit", "")])
def test_admin_pages_open_for_admin_only(client: TestClient, path: str, heading: str) -> None:
    _sign_in(client, "t.admin")
    page = client.get(path, follow_redirects=False)
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert heading in page.text

    client.cookies.clear()
    _sign_in(client, "t.doctor")
    denied = client.get(path, follow_redirects=False)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"
