"""`smarthis demo --days N`: finished outpatient visits for the N days before today.

Each visit walks the real services, as the staff would: registration (at a kiosk for most
patients, at the desk for the rest) with the card checked against the BHXH portal simulator
(served on loopback for the run), the examination with vital signs and ICD-10 diagnoses,
lab and imaging orders with results entered by one person and verified by another, an
issued prescription, the conclusion, payment at the cashier and dispensing from the
pharmacy's lots (restocked when a drug runs short). A few visits end in an admission instead,
and now and then a referral comes straight in for day care (`demo.stays`). The visit is then
moved to its day (`backdate.move_visit`). Everything is drawn from one `random.Random(seed)`:
the same seed gives the same visits.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from smarthis.billing import invoices as billing
from smarthis.billing.payments import collect_at_counter, remaining
from smarthis.catalogs.drugs import Drug, drugs
from smarthis.catalogs.lab import reference_range
from smarthis.catalogs.service_catalog import find_service
from smarthis.clinical import examination as exam
from smarthis.clinical.service import VisitRequest, register_visit
from smarthis.config import Settings
from smarthis.db import Database, utcnow
from smarthis.demo.backdate import move_visit
from smarthis.demo.stays import Wards, nights_before, plan_stays
from smarthis.insurance.portal_client import BhxhPortalClient
from smarthis.orders import service as orders
from smarthis.patients.models import Patient
from smarthis.pharmacy import service as pharmacy
from smarthis.pharmacy.dispensing import dispense_for_visit
from smarthis.pharmacy.stock import hospital_today as today
from smarthis.pharmacy.stock import receive_lot
from smarthis.queueing.clock import HOSPITAL_TZ
from smarthis.security.models import Device, Staff
from smarthis.security.permissions import Role
from smarthis.security.principal import Principal

DEFAULT_VISITS_PER_DAY = 30
OPENING, CLOSING = time(7, 0), time(16, 30)
# (main ICD-10, reason for visit) by sex: an oncology hospital's outpatient mix.
DIAGNOSES = {
    "female": (
        ("C50.9", "Khối u vú, tái khám theo dõi"),
        ("D24", "Sờ thấy khối ở vú"),
        ("C53.9", "Ra máu âm đạo bất thường"),
        ("E04.1", "Nhân tuyến giáp"),
        ("C73", "Theo dõi sau mổ tuyến giáp"),
    ),
    "male": (
        ("C34.9", "Ho kéo dài, đau ngực"),
        ("C16.9", "Đau thượng vị, sụt cân"),
        ("C22.0", "Theo dõi u gan"),
        ("C18.9", "Rối loạn tiêu hoá, đi ngoài ra máu"),
        ("K29.7", "Đau thượng vị"),
    ),
}
LAB_SETS = (("XN-CBC", "XN-GLU"), ("XN-CBC", "XN-AST", "XN-ALT"), ("XN-CEA",), ("XN-CRE",))
IMAGING = ("SA-BUNG", "XQ-NGUC", "SA-GIAP", "SA-VU")
REPORTS = {
    "SA-BUNG": ("Siêu âm ổ bụng", "Gan không to, nhu mô đều. Túi mật, tụy, lách bình thường."),
    "XQ-NGUC": ("Xquang ngực thẳng số hoá", "Hai phế trường sáng, không thấy tổn thương khu trú."),
    "SA-GIAP": ("Siêu âm tuyến giáp", "Thuỳ phải có nhân giảm âm 6 mm, ranh giới rõ."),
    "SA-VU": ("Siêu âm vú hai bên", "Không thấy khối khu trú ở hai vú."),
}


@dataclass
class HistorySummary:
    days: int
    visits: int = 0
    insured: int = 0
    paid_vnd: int = 0
    dispensed: int = 0
    admitted: int = 0  # outpatient visits that ended in a stay, discharged since
    day_care: int = 0  # referrals admitted straight to day care (their own encounter)

    def as_dict(self) -> dict[str, object]:
        return {
            "days": self.days,
            "visits": self.visits,
            "insured": self.insured,
            "paid_vnd": self.paid_vnd,
            "dispensed": self.dispensed,
            "admitted": self.admitted,
            "day_care": self.day_care,
        }


# The hospital's figure: almost every patient registers at a kiosk, the rest at the desk.
KIOSK_SHARE = 0.95


@dataclass(frozen=True)
class Team:
    reception: Principal
    kiosks: tuple[Principal, ...]  # kiosks with a receptionist on duty (for card checks)
    doctors: tuple[Principal, ...]
    lab: tuple[Principal, Principal]  # one enters, the other verifies
    radiology: tuple[Principal, Principal]
    cashier: Principal
    pharmacist: Principal | None
    ward_nurse: Principal | None = None  # of the chemotherapy ward when it has one


def _principal(staff: Staff) -> Principal:
    return Principal(
        kind="staff",
        id=staff.id,
        name=staff.login,
        display_name=staff.full_name,
        role=Role(staff.role),
        facility_code=staff.facility_code,
        source="demo-history",
        cccd=staff.cccd,
    )


def _team(db: Database, facility: str) -> Team:
    with db.session() as session:
        rows = session.scalars(
            select(Staff).where(Staff.facility_code == facility, Staff.active).order_by(Staff.id)
        ).all()
        by_role: dict[str, list[Principal]] = {}
        for staff in rows:
            by_role.setdefault(staff.role, []).append(_principal(staff))
        kiosks = tuple(
            Principal(
                kind="device",
                id=device.id,
                name=device.code,
                display_name=device.name,
                role=Role.KIOSK,
                facility_code=device.facility_code,
                source="demo-history",
            )
            for device in session.scalars(
                select(Device)
                .where(
                    Device.facility_code == facility,
                    Device.kind == "kiosk",
                    Device.on_duty_staff_id.is_not(None),
                )
                .order_by(Device.id)
            )
        )

    def pair(role: str) -> tuple[Principal, Principal]:
        people = by_role.get(role, [])
        if len(people) < 2:
            raise ValueError(f"the demo history needs two staff members with role {role}")
        return people[0], people[1]

    receptionists = [p for p in by_role.get("receptionist", []) if p.cccd]
    if not receptionists or not by_role.get("doctor") or not by_role.get("cashier"):
        raise ValueError("the demo history needs a receptionist with a CCCD, doctors, a cashier")
    pharmacists = by_role.get("pharmacist")
    nurses = sorted(
        (staff for staff in rows if staff.role == "nurse"),
        key=lambda staff: staff.department_code != "KNOI",
    )
    return Team(
        reception=receptionists[0],
        kiosks=kiosks,
        doctors=tuple(by_role["doctor"]),
        lab=pair("lab_technician"),
        radiology=pair("radiologist"),
        cashier=by_role["cashier"][0],
        pharmacist=pharmacists[0] if pharmacists else None,
        ward_nurse=_principal(nurses[0]) if nurses else None,
    )


def _patients(db: Database, facility: str) -> list[tuple[int, str, bool]]:
    """(id, sex, has a card) of the demo's patients."""
    with db.session() as session:
        rows = session.execute(
            select(Patient.id, Patient.sex, Patient.bhyt_code)
            .where(Patient.facility_code == facility, Patient.merged_into_id.is_(None))
            .order_by(Patient.id)
        ).all()
    return [(row.id, row.sex or "female", row.bhyt_code is not None) for row in rows]


