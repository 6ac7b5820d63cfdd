"""The kiosk's "look up results" (kiosk devices): verified results only, on screen or
as a printable PDF."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from smarthis.catalogs.lab import lab_analytes
from smarthis.db import Database, utcnow
from smarthis.errors import DomainError
from smarthis.orders import kiosk_results
from smarthis.orders.presenters import item_results_out
from smarthis.orders.schemas import KioskResultsIn, KioskResultsOut
from smarthis.orders.service import ItemResults
from smarthis.patients.models import Patient
from smarthis.printing.results_sheet import ResultsSheet, SheetItem, SheetValue, results_sheet_pdf
from smarthis.queueing.names import mask_name
from smarthis.security.deps import database, require
from smarthis.security.permissions import Permission
from smarthis.security.principal import Principal

router = APIRouter(prefix="/api/kiosk/results", tags=["kiosk"])


def _look_up(
    db: Database, principal: Principal, body: KioskResultsIn
) -> tuple[Patient, list[ItemResults]]:
    by_ticket = bool(body.ticket_token)
    by_card = bool(body.qr_text)
    if by_ticket == by_card:
        raise DomainError(
            "results_one_way",
            "Quét mã QR trên phiếu số thứ tự, hoặc mã QR CCCD kèm ngày sinh",
            "Scan the ticket's QR, or the CCCD QR with the date of birth",
            field="qr_text",
        )
    if by_card and body.date_of_birth is None:
        raise DomainError(
            "results_need_birth_date",
            "Nhập ngày sinh để xem kết quả",
            "Enter the date of birth to see results",
            field="date_of_birth",
        )
    with db.session() as session:
        if by_card:
            assert body.qr_text is not None and body.date_of_birth is not None
            return kiosk_results.results_by_cccd(
                session, principal, body.qr_text, body.date_of_birth
            )
        return kiosk_results.results_by_ticket(session, principal, body.ticket_token or "")


@router.post("")
def look_up_results(
    body: KioskResultsIn,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> KioskResultsOut:
    patient, found = _look_up(db, principal, body)
    return KioskResultsOut(
        masked_name=mask_name(patient.full_name),
        items=[item_results_out(one, staff=False) for one in found],
    )


def _sheet_item(found: ItemResults) -> SheetItem:
    analytes = lab_analytes()
    verified = [r.verified_at for r in found.lab_results if r.verified_at is not None]
    if found.report is not None and found.report.verified_at is not None:
        verified.append(found.report.verified_at)
    return SheetItem(
        service_name=found.item.service_name,
        verified_at=max(verified) if verified else None,
        values=[
            SheetValue(
                name=analytes[r.analyte_code].name_vi
                if r.analyte_code in analytes
                else r.analyte_code,
                value=r.value_text,
                unit=r.unit,
                range_text=r.range_text or "",
                flag=r.flag,
            )
            for r in found.lab_results
        ],
        findings=found.report.findings if found.report else None,
        conclusion=found.report.conclusion if found.report else None,
    )


@router.post("/print.pdf")
def print_results(
    body: KioskResultsIn,
    request: Request,
    principal: Principal = Depends(require(Permission.KIOSK_SELF_SERVICE)),
    db: Database = Depends(database),
) -> Response:
    """The same lookup, as the patient's printable copy (the kiosk's browser prints it)."""
    patient, found = _look_up(db, principal, body)
    sheet = ResultsSheet(
        hospital_name=request.app.state.settings.facility_name,
        masked_name=mask_name(patient.full_name),
        printed_at=utcnow(),
        items=[_sheet_item(one) for one in found],
    )
    return Response(
        results_sheet_pdf(sheet),
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="ket-qua.pdf"'},
    )
