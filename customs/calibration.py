"""Vision calibration from the field: inspection outcomes label screening reasons, a proposal
is computed from them by the engine's pure `vision.calibrate.propose`, and an admin applies it
as a new calibration version, which every later screening uses and records.

    python -m customs.calibration propose [--max-false-releases N]
    python -m customs.calibration apply VERSION [--max-false-releases N]
"""

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from customs import transaction
from customs.errors import Conflict, DomainError, Invalid
from models import (
    CalibrationVersion,
    Declaration,
    Filing,
    InspectionTask,
    Screening,
    ScreeningOutcome,
    User,
)

LABELS = ("confirmed", "false_alarm")


@dataclass(frozen=True)
class CalibrationSnapshot:
    """The calibration version in force: its name and the engine's parameters."""

    version: str
    params: dict[str, Any] = field(default_factory=dict)


def engine_version() -> str:
    from vision.params import MODEL_VERSION

    return MODEL_VERSION


def _same_scales() -> frozenset[str]:
    """Engine versions whose scores are on the running engine's scales."""
    from vision.params import SAME_SCALES

    return SAME_SCALES


def for_this_engine(record: CalibrationVersion) -> bool:
    """Whether a calibration was fitted for the running engine's scales (one applied before
    versions were recorded has none, so it was for an earlier engine)."""
    return record.report.get("model_version") in _same_scales()


def active(session: Session) -> CalibrationSnapshot | None:
    """The newest active calibration version fitted for this engine; None: the engine's
    defaults. A calibration for another engine version is not used: its thresholds are on
    that engine's scales (vision-2.4's appearance score is a peak above the face's level,
    so a 2.3 limit of 0.9 would release what 2.4 flags at 0.5)."""
    query = (select(CalibrationVersion).where(col(CalibrationVersion.active))
             .order_by(col(CalibrationVersion.id).desc()))
    for record in session.exec(query):
        if for_this_engine(record):
            return CalibrationSnapshot(record.version, dict(record.params))
    return None


def check_labels(labels: dict[str, str], screening: Screening | None) -> dict[str, str]:
    """The officer's labels, restricted to reason codes the screening gave."""
    if not labels:
        return {}
    codes = {str(r.get("code")) for r in (screening.reasons if screening else [])}
    for code, label in labels.items():
        if label not in LABELS:
            raise Invalid(f"label {label!r} for reason {code!r} must be confirmed or "
                          "false_alarm", code="invalid_reason_label")
        if code not in codes:
            raise Invalid(f"the screening gave no reason {code!r}; label only its reasons "
                          f"({', '.join(sorted(codes)) or 'none'})", code="invalid_reason_label")
    return dict(labels)


def record_outcome(session: Session, task: InspectionTask, labels: dict[str, str], bad: bool
                   ) -> ScreeningOutcome | None:
    """Stores what the inspection found about the screening that sent the shipment to it, in
    the caller's transaction (no commit). `bad`: the inspection failed the shipment."""
    screening = session.exec(select(Screening).where(
        Screening.declaration_id == task.declaration_id)
        .order_by(col(Screening.id).desc())).first()
    if screening is None or screening.id is None or task.id is None:
        if labels:
            raise Invalid("this inspection followed no screening: there are no reasons to "
                          "label", code="invalid_reason_label")
        return None
    outcome = ScreeningOutcome(screening_id=screening.id, inspection_task_id=task.id,
                               labels=check_labels(labels, screening), bad=bad)
    session.add(outcome)
    return outcome


def _photo_scores(screening: Screening) -> dict[int, dict[str, float]]:
    """The per-photo scores of a screening (stored as ``photo<ID>.<name>``)."""
    by_photo: dict[int, dict[str, float]] = {}
    for key, value in screening.scores.items():
        photo, _, name = key.partition(".")
        if name and photo.startswith("photo") and photo[5:].isdigit():
            by_photo.setdefault(int(photo[5:]), {})[name] = float(value)
    return by_photo