def _days(count: int, today: date) -> list[date]:
    """The `count` working days before today (outpatient clinics close on Sundays)."""
    found: list[date] = []
    day = today
    while len(found) < count:
        day -= timedelta(days=1)
        if day.weekday() != 6:
            found.append(day)
    return sorted(found)


def _arrival(rng: random.Random, day: date) -> datetime:
    """Morning-heavy arrivals between opening and mid-afternoon."""
    minutes = int(min(rng.expovariate(1 / 120), 7.5 * 60))
    start = datetime.combine(day, OPENING, tzinfo=HOSPITAL_TZ)
    return start + timedelta(minutes=minutes, seconds=rng.randrange(60))


def _lab_values(rng: random.Random, service_code: str, sex: str) -> list[tuple[str, str]]:
    values = []
    for analyte in find_service(service_code).analytes:
        band = reference_range(analyte, sex, 55.0)
        if band.high is None:
            continue
        # Tumour markers have only an upper limit ("< 5 ng/mL").
        value = rng.uniform(band.low if band.low is not None else 0.2 * band.high, band.high)
        values.append((analyte, f"{value:.1f}" if band.high < 100 else f"{value:.0f}"))
    return values


def _prescription(rng: random.Random, choices: Sequence[Drug]) -> list[pharmacy.ItemInput]:
    chosen = rng.sample(list(choices), k=min(len(choices), rng.randint(1, 3)))
    items = []
    for drug in chosen:
        days = rng.choice((7, 10, 14, 30))
        items.append(
            pharmacy.ItemInput(
                drug_code=drug.code,
                quantity=days * 2,
                instructions=f"Uống 1 {drug.unit}/lần × 2 lần/ngày, sau ăn",
                days=days,
            )
        )
    return items


