"""Table 4 (XML4): one record per result indicator of a paraclinical service."""

from __future__ import annotations

from smarthis.insurance.claims.builders.record import Record, make_record
from smarthis.insurance.claims.formats import joined, timestamp
from smarthis.insurance.claims.inputs import ClaimVisit


def result_records(visit: ClaimVisit) -> list[Record]:
    return [
        make_record(
            "XML4",
            {
                "MA_LK": visit.claim_code,
                "STT": stt,
                "MA_DICH_VU": r.service_code,
                "MA_CHI_SO": r.indicator_code,
                "TEN_CHI_SO": r.indicator_name,
                "GIA_TRI": r.value,
                "DON_VI_DO": r.unit,
                "MO_TA": r.description,
                "KET_LUAN": r.conclusion,
                "NGAY_KQ": timestamp(r.result_at),
                "MA_BS_DOC_KQ": joined(r.reading_doctor_codes),
            },
        )
        for stt, r in enumerate(visit.results, start=1)
    ]
