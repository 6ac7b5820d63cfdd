"""Orthanc's REST API, the part SmartHIS uses: the changes feed, a study's tags and
counts, and an instance's rendered preview. Every failure to reach it is PacsUnavailable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from smarthis.config import Settings


class PacsUnavailable(Exception):
    """Orthanc did not answer, or answered with an error."""


@dataclass(frozen=True)
class ChangesPage:
    changes: list[dict[str, Any]]
    last: int
    done: bool


class OrthancClient:
    def __init__(
        self, base_url: str, username: str = "", password: str = "", timeout_s: float = 5.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        auth = (username, password) if username else None
        self._http = httpx.Client(base_url=self.base_url, auth=auth, timeout=timeout_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> OrthancClient:
        return cls(
            settings.pacs_url,
            settings.pacs_username,
            settings.pacs_password,
            settings.pacs_timeout_s,
        )

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, **params: Any) -> httpx.Response:
        try:
            response = self._http.get(path, params=params or None)
        except httpx.HTTPError as exc:
            raise PacsUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400 and response.status_code != 404:
            raise PacsUnavailable(f"HTTP {response.status_code} on {path}")
        return response

    def _json(self, path: str, **params: Any) -> Any:
        response = self._get(path, **params)
        if response.status_code == 404:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise PacsUnavailable(f"not JSON from {path}") from exc

    def changes(self, since: int, limit: int) -> ChangesPage:
        data = self._json("/changes", since=since, limit=limit)
        if not isinstance(data, dict):
            raise PacsUnavailable("unexpected answer from /changes")
        return ChangesPage(
            changes=list(data.get("Changes") or []),
            last=int(data.get("Last") or 0),
            done=bool(data.get("Done", True)),
        )

    def study(self, study_id: str) -> dict[str, Any] | None:
        """The study's resource (MainDicomTags, Series), None if it was deleted."""
        return self._json(f"/studies/{study_id}")

    def study_statistics(self, study_id: str) -> dict[str, Any] | None:
        return self._json(f"/studies/{study_id}/statistics")

    def study_instances(self, study_id: str) -> list[dict[str, Any]]:
        return list(self._json(f"/studies/{study_id}/instances") or [])

    def instance_preview(self, instance_id: str) -> bytes | None:
        """The instance rendered as PNG by Orthanc; None if the instance is gone."""
        try:
            response = self._http.get(
                f"/instances/{instance_id}/preview", headers={"Accept": "image/png"}
            )
        except httpx.HTTPError as exc:
            raise PacsUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise PacsUnavailable(f"HTTP {response.status_code} on preview")
        return response.content