def _oral_drugs() -> list[Drug]:
    return [
        d
        for d in drugs().values()
        if d.route == "uống" and not d.controlled and d.insurance_covered
    ]


RESTOCK_UNITS = 2000  # what the pharmacy orders when a drug runs short during the history


def _restock(db: Database, pharmacist: Principal, drug_codes: Sequence[str], day: date) -> None:
    """The pharmacy receives a new lot of each drug the shelf cannot cover any more (in a
    month of visits the demo's opening stock runs out, as a real pharmacy's would)."""
    with db.session() as s:
        for code in drug_codes:
            receive_lot(
                s,
                pharmacist,
                code,
                f"{code.removeprefix('T-')[:12]}-{day:%y%m%d}",
                day + timedelta(days=730),
                RESTOCK_UNITS,
            )


class _Journey:
    def __init__(self, db: Database, settings: Settings, portal: BhxhPortalClient, team: Team):
        self.db, self.settings, self.portal, self.team = db, settings, portal, team
        self.drugs = _oral_drugs()
        self.wards = Wards(db, settings, portal, team)
        self.waited = timedelta(0)  # of the visit under way
        self.stay: tuple[int, Principal] | None = None  # (stay, attending) of an admission

    def run(
        self,
        rng: random.Random,
        patient_id: int,
        sex: str,
        insured: bool,
        *,
        arrival: datetime | None = None,
        nights: int = 0,
    ) -> tuple[int, bool, int, bool]:
        """One whole visit; returns (visit id, insured, paid VND, dispensed). With `nights`,
        the doctor admits the patient (if a bed is free), who stays that many nights."""
        team = self.team
        self.waited, self.stay = timedelta(0), None
        at_kiosk = bool(team.kiosks) and rng.random() < KIOSK_SHARE
        visit = register_visit(
            self.db,
            rng.choice(team.kiosks) if at_kiosk else team.reception,
            self.portal,
            self.settings,
            VisitRequest(patient_id, use_insurance=insured),
        )
        self._wait(visit.id, minutes=rng.randint(10, 60))  # for the doctor
        doctor = rng.choice(team.doctors)
        main, reason = rng.choice(DIAGNOSES["male" if sex == "male" else "female"])
        with self.db.session() as s:
            exam.start_examination(s, doctor, visit.id, reason=reason)
            exam.record_vitals(
                s,
                doctor,
                visit.id,
                exam.VitalsInput(
                    pulse=rng.randint(64, 96),
                    temperature_c=round(rng.uniform(36.3, 37.2), 1),
                    systolic=rng.randint(105, 145),
                    diastolic=rng.randint(65, 90),
                    respiratory_rate=rng.randint(16, 20),
                    spo2=rng.randint(95, 99),
                    height_cm=float(rng.randint(150, 172)),
                    weight_kg=float(rng.randint(45, 72)),
                ),
            )
            exam.set_diagnoses(s, doctor, visit.id, main, [], confirm_warnings=True)
            codes = [*rng.choice(LAB_SETS), rng.choice(IMAGING)]
            placed = orders.place_order(s, doctor, visit.id, codes)
            items = [(item.id, item.service_code, item.kind) for item in placed.items]
        self._wait(visit.id, minutes=rng.randint(5, 15))  # to the lab and imaging rooms
        self._results(rng, items, sex)
        self._wait(visit.id, minutes=rng.randint(40, 120))  # results, back to the doctor
        bed = None
        if nights and arrival is not None:
            bed = self.wards.bed_for(rng, patient_id, arrival.date(), nights)
        if bed is not None and arrival is not None:
            paid = self._admit(rng, visit.id, doctor, bed, arrival, nights)
            return visit.id, visit.uses_insurance, paid, False
        with self.db.session() as s:
            prescribed = _prescription(rng, self.drugs)
            pharmacy.save_prescription(s, doctor, visit.id, prescribed, issue=True)
            exam.conclude(
                s,
                doctor,
                visit.id,
                exam.ConclusionInput("home", advice="Tái khám khi có dấu hiệu bất thường"),
            )
        self._wait(visit.id, minutes=rng.randint(5, 20))  # to the cashier
        paid = self._pay(visit.id)
        dispensed = False
        if team.pharmacist is not None:
            self._wait(visit.id, minutes=rng.randint(5, 15))  # to the pharmacy counter
            dispensed = dispense_for_visit(self.db, team.pharmacist, visit.id)
            if not dispensed:
                _restock(self.db, team.pharmacist, [i.drug_code for i in prescribed], today())
                dispensed = dispense_for_visit(self.db, team.pharmacist, visit.id)
        return visit.id, visit.uses_insurance, paid, dispensed

    def _admit(
        self,
        rng: random.Random,
        visit_id: int,
        doctor: Principal,
        bed: tuple[str, str],
        arrival: datetime,
        nights: int,
    ) -> int:
        """Concluded "admit": the examination paid at the cashier, the ward takes the patient
        in (discharged once the visit is on its day, see fill_history). Returns the paid."""
        with self.db.session() as s:
            exam.conclude(s, doctor, visit_id, exam.ConclusionInput("admit"))
        self._wait(visit_id, minutes=rng.randint(5, 20))  # to the cashier
        paid = self._pay(visit_id)
        self._wait(visit_id, minutes=rng.randint(15, 45))  # to the ward

        def wait(visit: int, minutes: int) -> None:
            self._wait(visit, minutes=minutes)

        admitted = arrival + self.waited
        stay_id = self.wards.admit_from_visit(rng, visit_id, doctor, bed, admitted, nights, wait)
        self.stay = (stay_id, doctor)
        return paid

    def _wait(self, visit_id: int, *, minutes: int) -> None:
        """Everything so far happened `minutes` earlier: the next step comes that much later
        in the visit's day (see fill_history for the final move to the day)."""
        with self.db.session() as s:
            move_visit(s, visit_id, -timedelta(minutes=minutes))
        self.waited += timedelta(minutes=minutes)

    def _results(self, rng: random.Random, items: list[tuple[int, str, str]], sex: str) -> None:
        (lab_enters, lab_verifies), (reads, second_reader) = self.team.lab, self.team.radiology
        for item_id, code, kind in items:
            with self.db.session() as s:
                if kind == orders.LAB_KIND:
                    if orders.get_item(s, lab_enters, item_id).specimen_id is None:
                        orders.collect_specimen(s, lab_enters, item_id)  # one tube, many tests
                    orders.enter_lab_results(s, lab_enters, item_id, _lab_values(rng, code, sex))
                    verifier = lab_verifies
                else:
                    technique, findings = REPORTS[code]
                    orders.enter_report(
                        s,
                        reads,
                        item_id,
                        technique=technique,
                        findings=findings,
                        conclusion="Chưa phát hiện bất thường rõ trên hình ảnh.",
                    )
                    verifier = second_reader
            with self.db.session() as s:
                orders.verify(s, verifier, item_id)

    def _pay(self, visit_id: int) -> int:
        cashier = self.team.cashier
        with self.db.session() as s:
            invoice = billing.current_invoice(s, cashier, visit_id)
            if invoice is None or remaining(invoice) == 0:
                return 0
            left = remaining(invoice)
            collect_at_counter(s, cashier, invoice.id, "cash", left)
            return left


