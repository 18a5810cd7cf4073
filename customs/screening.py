"""Screening: packing photos → vision verdicts → risk channel → release or inspection.

The vision check is pluggable (`Screener`). With no screener, nothing is released
automatically: the shipment goes to inspection with the reason saying so.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from customs import certificates, inspections, lifecycle, risk
from customs.db import session_scope
from customs.declarations import approved_filing, goods_of, photos_of
from customs.errors import NotFound
from customs.filings import photos_of as filing_photos_of
from customs.settings import Settings
from customs.storage import BlobStore
from models import (
    Channel,
    CreditLevel,
    Declaration,
    DeclarationStatus,
    Enterprise,
    Filing,
    PackingPhoto,
    Screening,
    VisionDecision,
    utcnow,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FilingSnapshot:
    id: int
    un_numbers: list[str]
    transport_mode: str
    requires_9a: bool
    packing_instruction: str
    reference_photos: dict[str, bytes]


@dataclass(frozen=True)
class DeclaredSnapshot:
    un_numbers: list[str]
    transport_mode: str
    package_count: int
    gross_weight_kg: float


@dataclass
class PhotoVerdict:
    decision: VisionDecision
    reasons: list[dict[str, str]]
    scores: dict[str, float] = field(default_factory=dict)
    phash: str = ""
    evidence_png: bytes | None = None


Screener = Callable[[bytes, FilingSnapshot | None, DeclaredSnapshot, Sequence[str], date],
                    PhotoVerdict]

_SEVERITY = {VisionDecision.release: 0, VisionDecision.inspect: 1, VisionDecision.retake_photo: 2}


def combine(verdicts: Sequence[PhotoVerdict]) -> VisionDecision:
    """A retake request wins (the photos can't be judged), then any anomaly, else release."""
    return max((v.decision for v in verdicts), key=_SEVERITY.__getitem__)


def _filing_snapshot(session: Session, store: BlobStore, filing: Filing) -> FilingSnapshot:
    references = {p.face: store.get(p.sha256) for p in filing_photos_of(session, filing.id)}
    return FilingSnapshot(id=filing.id, un_numbers=list(filing.un_numbers),
                          transport_mode=filing.transport_mode, requires_9a=filing.requires_9a,
                          packing_instruction=filing.packing_instruction,
                          reference_photos=references)


def _declared_snapshot(session: Session, declaration: Declaration) -> DeclaredSnapshot:
    goods = goods_of(session, declaration.id)
    return DeclaredSnapshot(
        un_numbers=sorted({g.un_number for g in goods if g.un_number}),
        transport_mode=declaration.transport_mode,
        package_count=sum(g.quantity for g in goods),
        gross_weight_kg=sum(g.gross_weight_kg for g in goods))


def _history_hashes(session: Session, declaration_id: int) -> list[str]:
    query = select(PackingPhoto.phash).where(PackingPhoto.declaration_id != declaration_id,
                                             PackingPhoto.phash != "")
    return list(session.exec(query))


def _run_screener(screener: Screener, photo: bytes, filing: FilingSnapshot | None,
                  declared: DeclaredSnapshot, history: Sequence[str]) -> PhotoVerdict:
    try:
        return screener(photo, filing, declared, history, utcnow().date())
    except Exception:  # a broken photo or model must never crash the worker
        log.exception("vision check failed")
        return PhotoVerdict(VisionDecision.inspect, [{
            "code": "vision_error",
            "message": "the automated check could not process this photo; an officer inspects"}])


def run_screening(session: Session, settings: Settings, store: BlobStore, declaration_id: int,
                  screener: Screener | None) -> Screening | None:
    declaration = session.get(Declaration, declaration_id)
    if declaration is None or declaration.status != DeclarationStatus.screening:
        return None  # already decided by an earlier job, or cancelled
    enterprise = session.get(Enterprise, declaration.enterprise_id)
    assert enterprise is not None
    photos = list(photos_of(session, declaration.id))
    filing = approved_filing(session, declaration)
    reasons: list[dict[str, str]] = []
    scores: dict[str, float] = {}
    evidence: list[str] = []
    vision: VisionDecision | None = None
    if screener is not None and photos:
        snapshot = _filing_snapshot(session, store, filing) if filing else None
        declared = _declared_snapshot(session, declaration)
        history = _history_hashes(session, declaration.id)
        verdicts = []
        for photo in photos:
            verdict = _run_screener(screener, store.get(photo.sha256), snapshot, declared, history)
            verdicts.append(verdict)
            photo.phash = verdict.phash
            session.add(photo)
            if verdict.evidence_png:
                evidence.append(store.put(verdict.evidence_png)[0])
            reasons.extend({**r, "photo_id": str(photo.id)} for r in verdict.reasons)
            scores.update({f"photo{photo.id}.{k}": v for k, v in verdict.scores.items()})
        vision = combine(verdicts)
    credit = CreditLevel(enterprise.credit_level)
    screening = Screening(declaration_id=declaration.id, photo_ids=[p.id for p in photos],
                          vision_decision=vision, reasons=reasons, scores=scores,
                          evidence=evidence, credit_level=credit)
    if vision == VisionDecision.retake_photo:
        session.add(screening)
        lifecycle.transition(session, declaration, DeclarationStatus.photos_rejected, None,
                             reason="; ".join(r["message"] for r in reasons
                                              if r.get("code") != "ok"),
                             evidence=evidence)
        return screening
    sampling = risk.draw_sample(session, settings, enterprise.id, credit, utcnow())
    decision = risk.decide_channel(vision, filing is not None, credit, sampling)
    screening.channel = decision.channel
    screening.sampling_rate = sampling.rate
    screening.sampling_draw = sampling.draw
    screening.sampled = sampling.sampled
    screening.rule_hits = decision.rule_hits
    if vision is None:
        screening.reasons = [{"code": "no_vision_result", "message": decision.reasons[0]}]
    session.add(screening)
    session.flush()
    if decision.channel == Channel.green:
        lifecycle.transition(session, declaration, DeclarationStatus.released, None,
                             reason="green channel: photos match the approved filing, "
                                    f"not sampled (draw {sampling.draw:.6f} ≥ {sampling.rate})",
                             evidence=evidence)
        certificates.issue(session, settings, store, declaration, Channel.green)
    else:
        messages = [r["message"] for r in reasons if r.get("code") != "ok"] + decision.reasons
        lifecycle.transition(session, declaration, DeclarationStatus.inspection_required, None,
                             reason="; ".join(messages), evidence=evidence)
        inspections.create_task(
            session, declaration, messages,
            remote_allowed=declaration.remote_inspection_ok
            and credit != CreditLevel.discredited,
            risk_level=3 if ("vision_anomaly" in decision.rule_hits
                             or credit == CreditLevel.discredited) else 2)
    return screening


def latest(session: Session, declaration_id: int) -> Screening | None:
    query = (select(Screening).where(Screening.declaration_id == declaration_id)
             .order_by(col(Screening.id).desc()))
    return session.exec(query).first()


def current(session: Session, declaration: Declaration) -> Screening:
    """The screening that stands for the declaration now. While a new screening runs, any
    earlier result (e.g. a retake request) is stale, so there is none yet."""
    running = declaration.status == DeclarationStatus.screening
    record = None if running else latest(session, declaration.id)
    if record is None:
        raise NotFound(
            f"declaration {declaration.declaration_no} "
            + ("is being screened; ask again in a few seconds" if running
               else "has not been screened yet: upload a packing photo"),
            code="screening_pending" if running else "not_screened")
    return record


def evidence_sha(session: Session, declaration: Declaration, sha256: str) -> str:
    """An evidence image of the declaration's latest screening, and nothing else."""
    record = latest(session, declaration.id)
    if record is None or sha256 not in record.evidence:
        raise NotFound("no such evidence image for this declaration")
    return sha256


def screening_job(engine: Engine, settings: Settings, declaration_id: int,
                  screener: Screener | None) -> None:
    """One screening in its own transaction (run after the upload's response, or by a worker)."""
    with session_scope(engine) as session:
        run_screening(session, settings, BlobStore(settings.blob_dir), declaration_id, screener)
