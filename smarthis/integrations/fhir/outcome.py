"""Errors of the /fhir API as OperationOutcome resources (FHIR's error body)."""

from __future__ import annotations

from smarthis.integrations.fhir.common import Resource


class FhirError(Exception):
    """`code` is the FHIR issue type (not-found, invalid, not-supported, forbidden...)."""

    def __init__(self, status: int, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


def operation_outcome(code: str, message_vi: str, message_en: str) -> Resource:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": code,
                "details": {"text": message_vi},
                "diagnostics": message_en,
            }
        ],
    }


def not_found(resource_type: str, resource_id: str) -> FhirError:
    return FhirError(
        404,
        "not-found",
        f"Không có {resource_type}/{resource_id}",
        f"{resource_type}/{resource_id} is not known",
    )


def bad_search(message_vi: str, message_en: str) -> FhirError:
    return FhirError(400, "invalid", message_vi, message_en)
