"""Addresses of a study in Orthanc as staff browsers reach it (pacs_public_url): the Web
Viewer plugin for a series, Orthanc Explorer for the study."""

from __future__ import annotations

from urllib.parse import quote

from smarthis.config import Settings


def public_base(settings: Settings) -> str:
    return (settings.pacs_public_url or settings.pacs_url).rstrip("/")


def explorer_url(base: str, orthanc_study_id: str) -> str:
    return f"{base}/app/explorer.html#study?uuid={quote(orthanc_study_id)}"


def viewer_url(base: str, orthanc_study_id: str, first_series_id: str | None) -> str:
    if not first_series_id:
        return explorer_url(base, orthanc_study_id)
    return f"{base}/web-viewer/app/viewer.html?series={quote(first_series_id)}"
