"""Screening: packing photos → vision verdicts → risk channel → release or inspection.

A screening job runs in three steps so that no database transaction is open while the vision
check runs:

1. `prepare` reads, in one short transaction, everything the check needs: the declaration's
   version, all of its photos, the filing, the declared data and the fingerprints of other
   declarations' photos.
2. The vision check runs on those photos, with no transaction open.
3. `decide` writes the decision in one transaction, under a lock that serialises decisions,
   and only if nothing it looked at has changed: a photo uploaded meanwhile (it bumps the
   declaration's version) or another declaration's photo fingerprinted meanwhile makes it
   `StaleScreening`, and the job starts over on the full set. So a release always rests on
   exactly the photos it names, never on a subset.

The vision check is pluggable (`Screener`). With no screener, nothing is released
automatically: the shipment goes to inspection with the reason saying so.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, text, update
from sqlmodel import Session, col, select

from customs import calibration, certificates, inspections, lifecycle, risk, transaction
from customs.calibration import CalibrationSnapshot
from customs.db import session_scope
from customs.declarations import approved_filing, goods_of, photos_of
from customs.errors import ConcurrentUpdate, NotFound
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
MAX_ROUNDS = 5  # photos arriving faster than this many re-screens: the job retries later
_DECISION_LOCK = 0x434C4541  # PostgreSQL advisory lock key ("CLEA")


@dataclass(frozen=True)
class FilingSnapshot:
    id: int
    un_numbers: list[str]
    transport_mode: str
    provision: str
    packing_instruction: str
    reference_photos: dict[str, bytes]  # face → rectified face image (the original if none)


@dataclass(frozen=True)
class DeclaredSnapshot:
    un_numbers: list[str]
    transport_mode: str
    package_count: int
    gross_weight_kg: float


@dataclass(frozen=True)
class PhotoInput:
    id: int
    data: bytes


@dataclass(frozen=True)
class ScreeningRequest:
    """Everything a vision check judges at once: all photos of one declaration."""

    photos: list[PhotoInput]
    filing: FilingSnapshot | None
    declared: DeclaredSnapshot
    history: Sequence[str]
    today: date
    calibration: CalibrationSnapshot | None = None
    # the earlier photo with a given hash (None where it is gone): a near one is compared
    # pixel by pixel, since a cropped copy's hash moves as far as another photo's
    history_photo: Callable[[str], bytes | None] = lambda _phash: None


@dataclass
class PhotoFinding:
    """What the check found on one photo: its fingerprint, scores and evidence image."""

    photo_id: int
    phash: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    evidence_png: bytes | None = None


@dataclass
class DeclarationVerdict:
    """One verdict over all of the declaration's photos. Each reason is
    ``{"code", "message", "photo_ids": [...]}``; empty photo_ids: about the declaration."""

    decision: VisionDecision
    reasons: list[dict[str, Any]]
    photos: list[PhotoFinding] = field(default_factory=list)
    model_version: str = ""
    calibration_version: str = ""


Screener = Callable[[ScreeningRequest], DeclarationVerdict]

_SEVERITY = {VisionDecision.release: 0, VisionDecision.inspect: 1, VisionDecision.retake_photo: 2}


class StaleScreening(Exception):
    """What the screening looked at changed before it could decide: screen again."""


@dataclass(frozen=True)
class PhotoRef:
    id: int
    sha256: str
    reused_from: int | None


@dataclass(frozen=True)
class PreparedScreening:
    declaration_id: int
    version: int
    photos: list[PhotoRef]
    filing_id: int | None
    declared: DeclaredSnapshot
    history: dict[str, str]  # hash -> stored file of other declarations' photos


def combine(decisions: Sequence[VisionDecision]) -> VisionDecision:
    """A retake request wins (the photos can't be judged), then any anomaly, else release."""
    return max(decisions, key=_SEVERITY.__getitem__)


def _filing_snapshot(session: Session, store: BlobStore, filing: Filing) -> FilingSnapshot:
    """The filing as the check sees it; reference faces are the rectified ones."""
    assert filing.id is not None
    references = {p.face: store.get(p.rectified_sha256 or p.sha256)
                  for p in filing_photos_of(session, filing.id)}
    return FilingSnapshot(id=filing.id, un_numbers=list(filing.un_numbers),
                          transport_mode=filing.transport_mode, provision=filing.provision,
                          packing_instruction=filing.packing_instruction,
                          reference_photos=references)


def _declared_snapshot(session: Session, declaration: Declaration) -> DeclaredSnapshot:
    assert declaration.id is not None
    goods = goods_of(session, declaration.id)
    return DeclaredSnapshot(
        un_numbers=sorted({g.un_number for g in goods if g.un_number}),
        transport_mode=declaration.transport_mode,
        package_count=sum(g.quantity for g in goods),
        gross_weight_kg=sum(g.gross_weight_kg for g in goods))


def _history(session: Session, declaration_id: int) -> dict[str, str]:
    """Other declarations' fingerprinted photos: hash -> stored file (the first, where
    several photos share a hash)."""
    query = (select(PackingPhoto.phash, PackingPhoto.sha256)
             .where(PackingPhoto.declaration_id != declaration_id, PackingPhoto.phash != "")
             .order_by(col(PackingPhoto.id)))
    history: dict[str, str] = {}
    for phash, sha256 in session.exec(query):
        history.setdefault(phash, sha256)
    return history


def prepare(session: Session, declaration_id: int) -> PreparedScreening | None:
    """What the check needs, read in the caller's (short) transaction; None if there is
    nothing to screen (decided meanwhile, cancelled, or gone)."""
    declaration = session.get(Declaration, declaration_id)
    if declaration is None or declaration.status != DeclarationStatus.screening:
        return None
    filing = approved_filing(session, declaration)
    photos = [PhotoRef(p.id, p.sha256, p.reused_from_declaration_id)
              for p in photos_of(session, declaration_id) if p.id is not None]
    return PreparedScreening(
        declaration_id=declaration_id, version=declaration.version, photos=photos,
        filing_id=filing.id if filing else None,
        declared=_declared_snapshot(session, declaration),
        history=_history(session, declaration_id))


def _stored(store: BlobStore, sha256: str | None) -> bytes | None:
    if sha256 is None:
        return None
    try:
        return store.get(sha256)
    except NotFound:  # swept meanwhile: the hash alone decides
        return None


def _run_screener(screener: Screener, request: ScreeningRequest) -> DeclarationVerdict:
    try:
        return screener(request)
    except Exception:  # a broken photo or model must never crash the worker
        log.exception("vision check failed")
        return DeclarationVerdict(VisionDecision.inspect, [{
            "code": "vision_error", "photo_ids": [p.id for p in request.photos],
            "message": "the automated check could not process these photos; an officer "
                       "inspects"}])


def _reuse_reason(photo: PhotoRef) -> dict[str, Any]:
    return {"code": "photo_reused", "photo_ids": [photo.id],
            "message": f"this exact photo was first uploaded to declaration {photo.reused_from}: "
                       "a photo is evidence for one shipment only"}


def _serialise_decisions(session: Session, declaration_id: int) -> None:
    """Decisions run one at a time, so two declarations sharing a photo can't both pass."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DECISION_LOCK})
    else:  # SQLite: a first write takes the database's write lock for the transaction
        session.execute(update(Declaration).where(col(Declaration.id) == declaration_id)
                        .values(version=Declaration.version))


def decide(session: Session, settings: Settings, store: BlobStore, prepared: PreparedScreening,
           verdict: DeclarationVerdict | None, evidence: list[str]) -> Screening:
    """Writes the decision over exactly `prepared.photos`, and commits.

    `verdict` is None when there is no vision engine. Raises StaleScreening if anything the
    verdict rests on changed since `prepare`."""
    _serialise_decisions(session, prepared.declaration_id)
    declaration = session.get(Declaration, prepared.declaration_id, populate_existing=True)
    if (declaration is None or declaration.status != DeclarationStatus.screening
            or declaration.version != prepared.version):
        raise StaleScreening("the declaration changed while it was screened")
    if _history(session, prepared.declaration_id).keys() != prepared.history.keys():
        raise StaleScreening("other declarations' photos were fingerprinted meanwhile")
    enterprise = session.get(Enterprise, declaration.enterprise_id)
    assert enterprise is not None
    filing = approved_filing(session, declaration)
    if (filing.id if filing else None) != prepared.filing_id:
        raise StaleScreening("the filing changed while the photos were screened")
    reasons: list[dict[str, Any]] = []
    scores: dict[str, float] = {}
    vision: VisionDecision | None = None
    if verdict is not None:
        judged = {p.id for p in prepared.photos}
        for finding in verdict.photos:
            if finding.photo_id not in judged:
                continue
            if finding.phash:
                session.execute(update(PackingPhoto)
                                .where(col(PackingPhoto.id) == finding.photo_id)
                                .values(phash=finding.phash))
            scores.update({f"photo{finding.photo_id}.{k}": v
                           for k, v in finding.scores.items()})
        reasons = [dict(r) for r in verdict.reasons]
        vision = verdict.decision
    credit = CreditLevel(enterprise.credit_level)
    screening = Screening(declaration_id=declaration.id,
                          photo_ids=[p.id for p in prepared.photos],
                          photo_sha256s=[p.sha256 for p in prepared.photos],
                          vision_decision=vision, reasons=reasons, scores=scores,
                          evidence=evidence, credit_level=credit,
                          model_version=verdict.model_version if verdict else "",
                          calibration_version=verdict.calibration_version if verdict else "")
    if vision == VisionDecision.retake_photo:
        session.add(screening)
        lifecycle.transition(session, declaration, DeclarationStatus.photos_rejected, None,
                             reason="; ".join(r["message"] for r in reasons
                                              if r.get("code") != "ok"),
                             evidence=evidence)
        transaction.commit(session)
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
    transaction.commit(session)
    return screening


@dataclass
class ScreeningContext:
    """What a screening job needs from its process: where the data is, and the engine."""

    engine: Engine
    settings: Settings
    store: BlobStore
    screener: Screener | None
    keep_alive: Callable[[], None] = lambda: None  # renews the job's lease


def _check_photos(context: ScreeningContext, prepared: PreparedScreening
                  ) -> tuple[DeclarationVerdict | None, list[str]]:
    """Runs the vision check on all photos at once (no transaction open); returns the verdict
    and the evidence images it stored. A photo reused from another declaration is not judged:
    it sends the shipment to inspection by itself."""
    if context.screener is None or not prepared.photos:
        return None, []
    filing_snapshot = None
    with session_scope(context.engine) as session:
        if prepared.filing_id is not None:
            filing = session.get(Filing, prepared.filing_id)
            assert filing is not None
            filing_snapshot = _filing_snapshot(session, context.store, filing)
        active = calibration.active(session)
    reused = [p for p in prepared.photos if p.reused_from is not None]
    fresh = [p for p in prepared.photos if p.reused_from is None]
    context.keep_alive()
    if fresh:
        request = ScreeningRequest(
            photos=[PhotoInput(p.id, context.store.get(p.sha256)) for p in fresh],
            filing=filing_snapshot, declared=prepared.declared,
            history=sorted(prepared.history), today=utcnow().date(), calibration=active,
            history_photo=lambda phash: _stored(context.store, prepared.history.get(phash)))
        verdict = _run_screener(context.screener, request)
    else:
        verdict = DeclarationVerdict(VisionDecision.inspect, [])
    context.keep_alive()
    if reused:
        verdict.reasons = [_reuse_reason(p) for p in reused] + list(verdict.reasons)
        verdict.decision = combine([verdict.decision, VisionDecision.inspect])
    evidence: list[str] = []
    for finding in verdict.photos:
        if finding.evidence_png:
            sha256, _ = context.store.put(finding.evidence_png)
            evidence.append(sha256)
    return verdict, evidence


def screen_declaration(context: ScreeningContext, declaration_id: int) -> Screening | None:
    """The screening job: decide over all of the declaration's photos, screening again if a
    photo arrives meanwhile. Idempotent: a declaration no longer in SCREENING is left alone.
    Evidence images of a superseded round stay until the orphan sweep collects them."""
    for _ in range(MAX_ROUNDS):
        with session_scope(context.engine) as session:
            prepared = prepare(session, declaration_id)
        if prepared is None:
            return None
        verdict, evidence = _check_photos(context, prepared)
        try:
            with session_scope(context.engine) as session:
                return decide(session, context.settings, context.store, prepared, verdict,
                              evidence)
        except (StaleScreening, ConcurrentUpdate) as exc:
            log.info("declaration %s: %s; screening again", declaration_id, exc)
    raise StaleScreening(f"declaration {declaration_id} kept changing during {MAX_ROUNDS} "
                         "screenings; the job retries later")


def latest(session: Session, declaration_id: int) -> Screening | None:
    query = (select(Screening).where(Screening.declaration_id == declaration_id)
             .order_by(col(Screening.id).desc()))
    return session.exec(query).first()


def current(session: Session, declaration: Declaration) -> Screening:
    """The screening that stands for the declaration now. While a new screening runs, any
    earlier result (e.g. a retake request) is stale, so there is none yet."""
    running = declaration.status == DeclarationStatus.screening
    assert declaration.id is not None
    record = None if running else latest(session, declaration.id)
    if record is None:
        raise NotFound(
            f"declaration {declaration.declaration_no} "
            + ("is being screened; ask again in a few seconds" if running
               else "has not been screened yet: upload a packing photo"),
            code="screening_pending" if running else "not_screened")
    return record


def photo_numbers(record: Screening, reason: dict[str, Any]) -> list[int]:
    """The 1-based positions, among the screened photos, of the photos a reason names."""
    ids = reason.get("photo_ids") or []
    return [record.photo_ids.index(i) + 1 for i in ids if i in record.photo_ids]


def evidence_sha(session: Session, declaration: Declaration, sha256: str) -> str:
    """An evidence image of the declaration's latest screening, and nothing else."""
    assert declaration.id is not None
    record = latest(session, declaration.id)
    if record is None or sha256 not in record.evidence:
        raise NotFound("no such evidence image for this declaration")
    return sha256
