"""Element names of each table file and of the envelope, as the portal's schemas spell them.

Table 1 is a single record under its root; the others are lists of records. The check-in
table travels alone (not in GIAMDINHHS) under CHI_TIEU_TRANG_THAI_KCB, and its LOAIHOSO
code on the portal is "0"; claims use LOAIHOSO "130" (the portal's 4750 endpoint).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableLayout:
    key: str  # LOAIHOSO inside the envelope: XML1 ... ; XML0 for check-in
    root: str
    list_tag: str | None  # None: the root is the record itself (table 1)
    record_tag: str


LAYOUTS: dict[str, TableLayout] = {
    "XML0": TableLayout(
        "XML0", "CHI_TIEU_TRANG_THAI_KCB", "DSACH_TRANG_THAI_KCB", "TRANG_THAI_KCB"
    ),
    "XML1": TableLayout("XML1", "TONG_HOP", None, "TONG_HOP"),
    "XML2": TableLayout("XML2", "CHITIEU_CHITIET_THUOC", "DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC"),
    "XML3": TableLayout(
        "XML3", "CHITIEU_CHITIET_DVKT_VTYT", "DSACH_CHI_TIET_DVKT", "CHI_TIET_DVKT"
    ),
    "XML4": TableLayout(
        "XML4", "CHITIEU_CHITIET_DICHVUCANLAMSANG", "DSACH_CHI_TIET_CLS", "CHI_TIET_CLS"
    ),
    "XML5": TableLayout(
        "XML5",
        "CHITIEU_CHITIET_DIENBIENLAMSANG",
        "DSACH_CHI_TIET_DIEN_BIEN_BENH",
        "CHI_TIET_DIEN_BIEN_BENH",
    ),
}

CLAIM_TABLES = ("XML1", "XML2", "XML3", "XML4", "XML5")

ENVELOPE_ROOT = "GIAMDINHHS"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
