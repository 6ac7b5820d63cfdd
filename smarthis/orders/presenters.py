"""Orders, results and reports as the API shows them; the kiosk sees no staff names."""

from __future__ import annotations

from smarthis.catalogs.lab import lab_analytes
from smarthis.orders.models import LabResult, Report
from smarthis.orders.schemas import ItemResultsOut, LabResultOut, ReportOut
from smarthis.orders.service import ItemResults


def lab_result_out(result: LabResult, *, staff: bool = True) -> LabResultOut:
    analyte = lab_analytes().get(result.analyte_code)
    return LabResultOut(
        id=result.id,
        analyte_code=result.analyte_code,
        analyte_name_vi=analyte.name_vi if analyte else result.analyte_code,
        value=result.value_text,
        value_numeric=result.value_numeric,
        unit=result.unit,
        range_text=result.range_text,
        flag=result.flag,
        version=result.version,
        entered_by=result.entered_by if staff else None,
        entered_at=result.entered_at,
        verified_by=result.verified_by if staff else None,
        verified_at=result.verified_at,
        superseded_by_id=result.superseded_by_id,
        correction_reason=result.correction_reason if staff else None,
    )


def report_out(report: Report, *, staff: bool = True) -> ReportOut:
    return ReportOut(
        id=report.id,
        technique=report.technique,
        findings=report.findings,
        conclusion=report.conclusion,
        version=report.version,
        entered_by=report.entered_by if staff else None,
        entered_at=report.entered_at,
        verified_by=report.verified_by if staff else None,
        verified_at=report.verified_at,
        superseded_by_id=report.superseded_by_id,
        correction_reason=report.correction_reason if staff else None,
    )


def item_results_out(found: ItemResults, *, staff: bool = True) -> ItemResultsOut:
    return ItemResultsOut(
        order_id=found.order.id,
        visit_id=found.order.visit_id,
        ordered_by=found.order.ordered_by if staff else "",
        item_id=found.item.id,
        service_code=found.item.service_code,
        service_name=found.item.service_name,
        kind=found.item.kind,
        status=found.item.status,
        lab_results=[lab_result_out(r, staff=staff) for r in found.lab_results],
        report=report_out(found.report, staff=staff) if found.report else None,
        history=[
            lab_result_out(row) if isinstance(row, LabResult) else report_out(row)
            for row in (found.history if staff else [])
        ],
    )
