"""The read-only FHIR API (`/fhir`), answered as application/fhir+json.

Errors are OperationOutcome resources: 404 for an unknown type or id, 400 for a search
parameter we do not support, 403 without the fhir.read permission. A caller without
credentials who asks for FHIR or JSON (Accept) gets a 401 OperationOutcome; a browser gets
the sign-in page like every other page."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from smarthis.db import Database, utcnow
from smarthis.errors import DomainError
from smarthis.integrations.fhir import service
from smarthis.integrations.fhir.bundle import searchset_bundle
from smarthis.integrations.fhir.capability import READABLE_TYPES, capability_statement
from smarthis.integrations.fhir.common import Resource
from smarthis.integrations.fhir.export import facility_of
from smarthis.integrations.fhir.outcome import FhirError, operation_outcome
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

FHIR_JSON = "application/fhir+json"
# Parameters any FHIR request may carry that change nothing here (JSON is all we speak).
NEUTRAL_PARAMS = {"_format", "_pretty"}


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


def _wants_fhir(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "fhir" in accept or "application/json" in accept


_HTTP_CODES = {401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported"}


class FhirRoute(APIRoute):
    """Turns every failure of a /fhir route into an OperationOutcome."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def fhir_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except FhirError as exc:
                return _outcome(exc.status, exc.code, exc.message_vi, exc.message_en)
            except DomainError as exc:
                return _outcome(exc.status_code, "invalid", exc.message_vi, exc.message_en)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()))
                return _outcome(
                    400, "invalid", f"Yêu cầu không hợp lệ: {where}", f"Invalid request: {where}"
                )
            except HTTPException as exc:
                if exc.status_code == 401 and not _wants_fhir(request):
                    raise  # a browser: the sign-in page
                detail = exc.detail if isinstance(exc.detail, dict) else {}
                return _outcome(
                    exc.status_code,
                    _HTTP_CODES.get(exc.status_code, "processing"),
                    str(detail.get("message", exc.detail)),
                    str(detail.get("message_en", exc.detail)),
                    headers=exc.headers,
                )

        return fhir_handler


def _outcome(
    status: int, code: str, vi: str, en: str, headers: dict[str, str] | None = None
) -> FhirResponse:
    return FhirResponse(operation_outcome(code, vi, en), status_code=status, headers=headers)


router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=FhirRoute)
reader = require(Permission.FHIR_READ)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _search_params(request: Request) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in NEUTRAL_PARAMS:
            continue
        if key in params:
            raise FhirError(
                400,
                "invalid",
                f"Tham số {key} chỉ được dùng một lần",
                f"Parameter {key} may be given once",
            )
        params[key] = value
    return params


def _searchset(request: Request, resources: list[Resource]) -> FhirResponse:
    return FhirResponse(searchset_bundle(resources, _base_url(request), str(request.url)))


@router.get("/metadata")
def fhir_metadata(request: Request, _principal: Principal = Depends(reader)) -> FhirResponse:
    """CapabilityStatement: the types, interactions and searches this server supports."""
    return FhirResponse(capability_statement(_base_url(request), request.app.version, utcnow()))


@router.get("/Encounter/{visit_id}/$everything")
def fhir_encounter_everything(
    visit_id: str,
    request: Request,
    principal: Principal = Depends(reader),
    db: Database = Depends(database),
) -> FhirResponse:
    """The visit's record (its Composition and every resource it names) as a searchset."""
    facility = facility_of(request.app.state.settings)
    with db.session() as session:
        resources = service.visit_everything(session, principal, facility, visit_id)
    return _searchset(request, resources)


@router.get("/{resource_type}")
def fhir_search(
    resource_type: str,
    request: Request,
    principal: Principal = Depends(reader),
    db: Database = Depends(database),
) -> FhirResponse:
    """Patient?identifier=system|value; Encounter?patient=id or ?patient.identifier=..."""
    _require_known_type(resource_type)
    params = _search_params(request)
    facility = facility_of(request.app.state.settings)
    with db.session() as session:
        resources = service.search(session, principal, facility, resource_type, params)
    return _searchset(request, resources)


@router.get("/{resource_type}/{resource_id}")
def fhir_read(
    resource_type: str,
    resource_id: str,
    request: Request,
    principal: Principal = Depends(reader),
    db: Database = Depends(database),
) -> FhirResponse:
    _require_known_type(resource_type)
    facility = facility_of(request.app.state.settings)
    with db.session() as session:
        resource = service.read(session, principal, facility, resource_type, resource_id)
    return FhirResponse(resource)


def _require_known_type(resource_type: str) -> None:
    if resource_type not in READABLE_TYPES:
        raise FhirError(
            404,
            "not-supported",
            f"Không hỗ trợ loại tài nguyên {resource_type}",
            f"Resource type {resource_type} is not supported",
        )