def labelled_outcomes(session: Session) -> list[Any]:
    """The engine's `Outcome`s, one per photo of each inspected screening, with the reasons
    that name that photo (or the whole declaration). A photo is bad when the inspection failed
    the shipment and one of its reasons was confirmed (or the officer labelled none); good
    when the inspection passed it."""
    from vision.calibrate import Outcome

    rows = session.exec(select(ScreeningOutcome, Screening, Declaration.filing_id).where(
        ScreeningOutcome.screening_id == Screening.id,
        Screening.declaration_id == Declaration.id,
        # scores of another engine version are on other scales
        col(Screening.model_version).in_(_same_scales()))).all()
    outcomes = []
    for labelled, screening, filing_id in rows:
        scores = _photo_scores(screening)
        for photo_id in screening.photo_ids:
            codes = [str(r.get("code")) for r in screening.reasons
                     if not r.get("photo_ids") or photo_id in r.get("photo_ids", [])]
            confirmed = frozenset(c for c in codes if labelled.labels.get(c) == "confirmed")
            bad = labelled.bad and (bool(confirmed) or not labelled.labels)
            # the confirmed reasons are the ones right for the photo (none: any will do)
            outcomes.append(Outcome(scores.get(photo_id, {}), codes, bad,
                                    own=confirmed if bad else frozenset(),
                                    group=None if filing_id is None else str(filing_id)))
    return outcomes


def current_params(session: Session) -> Any:
    from vision import CalibrationParams

    snapshot = active(session)
    if snapshot is None:
        return CalibrationParams()
    return CalibrationParams.from_dict({**snapshot.params, "version": snapshot.version})


def propose(session: Session, max_false_releases: int = 0, version: str = "proposed"
            ) -> dict[str, Any]:
    """The report of a proposal from the labelled outcomes (bound on false release, gain in
    clean release, threshold changes)."""
    from vision.calibrate import propose as engine_propose

    outcomes = labelled_outcomes(session)
    if not outcomes:
        raise Conflict(f"no inspection outcome is labelled yet for photo check "
                       f"{engine_version()}: officers mark screening reasons confirmed or "
                       "false alarm when they record a result", code="no_labelled_outcomes")
    proposal = engine_propose(outcomes, current_params(session), max_false_releases, version)
    report = proposal.to_dict()
    report["reference_filings"] = reference_filings(session, report["reference_problems"])
    return report


def reference_filings(session: Session, problems: Mapping[str, int]) -> list[dict[str, Any]]:
    """The filings a proposal set aside because their reference face is wrong, each with the
    newest filing that replaces it, if the exporter has filed the design again (an approved
    filing is locked). The old filing's photos stay out of the fit either way; the admin sees
    whether someone is on it."""
    out = []
    for filing_id, held in problems.items():
        filing = session.get(Filing, int(filing_id)) if filing_id.isdigit() else None
        if filing is None:
            continue
        again = session.exec(select(Filing).where(Filing.replaces_filing_id == filing.id)
                             .order_by(col(Filing.id).desc())).first()
        out.append({"filing_id": filing.id, "title": filing.title, "held": held,
                    "filed_again": None if again is None else
                    {"filing_id": again.id, "status": again.status.value}})
    return out


def apply(session: Session, admin: User | None, version: str, max_false_releases: int = 0
          ) -> CalibrationVersion:
    """Computes a proposal now and makes it the calibration in force."""
    if session.exec(select(CalibrationVersion).where(
            CalibrationVersion.version == version)).first() is not None:
        raise Conflict(f"calibration version {version!r} exists; choose a new name",
                       code="calibration_version_exists")
    report = {**propose(session, max_false_releases, version),
              "model_version": engine_version()}
    record = CalibrationVersion(version=version, params=report["params"], report=report,
                                created_by=admin.id if admin else None)
    session.add(record)
    transaction.commit(session)
    return record


def list_versions(session: Session) -> list[CalibrationVersion]:
    return list(session.exec(select(CalibrationVersion)
                             .order_by(col(CalibrationVersion.id).desc())))


def main(argv: list[str] | None = None) -> None:
    from customs.db import make_engine, session_scope
    from customs.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m customs.calibration")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("propose", help="print a proposal from the labelled inspection outcomes")
    p.add_argument("--max-false-releases", type=int, default=0)
    a = sub.add_parser("apply", help="apply a proposal as a new calibration version")
    a.add_argument("version")
    a.add_argument("--max-false-releases", type=int, default=0)
    args = parser.parse_args(argv)
    engine = make_engine(Settings().resolved_database_url)
    try:
        with session_scope(engine) as session:
            if args.command == "propose":
                report = propose(session, args.max_false_releases)
            else:
                report = apply(session, None, args.version, args.max_false_releases).report
    except DomainError as exc:
        raise SystemExit(f"calibration: {exc.message}") from None
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
