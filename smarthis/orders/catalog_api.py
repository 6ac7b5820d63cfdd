"""The service catalogue as JSON, for the doctor's order sheet."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from smarthis.catalogs.lab import lab_panels
from smarthis.catalogs.service_catalog import hospital_services
from smarthis.security.deps import require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(tags=["catalog"])


class ServiceOut(BaseModel):
    code: str
    national_code: str | None
    name_vi: str
    kind: str
    point_kind: str
    hospital_price_vnd: int  # demo prices
    insurance_price_vnd: int | None
    lab_panel: str | None
    lab_panel_name_vi: str | None


@router.get("/api/catalog/services")
def list_services(
    _principal: Principal = Depends(require(Permission.CATALOG_READ)),
) -> list[ServiceOut]:
    panels = lab_panels()
    return [
        ServiceOut(
            code=s.code,
            national_code=s.national_code,
            name_vi=s.name_vi,
            kind=s.kind,
            point_kind=s.point_kind,
            hospital_price_vnd=s.hospital_price_vnd,
            insurance_price_vnd=s.insurance_price_vnd,
            lab_panel=s.lab_panel,
            lab_panel_name_vi=panels[s.lab_panel].name_vi
            if s.lab_panel and s.lab_panel in panels
            else None,
        )
        for s in hospital_services().values()
    ]
