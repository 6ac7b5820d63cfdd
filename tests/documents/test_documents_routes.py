"""Every route of the registry names one permission, and each role gets exactly what the
permission table grants: the shared route walk, on this module's routes only."""

from __future__ import annotations

from fastapi.routing import APIRoute

from smarthis.db import Database
from smarthis.security.permissions import Permission, Role, role_may
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.security.test_route_permissions import _concrete, all_routes, declared_permissions


def _document_routes(db: Database) -> tuple[object, list[APIRoute]]:
    app = make_app(db)
    routes = [r for r in all_routes(app) if isinstance(r, APIRoute) and "documents" in r.path]
    return app, routes


def test_routes_declare_the_document_permissions(db: Database) -> None:
    _, routes = _document_routes(db)
    declared = {(r.path, p) for r in routes for p in declared_permissions(r)}
    assert len(declared) == len(routes) == 9
    assert {p for _, p in declared} == {
        Permission.DOCUMENT_READ,
        Permission.DOCUMENT_WRITE,
        Permission.DOCUMENT_SIGN,
    }


def test_each_role_is_let_in_or_turned_away_as_the_table_says(db: Database) -> None:
    app, routes = _document_routes(db)
    creds = sign_in_every_role(db)
    client = client_for(app)
    mismatches = []
    for route in routes:
        (permission,) = declared_permissions(route)
        for method in sorted(route.methods):
            for role in Role:
                response = client.request(
                    method,
                    _concrete(route.path),
                    headers=creds.headers(role),
                    json={} if method == "POST" else None,
                    follow_redirects=False,
                )
                allowed = role_may(role, permission)
                denied = response.status_code in (401, 403)
                if allowed == denied or response.status_code >= 500:
                    mismatches.append(f"{method} {route.path} {role.value} {response.status_code}")
            unauthenticated = client.request(
                method, _concrete(route.path), json={}, follow_redirects=False
            )
            assert unauthenticated.status_code in (401, 303), route.path
    assert mismatches == []
    assert role_may(Role.DOCTOR, Permission.DOCUMENT_SIGN)
    assert role_may(Role.NURSE, Permission.DOCUMENT_SIGN)
    assert not role_may(Role.RECEPTIONIST, Permission.DOCUMENT_READ)
