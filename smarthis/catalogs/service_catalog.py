"""The services the demo hospital performs: what a doctor orders and a cashier charges.

Each service names the national technical-service code where the Ministry's list has one,
its kind, the kind of room (queue) that performs it, demo hospital and insurance prices,
the XML 130 cost group, and for lab services the panel it is listed under and the analytes
it reports. Prices in `demo_services.csv` are demo values, not tariffs.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from smarthis.catalogs.csv_source import (
    CatalogError,
    data_file,
    reject_row,
    require_match,
)
from smarthis.catalogs.lab import LabAnalyte, LabPanel, lab_analytes, lab_panels
from smarthis.catalogs.services import TechnicalService, technical_services
from smarthis.errors import NotFound

DEMO_SERVICES_FILE = "demo_services.csv"

ServiceKind = Literal[
    "exam", "lab", "xray", "ct", "mri", "ultrasound", "ecg", "endoscopy", "procedure"
]
SERVICE_KINDS: tuple[ServiceKind, ...] = (
    "exam",
    "lab",
    "xray",
    "ct",
    "mri",
    "ultrasound",
    "ecg",
    "endoscopy",
    "procedure",
)
# The queue kinds (smarthis.queueing.setup.POINT_KINDS) a service can send a patient to.
ORDER_POINT_KINDS = ("examination", "lab", "xray", "ct", "mri", "ultrasound", "ecg", "endoscopy")

# MA_NHOM of XML 130 (appendix 3 of Decision 5937/QĐ-BYT), the groups services use.
COST_GROUPS: Mapping[int, str] = MappingProxyType(
    {
        1: "Xét nghiệm",
        2: "Chẩn đoán hình ảnh",
        3: "Thăm dò chức năng",
        8: "Thủ thuật, phẫu thuật",
        13: "Khám bệnh",
    }
)
_COST_GROUPS_BY_KIND: Mapping[str, frozenset[int]] = MappingProxyType(
    {
        "exam": frozenset({13}),
        "lab": frozenset({1}),
        "xray": frozenset({2}),
        "ct": frozenset({2}),
        "mri": frozenset({2}),
        "ultrasound": frozenset({2}),
        "ecg": frozenset({3}),
        "endoscopy": frozenset({3, 8}),
        "procedure": frozenset({8}),
    }
)
# A procedure is done where its guidance is (ultrasound-guided biopsy) or in a clinic room.
_POINT_KINDS_BY_KIND: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        **{kind: frozenset({kind}) for kind in ("lab", "xray", "ct", "mri", "ultrasound", "ecg")},
        "endoscopy": frozenset({"endoscopy"}),
        "exam": frozenset({"examination"}),
        "procedure": frozenset({"examination", "ultrasound", "xray", "ct", "endoscopy"}),
    }
)

_COLUMNS = (
    "code",
    "national_code",
    "name_vi",
    "kind",
    "point_kind",
    "hospital_price_vnd",
    "insurance_price_vnd",
    "cost_group",
    "lab_panel",
    "analytes",
    "note",
)
_CODE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_PRICE = re.compile(r"\d+")
_OPTIONAL_PRICE = re.compile(r"\d*")
_COST_GROUP = re.compile(r"\d{1,2}")


@dataclass(frozen=True, slots=True)
class HospitalService:
    code: str  # ours, e.g. "SA-BUNG"
    national_code: str | None  # XX.YYYY.ZZZZ of the Ministry's list, when it has one
    name_vi: str
    kind: ServiceKind
    point_kind: str  # queue kind of the room that performs it
    hospital_price_vnd: int  # DEMO
    insurance_price_vnd: int | None  # DEMO; None when the fund does not pay for it
    cost_group: int  # MA_NHOM
    lab_panel: str | None  # the panel it is listed under (lab services)
    analytes: tuple[str, ...]  # what it reports (lab services)
    note: str | None


def read_annotated_rows(
    path: Path, required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Like csv_source.read_rows, for files that open with `#` comment lines (what the
    data is, e.g. that prices are demo values). Line numbers are the file's."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = handle.readlines()
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith("#"):
        skipped += 1
    reader = csv.DictReader(lines[skipped:])
    header = reader.fieldnames or []
    missing = [column for column in required if column not in header]
    if missing:
        names = ", ".join(missing)
        raise CatalogError(
            "catalog_columns",
            f"Tệp {path.name} thiếu cột: {names}",
            f"{path.name} lacks columns: {names}",
            field=missing[0],
        )
    for row in reader:
        line = reader.line_num + skipped
        if None in row or any(value is None for value in row.values()):
            raise CatalogError(
                "catalog_row_width",
                f"{path.name}, dòng {line}: số cột khác với dòng tiêu đề",
                f"{path.name}, line {line}: column count differs from the header",
                field=None,
            )
        yield line, {key: value.strip() for key, value in row.items()}


def _parse_row(
    path: Path,
    line: int,
    row: dict[str, str],
    national: Mapping[str, TechnicalService],
    analytes: Mapping[str, LabAnalyte],
    panels: Mapping[str, LabPanel],
) -> HospitalService:
    def check(column: str, pattern: re.Pattern[str], shape: str) -> str:
        return require_match(pattern, row[column], path=path, line=line, column=column, shape=shape)

    code = check("code", _CODE, "SA-BUNG")
    kind = row["kind"]
    if kind not in SERVICE_KINDS:
        raise reject_row(path, line, "kind", f"loại {kind!r} không có", f"unknown kind {kind!r}")
    point_kind = row["point_kind"]
    if point_kind not in _POINT_KINDS_BY_KIND[kind]:
        raise reject_row(
            path,
            line,
            "point_kind",
            f"{point_kind!r} không thực hiện được dịch vụ loại {kind}",
            f"{point_kind!r} does not perform {kind} services",
        )
    national_code = row["national_code"] or None
    if national_code is not None and national_code not in national:
        raise reject_row(
            path,
            line,
            "national_code",
            "không có trong danh mục kỹ thuật quốc gia",
            "not in the national list of technical services",
        )
    if not row["name_vi"]:
        raise reject_row(path, line, "name_vi", "trống", "is empty")
    cost_group = int(check("cost_group", _COST_GROUP, "NN"))
    if cost_group not in _COST_GROUPS_BY_KIND[kind]:
        raise reject_row(
            path,
            line,
            "cost_group",
            f"nhóm {cost_group} không hợp với loại {kind}",
            f"group {cost_group} does not fit kind {kind}",
        )
    insurance_price = check("insurance_price_vnd", _OPTIONAL_PRICE, "VND (integer)")
    lab_panel = row["lab_panel"] or None
    reported = tuple(row["analytes"].split())
    if kind != "lab" and (lab_panel or reported):
        raise reject_row(
            path, line, "lab_panel", "chỉ dịch vụ xét nghiệm có", "only lab services have one"
        )
    unknown = [analyte for analyte in reported if analyte not in analytes]
    if unknown:
        raise reject_row(
            path,
            line,
            "analytes",
            f"chỉ số không có: {', '.join(unknown)}",
            f"unknown analytes: {', '.join(unknown)}",
        )
    if (lab_panel is None) != (not reported):
        raise reject_row(
            path,
            line,
            "lab_panel",
            "dịch vụ xét nghiệm có chỉ số phải thuộc một nhóm và ngược lại",
            "a lab service reporting analytes needs a panel, and only then",
        )
    if lab_panel is not None:
        panel = panels.get(lab_panel)
        if panel is None:
            raise reject_row(
                path, line, "lab_panel", "nhóm xét nghiệm không có", "unknown lab panel"
            )
        if not set(reported) <= set(panel.analytes):
            raise reject_row(
                path,
                line,
                "analytes",
                f"có chỉ số ngoài nhóm {lab_panel}",
                f"reports analytes outside panel {lab_panel}",
            )
    return HospitalService(
        code=code,
        national_code=national_code,
        name_vi=row["name_vi"],
        kind=kind,  # type: ignore[arg-type]
        point_kind=point_kind,
        hospital_price_vnd=int(check("hospital_price_vnd", _PRICE, "VND (integer)")),
        insurance_price_vnd=int(insurance_price) if insurance_price else None,
        cost_group=cost_group,
        lab_panel=lab_panel,
        analytes=reported,
        note=row["note"] or None,
    )


def load_hospital_services(
    path: Path,
    national: Mapping[str, TechnicalService],
    analytes: Mapping[str, LabAnalyte],
    panels: Mapping[str, LabPanel],
) -> Mapping[str, HospitalService]:
    services: dict[str, HospitalService] = {}
    for line, row in read_annotated_rows(path, _COLUMNS):
        service = _parse_row(path, line, row, national, analytes, panels)
        if service.code in services:
            raise reject_row(path, line, "code", "mã bị trùng", "duplicate code")
        services[service.code] = service
    # Ordering a panel orders the services that report its analytes: they must cover it.
    for panel in panels.values():
        covered = {
            analyte
            for service in services.values()
            if service.analytes and set(service.analytes) <= set(panel.analytes)
            for analyte in service.analytes
        }
        missing = [analyte for analyte in panel.analytes if analyte not in covered]
        if missing:
            raise CatalogError(
                "catalog_value",
                f"{path.name}: không dịch vụ nào trả chỉ số {', '.join(missing)} "
                f"của nhóm {panel.code}",
                f"{path.name}: no service reports {', '.join(missing)} of panel {panel.code}",
                field="analytes",
            )
    return MappingProxyType(services)


@lru_cache(maxsize=1)
def hospital_services() -> Mapping[str, HospitalService]:
    """Our service code -> service, in file order (read-only)."""
    return load_hospital_services(
        data_file(DEMO_SERVICES_FILE), technical_services(), lab_analytes(), lab_panels()
    )


def find_service(code: str) -> HospitalService:
    service = hospital_services().get(code)
    if service is None:
        raise NotFound(
            "service_unknown",
            f"Dịch vụ '{code}' không có trong danh mục",
            f"service '{code}' is not in the catalogue",
            field="service_code",
        )
    return service


def services_of_kind(kind: str) -> tuple[HospitalService, ...]:
    return tuple(service for service in hospital_services().values() if service.kind == kind)


def services_for_panel(panel_code: str) -> tuple[HospitalService, ...]:
    """The services to order for a lab panel: those reporting only analytes of the panel."""
    panel = lab_panels().get(panel_code)
    if panel is None:
        raise NotFound(
            "lab_panel_unknown",
            f"Nhóm xét nghiệm '{panel_code}' không có",
            f"lab panel '{panel_code}' is not in the catalogue",
            field="panel_code",
        )
    members = set(panel.analytes)
    return tuple(
        service
        for service in hospital_services().values()
        if service.analytes and set(service.analytes) <= members
    )
