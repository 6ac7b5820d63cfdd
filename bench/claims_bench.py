"""XML 130 claims for a month of a large hospital: build, validate and export N visits.

    .venv/bin/python -m bench.claims_bench [--visits 24000] [--workers 1] [--out DIR] [--seed 1]

Each synthetic visit is an outpatient visit or (one in ten) a 1-7 day inpatient stay with
~3 drugs, ~4 services (examination, lab, imaging, a supply) and ~5 result indicators;
prices, quantities, shares and ratios vary at random, and every line's split follows the
standard's formulas, so every claim must validate. Generating the visits is set-up and
not measured; `seconds` is `export_month` over all of them: build the tables, validate
every field and sum, write one GIAMDINHHS file per visit and the summary.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from smarthis.insurance.claims.amounts import line_amounts, totals_from_lines
from smarthis.insurance.claims.export import export_month
from smarthis.insurance.claims.inputs import (
    ClaimCard,
    ClaimPatient,
    ClaimVisit,
    ClinicalCourseEntry,
    DrugLine,
    ParaclinicalResult,
    ServiceLine,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FACILITY = "48001"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hoa", "Đức Huy", "Thu Lan"]
DRUGS = [
    ("40.150", "Amoxicillin 500mg", "Viên"),
    ("40.88", "Paracetamol 500mg", "Viên"),
    ("40.677", "Omeprazol 20mg", "Viên"),
    ("40.1032", "Natri clorid 0,9% 500ml", "Chai"),
]
SERVICES = [  # (code, name, MA_NHOM, price)
    ("22.0121.1369", "Tổng phân tích tế bào máu ngoại vi", 1, "40400"),
    ("23.0075.1494", "Định lượng Glucose", 1, "21500"),
    ("18.0119.0028", "Chụp Xquang ngực thẳng", 2, "65400"),
    ("18.0001.0001", "Siêu âm ổ bụng", 2, "43900"),
    ("18.0162.0041", "Chụp cắt lớp vi tính lồng ngực", 2, "522000"),
]
DOCTOR, TECHNICIAN = "000123/ĐNA-CCHN", "004567/ĐNA-CCHN"


def _amounts(rng: random.Random, quantity: Decimal, price: Decimal, share: Decimal):  # noqa: ANN202
    ratio = Decimal(rng.choice([100, 100, 100, 50]))
    return ratio, line_amounts(
        quantity=quantity,
        hospital_price=price,
        insurance_price=price,
        share_percent=share,
        ratio_insurance=ratio,
    )


def synthetic_visit(rng: random.Random, number: int, month_start: datetime) -> ClaimVisit:
    inpatient = rng.random() < 0.1
    admitted = month_start + timedelta(days=rng.randrange(0, 23), minutes=rng.randrange(0, 600))
    stay = timedelta(days=rng.randrange(1, 7)) if inpatient else timedelta(hours=3)
    share = Decimal(rng.choice([80, 80, 80, 95, 100, 40]))

    def when() -> datetime:
        return admitted + timedelta(seconds=rng.randrange(0, int(stay.total_seconds())))

    exam_price = Decimal("50600")
    services = [
        ServiceLine(
            service_code="02.1896",
            service_name="Khám Nội",
            cost_group=13,
            unit="Lần",
            quantity=Decimal(1),
            hospital_price=exam_price,
            insurance_price=exam_price,
            amounts=line_amounts(
                quantity=Decimal(1),
                hospital_price=exam_price,
                insurance_price=exam_price,
                share_percent=share,
            ),
            department_code="K01",
            doctor_codes=(DOCTOR,),
            ordered_at=admitted,
        )
    ]
    for code, name, group, price in rng.sample(SERVICES, 2):
        ordered = when()
        services.append(
            ServiceLine(
                service_code=code,
                service_name=name,
                cost_group=group,
                unit="Lần",
                quantity=Decimal(1),
                hospital_price=Decimal(price),
                insurance_price=Decimal(price),
                amounts=line_amounts(
                    quantity=Decimal(1),
                    hospital_price=Decimal(price),
                    insurance_price=Decimal(price),
                    share_percent=share,
                ),
                department_code="K01",
                doctor_codes=(DOCTOR,),
                performer_codes=(TECHNICIAN,),
                ordered_at=ordered,
                performed_at=ordered,
                result_at=ordered,
            )
        )
    supply_quantity, supply_price = Decimal(rng.randint(1, 5)), Decimal("1200.5")
    services.append(
        ServiceLine(
            supply_code="N03.05.070",
            supply_name="Bơm tiêm nhựa 5ml",
            tender_info="123/QĐ-BV;G1;N1;2025",
            cost_group=10,
            unit="Cái",
            quantity=supply_quantity,
            hospital_price=supply_price,
            insurance_price=supply_price,
            amounts=line_amounts(
                quantity=supply_quantity,
                hospital_price=supply_price,
                insurance_price=supply_price,
                share_percent=share,
            ),
            department_code="K01",
            doctor_codes=(DOCTOR,),
            ordered_at=when(),
        )
    )
    drugs = []
    for code, name, unit in rng.sample(DRUGS, 3):
        quantity = Decimal(rng.randint(1, 30))
        price = Decimal(rng.randint(200, 90000)) / Decimal(rng.choice([1, 10, 1000]))
        ratio, amounts = _amounts(rng, quantity, price, share)
        drugs.append(
            DrugLine(
                drug_code=code,
                cost_group=4,
                name=name,
                unit=unit,
                strength="500mg",
                route_code="1.01",
                dosage="Ngày 2 lần, mỗi lần 1",
                quantity=quantity,
                unit_price=price,
                ratio_insurance=ratio,
                amounts=amounts,
                department_code="K01",
                doctor_codes=(DOCTOR,),
                ordered_at=when(),
                tender_info="20/QĐ-SYT;G1;N4;2025",
                registration_number="VD-12345-20",
            )
        )
    results = tuple(
        ParaclinicalResult(
            service_code=services[1].service_code,
            indicator_code=f"CS{i}",
            indicator_name=f"Chỉ số {i}",
            value=f"{rng.uniform(1, 200):.1f}",
            unit="mmol/L",
            result_at=services[1].result_at,
            reading_doctor_codes=(DOCTOR,),
        )
        for i in range(1, 6)
    )
    course = ()
    if inpatient:
        course = tuple(
            ClinicalCourseEntry(
                course=f"Ngày {d + 1}: sốt nhẹ, ăn uống được, mạch 85 l/p",
                at=admitted + timedelta(days=d),
                performer_codes=(DOCTOR,),
            )
            for d in range(stay.days)
        )
    drugs_t, services_t = tuple(drugs), tuple(services)
    return ClaimVisit(
        claim_code=f"{FACILITY}-202611-{number:06d}",
        facility_code=FACILITY,
        record_number=f"HS{number:08d}",
        patient=ClaimPatient(
            patient_code=f"BN{number:08d}",
            full_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            sex=rng.choice([1, 2]),
            birth_date=date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28)),
            citizen_id=f"048{rng.randrange(10**9):09d}",
            address="Phường Hải Châu 1, Quận Hải Châu, Đà Nẵng",
            province_code="48",
            district_code="490",
            ward_code="20194",
            weight_kg=Decimal(rng.randint(3000, 9000)) / 100,
        ),
        cards=(
            ClaimCard(
                code=f"DN4{rng.randrange(10**12):012d}",
                registered_facility=FACILITY,
                valid_from=date(2026, 1, 1),
                valid_to=date(2026, 12, 31),
            ),
        ),
        category="1.1",
        visit_kind="03" if inpatient else "01",
        admitted_at=admitted,
        inpatient_from=admitted if inpatient else None,
        inpatient_reason="Viêm phổi, cần theo dõi" if inpatient else None,
        discharged_at=admitted + stay,
        reason_for_visit="Ho, sốt",
        admission_diagnosis="Viêm phế quản cấp",
        discharge_diagnosis="Viêm phế quản cấp",
        main_icd10="J209",
        department_codes=("K01",),
        treatment_result=2,
        discharge_type=1,
        settlement_year=2026,
        settlement_month=11,
        totals=totals_from_lines(drugs_t, services_t),
        drugs=drugs_t,
        services=services_t,
        results=results,
        course=course,
    )


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(visits: int, out: Path, seed: int, workers: int = 1) -> dict[str, object]:
    rng = random.Random(seed)
    month_start = datetime(2026, 11, 1, 7, 0, tzinfo=VN)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    claims = [synthetic_visit(rng, n, month_start) for n in range(1, visits + 1)]
    generated = time.perf_counter() - started
    # The month's input stays alive throughout: keep the cyclic garbage collector from
    # walking its millions of objects again and again (a loader would stream them instead).
    gc.freeze()
    started, cpu_started = time.perf_counter(), time.process_time()
    children_before = _children_cpu_s()
    summary = export_month(
        claims, out, month="2026-11", created_on=date(2026, 12, 1), workers=workers
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started + _children_cpu_s() - children_before
    size = sum(p.stat().st_size for p in out.iterdir())
    return {
        "bench": "claims_export_month",
        "visits": visits,
        "exported": summary.exported,
        "invalid": summary.invalid,
        "lines_per_visit": round(
            sum(len(c.drugs) + len(c.services) + len(c.results) + len(c.course) for c in claims)
            / visits,
            2,
        ),
        "seconds": round(seconds, 2),
        "workers": workers,
        # CPU time of this process and its worker processes: what the work costs, whatever
        # else shares the machine.
        "cpu_seconds": round(cpu_seconds, 2),
        "ms_per_visit": round(seconds * 1000 / visits, 3),
        "generate_seconds": round(generated, 2),
        "output_mb": round(size / 1e6, 1),
        "goal_seconds": 60,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=24000)
    parser.add_argument("--out", type=Path, default=None, help="default: a temporary directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="export processes")
    args = parser.parse_args()
    if args.out is not None:
        result = run(args.visits, args.out, args.seed, args.workers)
        print(json.dumps(result, ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory(prefix="claims-bench-") as tmp:
        result = run(args.visits, Path(tmp), args.seed, args.workers)
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
