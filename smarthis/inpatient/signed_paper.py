"""A stay's papers as signed documents: the discharge paper and the treatment sheet, filed
in the patient's document registry at their first signature and signed again in other
capacities (the head of department) on the same version, then verified for the screen.

The treatment sheet grows with every progress note: signing it after new notes files the
new content as the next version (the registry never overwrites), whose title names the
last note it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smarthis.clinical.papers import Hospital
from smarthis.documents import service as documents
from smarthis.documents.models import Document
from smarthis.documents.pki import PkiConfig
from smarthis.errors import Conflict, NotFound
from smarthis.inpatient.common import get_stay
from smarthis.inpatient.discharge_paper import discharge_paper_pdf
from smarthis.inpatient.models import ProgressNote, Stay
from smarthis.inpatient.treatment_sheet import treatment_sheet_pdf
from smarthis.security.principal import Principal


@dataclass
class SignedPaper:
    document_id: int
    version: int
    ok: bool
    status_vi: str
    signers: list[tuple[str, str]]  # (name, reason) in signing order


@dataclass(frozen=True)
class Paper:
    kind: str  # the registry's document kind
    series: str  # the title's stem; the registry keeps one series per stay and paper
    render: Callable[[Session, Stay, Hospital], bytes]
    edition: Callable[[Session, Stay], str]  # what the content holds, as the title says it


def _discharged(session: Session, stay: Stay) -> str:
    if stay.discharged_at is None:
        raise Conflict(
            "stay_not_discharged",
            "Người bệnh chưa ra viện: chưa có giấy ra viện để ký",
            "The patient is not discharged yet: there is no discharge paper to sign",
            field="stay_id",
        )
    return ""


def _last_note(session: Session, stay: Stay) -> str:
    last = session.scalar(
        select(ProgressNote.id)
        .where(ProgressNote.stay_id == stay.id)
        .order_by(ProgressNote.id.desc())
    )
    return f" (đến diễn biến số {last})" if last else ""


PAPERS = {
    "discharge_paper": Paper(
        "discharge_paper",
        "Giấy ra viện",
        lambda session, stay, hospital: discharge_paper_pdf(session, stay.id, hospital),
        _discharged,
    ),
    "treatment_sheet": Paper("progress_note", "Tờ điều trị", treatment_sheet_pdf, _last_note),
}


def paper(name: str) -> Paper:
    if name not in PAPERS:
        raise NotFound(
            "stay_paper_unknown",
            f"Không có giấy tờ '{name}' ({', '.join(PAPERS)})",
            f"No paper '{name}'",
            field="paper",
        )
    return PAPERS[name]


def _filed(session: Session, stay: Stay, chosen: Paper) -> Document | None:
    """The latest version of this stay's paper in the registry, if any."""
    stem = f"{chosen.series} {stay.stay_number}"
    return session.scalars(
        select(Document)
        .where(
            Document.patient_id == stay.patient_id,
            Document.kind == chosen.kind,
            Document.title.startswith(stem),
        )
        .order_by(Document.id.desc())
        .limit(1)
    ).first()


def sign_paper(
    session: Session,
    actor: Principal,
    config: PkiConfig,
    hospital: Hospital,
    stay_id: int,
    name: str,
    capacity: str,
) -> int:
    """File the paper (first signature, or new content) and sign it; returns its id."""
    chosen = paper(name)
    stay = get_stay(session, actor, stay_id, lock=True)
    title = f"{chosen.series} {stay.stay_number}{chosen.edition(session, stay)}"
    document = _filed(session, stay, chosen)
    if document is None:
        document = documents.register_document(
            session,
            actor,
            patient_id=stay.patient_id,
            kind=chosen.kind,
            title=title,
            pdf=chosen.render(session, stay, hospital),
            visit_id=stay.visit_id,
        )
    elif document.title != title:
        document = documents.correct_document(
            session,
            actor,
            document.id,
            pdf=chosen.render(session, stay, hospital),
            reason="Bổ sung diễn biến mới",
            title=title,
        )
    documents.sign_document(session, actor, config, document.id, capacity)
    return document.id


def paper_status(
    session: Session, actor: Principal, config: PkiConfig, stay_id: int, name: str
) -> SignedPaper | None:
    """The filed paper's verification, or None while it has not been signed yet."""
    chosen = paper(name)
    stay = get_stay(session, actor, stay_id)
    document = _filed(session, stay, chosen)
    if document is None:
        return None
    checked = documents.verify_document(session, actor, config, document.id)
    return SignedPaper(
        document_id=document.id,
        version=document.version,
        ok=checked.ok,
        status_vi=checked.status_vi,
        signers=[(s.signer_name, s.reason) for s in checked.report.signatures],
    )
