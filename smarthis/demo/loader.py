"""`smarthis demo`: load the demo hospital into an empty database, and write the portal
simulator's card file so every demo patient's card (and every result code) can be checked."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from smarthis.config import Settings
from smarthis.db import Database
from smarthis.demo.hospital import (
    AREAS,
    DEMO_PASSWORD,
    DEPARTMENTS,
    DEVICES,
    ROOMS,
    SERVICE_POINTS,
    STAFF,
    STAFF_PROFILES,
)
from smarthis.demo.people import DemoPerson, generate_people
from smarthis.documents.pki import PkiConfig, ca_certificate, init_ca, issue_staff_certificate
from smarthis.facility.models import Department, Room
from smarthis.inpatient.wards import seed_demo_wards
from smarthis.insurance.portal_simulator import SimulatorCards, installation_cards_path
from smarthis.patients.identify import register_typed
from smarthis.patients.service import Demographics
from smarthis.pharmacy.stock import seed_demo_stock
from smarthis.queueing.setup import create_area, create_service_point
from smarthis.security.models import Staff
from smarthis.security.principal import system_principal
from smarthis.security.service import create_staff, register_device, set_on_duty
from smarthis.staff.service import save_profile

DEMO_PATIENTS = 200


class DemoAlreadyLoaded(Exception):
    pass


def load_demo(db: Database, settings: Settings) -> dict[str, object]:
    facility = settings.facility_code
    with db.session() as session:
        if session.execute(select(func.count()).select_from(Staff)).scalar_one():
            raise DemoAlreadyLoaded()
        for code, name, kind in DEPARTMENTS:
            session.add(Department(facility_code=facility, code=code, name=name, kind=kind))
        for code, name, department, kind, specialty in ROOMS:
            session.add(
                Room(
                    facility_code=facility,
                    code=code,
                    name=name,
                    department_code=department,
                    kind=kind,
                    specialty=specialty,
                )
            )
        for login, full_name, role, department, cccd in STAFF:
            create_staff(
                session,
                facility_code=facility,
                login=login,
                full_name=full_name,
                role=role,
                password=DEMO_PASSWORD,
                cccd=cccd,
                department_code=department,
            )
        actor = system_principal(facility, source="demo")
        for login, title, certificate in STAFF_PROFILES:
            save_profile(
                session,
                actor,
                login,
                title=title,
                department_code=None,
                specialty=None,
                certificate_number=certificate,
            )
        for code, name in AREAS:
            create_area(session, facility, code, name)
        for code, name, kind, specialty, area, group, prefix, label, floor in SERVICE_POINTS:
            create_service_point(
                session,
                facility,
                code=code,
                name=name,
                kind=kind,
                specialty=specialty,
                area_code=area,
                queue_group=group,
                prefix=prefix,
                room_label=label,
                floor=floor,
            )
        seed_demo_stock(session, facility)
        seed_demo_wards(session, facility)
        device_tokens = []
        for code, name, kind, location, on_duty in DEVICES:
            _device, token = register_device(
                session, facility_code=facility, code=code, name=name, kind=kind, location=location
            )
            # A board's location is its area: it opens that area's display page.
            page = "/kiosk" if kind == "kiosk" else f"/display/{location}"
            device_tokens.append((code, token, page))
            if on_duty:
                set_on_duty(session, code, on_duty)
    people = generate_people(DEMO_PATIENTS)
    actor = system_principal(facility, source="demo")
    for person in people:
        register_typed(
            db,
            actor,
            Demographics(
                full_name=person.full_name,
                date_of_birth=person.date_of_birth,
                sex=person.sex,
                address=person.address,
                ward_code=person.ward_code,
                province_code=person.province_code,
                phone=person.phone,
                guardian_cccd=person.guardian_cccd_number,
                guardian_name=person.guardian_name,
            ),
            cccd=person.cccd_number,
            bhyt_code=person.bhyt_code,
        )
    cards_file = write_simulator_cards(installation_cards_path(settings), people, facility)
    signers = _issue_demo_certificates(settings)
    return {
        "departments": len(DEPARTMENTS),
        "rooms": len(ROOMS),
        "service_points": len(SERVICE_POINTS),
        "staff": len(STAFF),
        "staff_password": DEMO_PASSWORD,
        "devices": {code: token for code, token, _page in device_tokens},
        # Open these once on the kiosk / TV: the token then lives in the device's cookie.
        "device_links": {
            code: f"http://{settings.host}:{settings.port}/device/activate?token={token}"
            f"&next={page}"
            for code, token, page in device_tokens
        },
        "patients": len(people),
        "simulator_cards_file": str(cards_file),
        "signing_certificates": signers,
    }


def _issue_demo_certificates(settings: Settings) -> list[str]:
    """The hospital's own CA and a signing certificate for each demo doctor and nurse, so
    papers can be signed in the demo (a real hospital runs `smarthis pki` or its CA)."""
    config = PkiConfig.from_settings(settings)
    if config.uses_external_ca:
        return []
    if ca_certificate(config) is None:
        init_ca(config)
    issued = []
    for login, full_name, role, _department, _cccd in STAFF:
        if role in ("doctor", "nurse"):
            issue_staff_certificate(config, login, full_name)
            issued.append(login)
    return issued


def _card_record(index: int, person: DemoPerson, facility: str) -> dict[str, object]:
    """A valid card; two in three registered for primary care here, one in five with five
    continuous years of cover (the co-payment exemption needs it)."""
    today = date.today()
    registered_here = index % 3 != 0
    five_years = index % 5 == 0
    birth = person.date_of_birth.strftime("%d/%m/%Y")
    return {
        "maThe": person.bhyt_code,
        "hoTen": person.full_name,
        "ngaySinh": birth,
        "gioiTinh": "Nam" if person.sex == "male" else "Nữ",
        "diaChi": person.address,
        "maDKBD": facility if registered_here else "48010",
        "gtTheTu": f"01/01/{today.year}",
        "gtTheDen": f"31/12/{today.year}",
        "ngayDu5Nam": f"01/01/{today.year - 6}" if five_years else None,
    }


def write_simulator_cards(path: Path, people: list[DemoPerson], facility: str) -> Path:
    """The packaged cards (one per portal result code) plus a valid card per insured person."""
    packaged = [card.model_dump(exclude_none=True) for card in SimulatorCards.packaged()]
    demo = [_card_record(i, p, facility) for i, p in enumerate(people) if p.bhyt_code]
    records = packaged + [{k: v for k, v in r.items() if v is not None} for r in demo]
    SimulatorCards.from_data({"cards": records})  # validate before writing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cards": records}, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
