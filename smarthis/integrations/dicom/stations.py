"""Which DICOM modality performs an order item's kind, and which AE title names the
modality in a room (a setting, so an engineer renames an AE without touching data)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Catalogue kind -> DICOM Modality (C.7.3.1.1.1). Digital radiography rooms are DX; a
# CR room's modality asks for DX too, since Modality is a worklist matching key only.
MODALITY_BY_KIND: Mapping[str, str] = {
    "xray": "DX",
    "ct": "CT",
    "mri": "MR",
    "ultrasound": "US",
    "endoscopy": "ES",
}
# A modality that asks for CR is served the DX room's procedures (same X-ray rooms).
MODALITY_ALIASES: Mapping[str, str] = {"CR": "DX"}

_NOT_AE = re.compile(r"[^A-Z0-9_]")


def modality_of(kind: str) -> str | None:
    return MODALITY_BY_KIND.get(kind)


def station_ae_title(point_code: str, mapping: Mapping[str, str]) -> str:
    """The AE title of the modality in room `point_code` (AE is at most 16 characters)."""
    if point_code in mapping:
        return mapping[point_code][:16]
    return _NOT_AE.sub("", point_code.upper())[:16]


def points_for_station(
    ae_title: str, point_codes: list[str], mapping: Mapping[str, str]
) -> list[str]:
    """The rooms whose modality answers to `ae_title` (usually one)."""
    wanted = ae_title.strip()
    return [code for code in point_codes if station_ae_title(code, mapping) == wanted]
