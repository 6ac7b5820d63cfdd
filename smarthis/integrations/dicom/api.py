"""Imaging on the clinical screens: a visit's imaging items with their studies (viewer
link, preview) and the preview image itself, fetched from Orthanc through SmartHIS so the
browser never needs PACS credentials and every view is permission-checked and audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from smarthis.config import Settings
from smarthis.db import MAX_ID, Database
from smarthis.errors import DomainError, NotFound
from smarthis.integrations.dicom.orthanc_client import OrthancClient, PacsUnavailable
from smarthis.integrations.dicom.studies import imaging_for_visit, study_for_preview
from smarthis.integrations.dicom.viewer_links import explorer_url, public_base, viewer_url
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/imaging", tags=["imaging"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

STATUS_VI = {"scheduled": "Chờ chụp", "images_available": "Đã có ảnh"}


class PacsUnreachable(DomainError):
    status_code = 503


class StudyOut(BaseModel):
    id: int
    study_instance_uid: str
    series_count: int
    instances_count: int
    received_at: datetime
    viewer_url: str | None
    explorer_url: str | None
    preview_url: str | None


class ImagingItemOut(BaseModel):
    item_id: int
    service_code: str
    service_name: str
    accession_number: str
    modality: str
    status: str
    status_vi: str
    studies: list[StudyOut]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _pacs(request: Request) -> OrthancClient:
    """One client per app (connection reuse), made on first use."""
    settings = _settings(request)
    if not settings.pacs_url:
        raise PacsUnreachable(
            "pacs_not_configured",
            "Chưa cấu hình máy chủ lưu trữ ảnh (PACS)",
            "No PACS is configured",
        )
    client = getattr(request.app.state, "pacs_client", None)
    if client is None:
        client = request.app.state.pacs_client = OrthancClient.from_settings(settings)
    return client


@router.get("/visits/{visit_id}")
def visit_imaging(
    visit_id: Id,
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> list[ImagingItemOut]:
    settings = _settings(request)
    base = public_base(settings) if settings.pacs_url else ""
    with db.session() as session:
        found = imaging_for_visit(session, principal, visit_id)
    return [
        ImagingItemOut(
            item_id=entry.item.id,
            service_code=entry.item.service_code,
            service_name=entry.item.service_name,
            accession_number=entry.procedure.accession_number,
            modality=entry.procedure.modality,
            status=entry.procedure.status,
            status_vi=STATUS_VI.get(entry.procedure.status, entry.procedure.status),
            studies=[
                StudyOut(
                    id=study.id,
                    study_instance_uid=study.study_instance_uid,
                    series_count=study.series_count,
                    instances_count=study.instances_count,
                    received_at=study.received_at,
                    viewer_url=(
                        viewer_url(base, study.orthanc_study_id, study.first_series_id)
                        if base
                        else None
                    ),
                    explorer_url=explorer_url(base, study.orthanc_study_id) if base else None,
                    preview_url=(
                        f"/api/imaging/studies/{study.id}/preview.png"
                        if base and study.preview_instance_id
                        else None
                    ),
                )
                for study in entry.studies
            ],
        )
        for entry in found
    ]


@router.get("/studies/{study_id}/preview.png")
def study_preview(
    study_id: Id,
    request: Request,
    principal: Principal = Depends(require(Permission.RESULT_READ)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        study = study_for_preview(session, principal, study_id)
    client = _pacs(request)
    missing = NotFound(
        "imaging_preview_missing",
        "Ca chụp này không còn ảnh trên PACS",
        "The PACS no longer holds an image of this study",
        field="study_id",
    )
    if not study.preview_instance_id:
        raise missing
    try:
        png = client.instance_preview(study.preview_instance_id)
    except PacsUnavailable as exc:
        raise PacsUnreachable(
            "pacs_unavailable",
            "Máy chủ lưu trữ ảnh (PACS) không phản hồi, vui lòng thử lại sau",
            f"The PACS did not answer: {exc}",
        ) from exc
    if png is None:
        raise missing
    # Patient images: never kept by a shared cache or the browser's disk cache.
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})
