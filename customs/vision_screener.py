"""Adapts the `vision` engine to the screening `Screener` interface."""

import importlib
import logging
from collections.abc import Sequence
from datetime import date

from customs.screening import DeclaredSnapshot, FilingSnapshot, PhotoVerdict, Screener
from customs.settings import Settings
from models import VisionDecision

log = logging.getLogger(__name__)


def vision_screener(photo: bytes, filing: FilingSnapshot | None, declared: DeclaredSnapshot,
                    history: Sequence[str], today: date) -> PhotoVerdict:
    import vision

    reference = None
    if filing is not None:
        reference = vision.FilingReference(
            id=str(filing.id), un_numbers=filing.un_numbers, transport_mode=filing.transport_mode,
            requires_9a=filing.requires_9a, packing_instruction=filing.packing_instruction,
            reference_photos=filing.reference_photos)
    declared_data = vision.DeclaredData(
        un_numbers=declared.un_numbers, transport_mode=declared.transport_mode,
        package_count=declared.package_count, gross_weight_kg=declared.gross_weight_kg)
    result = vision.check(photo, reference, declared_data, history_hashes=history, today=today)
    return PhotoVerdict(
        decision=VisionDecision(result.decision),
        reasons=[{"code": r.code, "message": r.message} for r in result.reasons],
        scores={k: float(v) for k, v in result.scores.items()},
        phash=result.phash,
        evidence_png=result.evidence_png,
    )


def get_screener(settings: Settings) -> Screener | None:
    if settings.screening_engine == "none":
        return None
    if settings.screening_engine == "custom":
        module, _, name = settings.custom_screener.partition(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    try:
        import vision

        vision.check  # noqa: B018 - the engine may not be installed in a slim deployment
    except (ImportError, AttributeError):
        log.warning("vision engine unavailable: every shipment goes to inspection")
        return None
    return vision_screener


def warm_up_in_background(screener: Screener | None) -> None:
    """Loads the vision models in a thread at start-up, so the first photo is not the slow one."""
    if screener is not vision_screener:
        return
    import threading

    import vision

    threading.Thread(target=vision.warm_up, name="vision-warm-up", daemon=True).start()
