"""Who is acting: a staff member or a registered device, and from where."""

from __future__ import annotations

from dataclasses import dataclass

from smarthis.security.permissions import Permission, Role, role_may


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff" | "device" | "system"
    id: int
    name: str  # login or device code: what the audit log shows
    display_name: str
    role: Role
    facility_code: str
    source: str = ""  # client address or terminal, for the audit log
    cccd: str | None = None
    via_cookie: bool = False

    def may(self, permission: Permission) -> bool:
        return role_may(self.role, permission)


def system_principal(facility_code: str, source: str = "cli") -> Principal:
    """For the command line and background workers run by the hospital's operators."""
    return Principal(
        kind="system",
        id=0,
        name="system",
        display_name="SmartHIS",
        role=Role.ADMIN,
        facility_code=facility_code,
        source=source,
    )
