"""Health insurance (BHYT): the BHXH card-check link and its simulator.

The domain talks to the portal through `CardCheckPortal`; `BhxhPortalClient` is the real
link, `portal_simulator` serves the same protocol for tests and demos (`smarthis sim bhxh`).
"""

from __future__ import annotations

from smarthis.insurance.portal_client import (
    BhxhPortalClient,
    CardCheckAnswer,
    CardCheckPortal,
    CardCheckRequest,
    NewCard,
    PastCheck,
    PastVisit,
    PortalAuthenticationFailed,
    PortalUnavailable,
)
from smarthis.insurance.result_codes import (
    RESULT_CODES,
    ReceptionAction,
    ResultCodeInfo,
    result_code_info,
)

__all__ = [
    "RESULT_CODES",
    "BhxhPortalClient",
    "CardCheckAnswer",
    "CardCheckPortal",
    "CardCheckRequest",
    "NewCard",
    "PastCheck",
    "PastVisit",
    "PortalAuthenticationFailed",
    "PortalUnavailable",
    "ReceptionAction",
    "ResultCodeInfo",
    "result_code_info",
]
