"""Studies sent by dcmtk's storescu to a real Orthanc are linked to their orders by the
follower (one pass, run here directly): the doctor's and the radiologist's screens get a
viewer link and a preview proxied through SmartHIS; Orthanc being down costs nothing but
a delay, and the worklist keeps answering meanwhile."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from smarthis.db import Database
from smarthis.integrations.dicom.follower import follow_once
from smarthis.integrations.dicom.models import ImagingProcedure, ImagingStudy, PacsCursor
from smarthis.integrations.dicom.orthanc_client import OrthancClient
from smarthis.integrations.dicom.traffic import recent_dicom_events
from smarthis.security.models import AuditEntry
from smarthis.security.permissions import Role
from tests.apphelpers import client_for, make_app, sign_in_every_role
from tests.integrations.dicom.dcmtk import findscu, sample_for, storescu, worklist_keys
from tests.integrations.dicom.hospital import (
    CT_SERVICE,
    FACILITY,
    MRI_SERVICE,
    patient_with_visit,
    place,
)
from tests.integrations.dicom.pacs import ORTHANC_AET, PASSWORD, USERNAME, OrthancProcess

NAME = "Trần Văn Đức"
PUBLIC_PACS = "https://pacs.benhvien.example"


def _order(db: Database, codes: list[str]) -> tuple[int, str, dict[str, str]]:
    """(visit id, MRN, service code -> accession number)."""
    with db.session() as session:
        visit_id, mrn = patient_with_visit(session, NAME, sex="male")
    placed = place(db, visit_id, codes)
    with db.session() as session:
        accessions = {
            item.service_code: session.execute(
                select(ImagingProcedure.accession_number).where(
                    ImagingProcedure.order_item_id == item.id
                )
            ).scalar_one()
            for item in placed.items
        }
    return visit_id, mrn, accessions


def _send(pacs: OrthancProcess, sample: str, mrn: str, accession: str, tmp: Path) -> None:
    path = sample_for(sample, mrn, "Trần^Văn Đức", accession, tmp / f"{accession}.dcm")
    storescu(pacs.dicom_port, [path], called=ORTHANC_AET)


def _client(pacs: OrthancProcess) -> OrthancClient:
    return OrthancClient(pacs.url, USERNAME, PASSWORD, timeout_s=5)


def test_sent_studies_are_linked_and_shown_with_viewer_and_preview(
    imaging_db: Database, orthanc: OrthancProcess, dcmtk: None, tmp_path: Path
) -> None:
    visit_id, mrn, accession = _order(imaging_db, [CT_SERVICE, MRI_SERVICE])
    _send(orthanc, "CT_small.dcm", mrn, accession[CT_SERVICE], tmp_path)
    _send(orthanc, "MR_small.dcm", mrn, accession[MRI_SERVICE], tmp_path)
    pacs = _client(orthanc)

    result = follow_once(imaging_db, pacs, FACILITY)

    assert result.error is None
    assert sorted(result.linked) == sorted(accession.values())
    with imaging_db.session() as session:
        statuses = session.execute(select(ImagingProcedure.status)).scalars().all()
        studies = session.execute(select(ImagingStudy)).scalars().all()
    assert statuses == ["images_available", "images_available"]
    assert {(s.series_count, s.instances_count) for s in studies} == {(1, 1)}

    app = make_app(
        imaging_db,
        pacs_url=orthanc.url,
        pacs_public_url=PUBLIC_PACS,
        pacs_username=USERNAME,
        pacs_password=PASSWORD,
    )
    creds = sign_in_every_role(imaging_db)
    web = client_for(app)
    shown = web.get(f"/api/imaging/visits/{visit_id}", headers=creds.headers(Role.DOCTOR))
    assert shown.status_code == 200
    ct = next(item for item in shown.json() if item["service_code"] == CT_SERVICE)
    assert ct["status_vi"] == "Đã có ảnh"
    assert ct["accession_number"] == accession[CT_SERVICE]
    (study,) = ct["studies"]
    assert study["viewer_url"].startswith(f"{PUBLIC_PACS}/web-viewer/app/viewer.html?series=")
    # The same address on the PACS itself opens Orthanc's web viewer.
    viewer_path = study["viewer_url"].removeprefix(PUBLIC_PACS).split("?")[0]
    assert orthanc.get(viewer_path).status_code == 200

    preview = web.get(study["preview_url"], headers=creds.headers(Role.RADIOLOGIST))
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG\r\n\x1a\n")
    refused = web.get(study["preview_url"], headers=creds.headers(Role.CASHIER))
    assert refused.status_code == 403
    with imaging_db.session() as session:
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.actor).where(
                AuditEntry.action.in_(["imaging.read", "imaging.preview"])
            )
        ).all()
    assert ("imaging.read", "t.doctor") in actions
    assert ("imaging.preview", "t.radiologist") in actions

    # The doctor's screen carries the block that shows them.
    page = web.get("/doctor/CT-01", headers=creds.headers(Role.DOCTOR))
    assert 'id="imaging-studies"' in page.text and "/static/imaging.js" in page.text


def test_the_follower_continues_from_its_stored_position(
    imaging_db: Database, orthanc: OrthancProcess, dcmtk: None, tmp_path: Path
) -> None:
    _visit, mrn, accession = _order(imaging_db, [CT_SERVICE, MRI_SERVICE])
    _send(orthanc, "CT_small.dcm", mrn, accession[CT_SERVICE], tmp_path)
    first = follow_once(imaging_db, _client(orthanc), FACILITY)
    _send(orthanc, "MR_small.dcm", mrn, accession[MRI_SERVICE], tmp_path)

    # A new client and pass, as after a restart: only what arrived since is read.
    second = follow_once(imaging_db, _client(orthanc), FACILITY)
    third = follow_once(imaging_db, _client(orthanc), FACILITY)

    assert first.linked == [accession[CT_SERVICE]]
    assert second.linked == [accession[MRI_SERVICE]]
    assert second.last_seq > first.last_seq
    assert third.changes_seen == 0 and third.linked == []
    with imaging_db.session() as session:
        assert session.get(PacsCursor, FACILITY).last_seq == third.last_seq
        assert len(session.execute(select(ImagingStudy)).scalars().all()) == 2


def test_a_study_with_an_unknown_accession_is_kept_and_logged(
    imaging_db: Database, orthanc: OrthancProcess, dcmtk: None, tmp_path: Path
) -> None:
    _send(orthanc, "CT_small.dcm", "2026999999", "99999999", tmp_path)

    result = follow_once(imaging_db, _client(orthanc), FACILITY)

    assert result.unmatched == ["99999999"] and result.linked == []
    with imaging_db.session() as session:
        (event,) = recent_dicom_events(session, FACILITY, 5)
    assert event.kind == "study_unmatched" and event.detail["accession"] == "99999999"


def test_orthanc_down_worklist_answers_and_links_catch_up(
    imaging_db: Database,
    orthanc: OrthancProcess,
    worklist_port: int,
    dcmtk: None,
    tmp_path: Path,
) -> None:
    _visit, mrn, accession = _order(imaging_db, [CT_SERVICE])
    orthanc.stop()
    pacs = _client(orthanc)

    down = follow_once(imaging_db, pacs, FACILITY)
    still_down = follow_once(imaging_db, pacs, FACILITY)
    answers = findscu(worklist_port, worklist_keys(modality="CT"), tmp_path / "wl")

    assert down.error and still_down.error
    assert [a.AccessionNumber for a in answers] == [accession[CT_SERVICE]]
    with imaging_db.session() as session:
        errors = [e for e in recent_dicom_events(session, FACILITY, 20) if e.kind == "pacs_error"]
    assert len(errors) == 1 and not errors[0].ok  # one entry for the outage, not per pass

    orthanc.start()
    _send(orthanc, "CT_small.dcm", mrn, accession[CT_SERVICE], tmp_path)
    back = follow_once(imaging_db, pacs, FACILITY)

    assert back.error is None and back.linked == [accession[CT_SERVICE]]
    with imaging_db.session() as session:
        kinds = [(e.kind, e.ok) for e in recent_dicom_events(session, FACILITY, 20)]
    assert ("pacs_error", True) in kinds  # the recovery
    assert ("study_linked", True) in kinds
