"""Table 5 (XML5): the clinical course, one record per entry."""

from __future__ import annotations

from smarthis.insurance.claims.builders.record import Record, make_record
from smarthis.insurance.claims.formats import joined, timestamp
from smarthis.insurance.claims.inputs import ClaimVisit


def course_records(visit: ClaimVisit) -> list[Record]:
    return [
        make_record(
            "XML5",
            {
                "MA_LK": visit.claim_code,
                "STT": stt,
                "DIEN_BIEN_LS": e.course,
                "GIAI_DOAN_BENH": e.stage,
                "HOI_CHAN": e.consultation,
                "PHAU_THUAT": e.surgery,
                "THOI_DIEM_DBLS": timestamp(e.at),
                "NGUOI_THUC_HIEN": joined(e.performer_codes),
            },
        )
        for stt, e in enumerate(visit.course, start=1)
    ]
