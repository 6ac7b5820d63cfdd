"""The interface monitor page (/interfaces): HL7 traffic with the LIS (resend by hand) and
the DICOM traffic of the worklist and the PACS."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from smarthis.db import Database
from smarthis.integrations.dicom.traffic import recent_dicom_events
from smarthis.integrations.hl7 import monitor
from smarthis.security.deps import database, require
from smarthis.security.permissions import ROLE_NAMES_VI, Permission
from smarthis.security.principal import Principal
from smarthis.web import pages as web_pages

# Our template extends the shared base.html, so both folders are searched.
TEMPLATES = Jinja2Templates(
    directory=[Path(__file__).parent / "templates", Path(web_pages.__file__).parent / "templates"]
)
TEMPLATES.env.filters.update(web_pages.TEMPLATES.env.filters)
router = APIRouter(include_in_schema=False)
DICOM_KINDS_VI = {
    "worklist_query": "Máy chụp hỏi danh sách chờ chụp",
    "study_linked": "Ảnh đã gắn với chỉ định",
    "study_unmatched": "Ảnh chưa khớp chỉ định nào",
    "pacs_error": "Lỗi kết nối PACS",
}


@router.get("/interfaces")
def interfaces_page(
    request: Request,
    principal: Principal = Depends(require(Permission.INTERFACES_VIEW)),
    db: Database = Depends(database),
) -> Response:
    with db.session() as session:
        summary = monitor.summary(session, principal)
        rows = monitor.traffic(session, principal, limit=200)
        dicom_rows = recent_dicom_events(session, principal.facility_code, limit=100)
    return TEMPLATES.TemplateResponse(
        request,
        "interfaces.html",
        {
            "principal": principal,
            "role_name": ROLE_NAMES_VI.get(principal.role, ""),
            "csrf_token": web_pages._csrf_for(request, db),
            "facility_name": request.app.state.settings.facility_name,
            "summary": summary,
            "rows": rows,
            "dicom_rows": dicom_rows,
            "dicom_kinds": DICOM_KINDS_VI,
            "may_resend": principal.may(Permission.INTERFACES_RESEND),
        },
    )
