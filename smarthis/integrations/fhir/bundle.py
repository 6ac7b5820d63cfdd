"""Bundles: the visit as a FHIR document (urn:uuid entries, references rewritten to them,
so it stands alone wherever it is sent) and search results (a searchset whose entries are
addressed on this server, references left relative to it).

`unresolved_references` is the check both ends use: the tests, and the EMR portal
simulator when it receives a document."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from smarthis.integrations.fhir.common import Resource, instant, validated
from smarthis.integrations.fhir.systems import BASE

# uuid5 namespace of our resources: the same resource always gets the same urn:uuid.
RESOURCE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/resource")


def resource_urn(facility_code: str, resource_type: str, resource_id: str) -> str:
    key = f"{facility_code}/{resource_type}/{resource_id}"
    return f"urn:uuid:{uuid.uuid5(RESOURCE_NAMESPACE, key)}"


def _references(node: Any) -> Iterator[dict[str, Any]]:
    """Every Reference-shaped object (a dict with a string `reference`) in a resource."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def document_bundle(
    resources: list[Resource],
    *,
    facility_code: str,
    identifier_system: str,
    identifier_value: str,
    timestamp: datetime,
) -> Resource:
    """A `document` Bundle: the Composition first, every entry a urn:uuid."""
    urns = {
        f"{r['resourceType']}/{r['id']}": resource_urn(facility_code, r["resourceType"], r["id"])
        for r in resources
    }
    entries = []
    for resource in resources:
        for reference in _references(resource):
            if reference["reference"] in urns:
                reference["reference"] = urns[reference["reference"]]
        entries.append(
            {"fullUrl": urns[f"{resource['resourceType']}/{resource['id']}"], "resource": resource}
        )
    return validated(
        {
            "resourceType": "Bundle",
            "identifier": {"system": identifier_system, "value": identifier_value},
            "type": "document",
            "timestamp": instant(timestamp),
            "entry": entries,
        }
    )


def searchset_bundle(resources: list[Resource], base_url: str, self_url: str) -> Resource:
    base = base_url.rstrip("/")
    return validated(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "link": [{"relation": "self", "url": self_url}],
            "entry": [
                {
                    "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                    "resource": r,
                    "search": {"mode": "match"},
                }
                for r in resources
            ],
        }
    )


def unresolved_references(bundle: Resource) -> list[str]:
    """References that name no entry of the bundle (FHIR's resolution rules: a urn or an
    absolute URL must be an entry's fullUrl; `Type/id` is resolved against the entries'
    resource type and id). Contained (`#...`) references are not checked."""
    entries = bundle.get("entry", [])
    full_urls = {e.get("fullUrl") for e in entries}
    relative = {
        f"{e['resource']['resourceType']}/{e['resource'].get('id')}"
        for e in entries
        if "resource" in e
    }
    missing = []
    for entry in entries:
        for reference in _references(entry.get("resource", {})):
            target = reference["reference"]
            if target.startswith("#"):
                continue
            if target in full_urls or target in relative:
                continue
            missing.append(target)
    return missing
