"""Building an app on the test database and signing in as any role."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient

from smarthis.app import create_app
from smarthis.config import Settings
from smarthis.db import Database
from smarthis.insurance.portal_client import CardCheckPortal
from smarthis.security import service
from smarthis.security.permissions import DEVICE_ROLES, STAFF_ROLES, Role

FACILITY = "48001"
PASSWORD = "correct-horse-42"
# Valid CCCDs (province 048, sex/century digit and birth year consistent) for staff.
STAFF_CCCD = {
    Role.RECEPTIONIST: "048188001234",
    Role.CASHIER: "048196004455",
    Role.ADMIN: "048090004567",
}


def make_app(db: Database, portal: CardCheckPortal | None = None, **settings: object) -> FastAPI:
    config = Settings(database_url=db.url, facility_code=FACILITY, **settings)
    return create_app(config, db=db, portal=portal)


@dataclass
class Credentials:
    tokens: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def sign_in_every_role(db: Database) -> Credentials:
    """One staff member per staff role (with a bearer token) and one device per device kind."""
    creds = Credentials()
    with db.session() as session:
        for role in STAFF_ROLES:
            staff = service.create_staff(
                session,
                facility_code=FACILITY,
                login=f"t.{role.value}".replace("_", "-"),
                full_name=f"Nhân viên {role.value}",
                role=role.value,
                password=PASSWORD,
                cccd=STAFF_CCCD.get(role),
            )
            creds.tokens[role] = service.issue_api_token(session, staff)
        for role in DEVICE_ROLES:
            _device, token = service.register_device(
                session,
                facility_code=FACILITY,
                code=f"dev-{role.value}",
                name=f"Thiết bị {role.value}",
                kind=role.value,
            )
            creds.tokens[role] = token
    return creds


def client_for(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