@contextmanager
def _portal_simulator(settings: Settings) -> Iterator[BhxhPortalClient]:
    """The BHXH card-check simulator on a free loopback port for the run."""
    import socket
    import threading

    import uvicorn

    from smarthis.insurance.portal_simulator import (
        create_simulator_app,
        installation_cards_path,
        load_cards,
    )

    app = create_simulator_app(
        # The cards `smarthis demo` wrote for this installation's patients.
        load_cards(settings.bhxh_sim_cards_file or installation_cards_path(settings)),
        username=settings.bhxh_username,
        password=settings.bhxh_password,
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="demo-bhxh-simulator", daemon=True)
    thread.start()
    deadline = utcnow() + timedelta(seconds=10)
    while not server.started and utcnow() < deadline:
        threading.Event().wait(0.05)
    local = settings.model_copy(update={"bhxh_portal_url": f"http://127.0.0.1:{port}"})
    client = BhxhPortalClient.from_settings(local)
    try:
        yield client
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def fill_history(
    db: Database,
    settings: Settings,
    days: int,
    *,
    visits_per_day: int = DEFAULT_VISITS_PER_DAY,
    seed: int = 20261126,
    today: date | None = None,
    progress: Callable[[date, int], None] | None = None,
) -> HistorySummary:
    """Fill `days` past working days with `visits_per_day` finished visits each."""
    facility = settings.facility_code
    rng = random.Random(seed)
    team = _team(db, facility)
    patients = _patients(db, facility)
    if not patients:
        raise ValueError("no patients: load the demo hospital first (smarthis demo)")
    summary = HistorySummary(days=days)
    today = today or utcnow().astimezone(HOSPITAL_TZ).date()
    working_days = _days(days, today)
    plan = plan_stays(rng, working_days, visits_per_day, today)
    referred = [p for p in patients if p[2]] or patients  # day care comes on a card
    with _portal_simulator(settings) as portal:
        journey = _Journey(db, settings, portal, team)
        for index, day in enumerate(working_days):
            for n in range(visits_per_day):
                patient_id, sex, insured = rng.choice(patients)
                arrival = _arrival(rng, day)
                admit = (index, n) in plan.admissions
                nights = rng.randint(1, nights_before(day, today)) if admit else 0
                started = utcnow()
                visit_id, insured, paid, dispensed = journey.run(
                    rng, patient_id, sex, insured, arrival=arrival, nights=nights
                )
                delta = arrival + journey.waited - started
                with db.session() as s:
                    move_visit(s, visit_id, delta)
                if journey.stay is not None:
                    stay_id, doctor = journey.stay
                    paid += journey.wards.discharge_and_pay(
                        rng, stay_id, visit_id, doctor, delta, journey._pay
                    )
                    summary.admitted += 1
                summary.visits += 1
                summary.insured += int(insured)
                summary.paid_vnd += paid
                summary.dispensed += int(dispensed)
            if index in plan.day_care_days:
                done = journey.wards.day_care(rng, rng.choice(referred), day, journey._pay)
                if done is not None:
                    summary.day_care += 1
                    summary.insured += int(done[1])
                    summary.paid_vnd += done[2]
            if progress is not None:
                progress(day, summary.visits)
    return summary
