"""Every route declares exactly one permission, and each role gets exactly what the
permission table grants it: walked over every route and every role."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from smarthis.db import Database
from smarthis.security.permissions import ROLE_PERMISSIONS, Permission, Role, role_may
from tests.apphelpers import client_for, make_app, sign_in_every_role

# Routes FastAPI and Starlette add themselves: documentation and static files, public.
FRAMEWORK_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"}


def all_routes(app: FastAPI) -> list:
    """Routes with included routers flattened (newer FastAPI keeps them nested)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return [context.original_route for context in iter_route_contexts(app.routes)]


def declared_permissions(route: APIRoute) -> list[Permission]:
    found: list[Permission] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        permission = getattr(dependant.call, "required_permission", None)
        if permission is not None:
            found.append(permission)
        stack.extend(dependant.dependencies)
    return found


@pytest.fixture
def app(db: Database):
    return make_app(db)


def test_every_route_declares_exactly_one_permission(app) -> None:
    undeclared = []
    for route in all_routes(app):
        if not isinstance(route, APIRoute):
            assert route.path in FRAMEWORK_PATHS, f"unexpected non-API route {route.path}"
            continue
        if len(declared_permissions(route)) != 1:
            undeclared.append(f"{sorted(route.methods)} {route.path}")
    assert undeclared == []


def test_every_permission_is_used_or_granted(app) -> None:
    used = {p for r in all_routes(app) if isinstance(r, APIRoute) for p in declared_permissions(r)}
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert used <= granted | {Permission.PUBLIC}


# Live streams with no id to look up would stream forever to a permitted caller: for them
# the walk checks only that every other role is turned away.
ENDLESS_STREAMS = {"/api/me/critical-results"}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_route_by_role_matches_the_table(db: Database, app) -> None:
    creds = sign_in_every_role(db)
    client = client_for(app)
    mismatches = []
    for route in all_routes(app):
        if not isinstance(route, APIRoute):
            continue
        (permission,) = declared_permissions(route)
        for method in sorted(route.methods):
            for role in Role:
                if route.path in ENDLESS_STREAMS and role_may(role, permission):
                    continue
                response = client.request(
                    method,
                    _concrete(route.path),
                    headers=creds.headers(role),
                    json={} if method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False,
                )
                allowed = role_may(role, permission)
                denied = response.status_code in (401, 403)
                if allowed == denied or response.status_code >= 500:
                    mismatches.append(
                        f"{method} {route.path} as {role.value}: {response.status_code}"
                    )
    assert mismatches == []


def test_no_credentials_means_401_except_public_routes(app) -> None:
    client = client_for(app)
    for route in all_routes(app):
        if not isinstance(route, APIRoute):
            continue
        (permission,) = declared_permissions(route)
        for method in route.methods:
            response = client.request(
                method, _concrete(route.path), json={}, follow_redirects=False
            )
            if permission is Permission.PUBLIC:
                assert response.status_code not in (401, 403), route.path
            elif route.path.startswith("/api/") or method != "GET":
                assert response.status_code == 401, f"{method} {route.path}"
            else:
                # Pages send people to the login screen instead.
                assert response.status_code == 303, route.path
                assert response.headers["location"].startswith("/login")
