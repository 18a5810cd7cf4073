"""Adapts the `vision` engine to the screening `Screener` interface."""

import importlib
import logging

from customs.screening import DeclarationVerdict, PhotoFinding, Screener, ScreeningRequest
from customs.settings import Settings
from models import VisionDecision

log = logging.getLogger(__name__)


def vision_screener(request: ScreeningRequest) -> DeclarationVerdict:
    """All of the declaration's photos judged together by `vision.check_declaration`, with the
    calibration version in force."""
    import vision

    filing = request.filing
    reference = None
    if filing is not None:
        reference = vision.FilingReference(
            id=str(filing.id), un_numbers=filing.un_numbers,
            transport_mode=filing.transport_mode,  # type: ignore[arg-type]
            provision=filing.provision, packing_instruction=filing.packing_instruction,
            reference_photos=filing.reference_photos)
    declared = request.declared
    declared_data = vision.DeclaredData(
        un_numbers=declared.un_numbers,
        transport_mode=declared.transport_mode,  # type: ignore[arg-type]
        package_count=declared.package_count, gross_weight_kg=declared.gross_weight_kg)
    params = vision.CalibrationParams()
    if request.calibration is not None:
        params = vision.CalibrationParams.from_dict(
            {**request.calibration.params, "version": request.calibration.version})
    result = vision.check_declaration([p.data for p in request.photos], reference,
                                      declared_data, history_hashes=request.history,
                                      today=request.today, params=params,
                                      history_photo=request.history_photo)
    ids = [p.id for p in request.photos]
    return DeclarationVerdict(
        decision=VisionDecision(result.decision),
        reasons=[{"code": r.code, "message": r.message,
                  "photo_ids": [ids[i] for i in r.photos if 0 <= i < len(ids)]}
                 for r in result.reasons],
        photos=[PhotoFinding(photo_id=ids[i], phash=one.phash,
                             scores={k: float(v) for k, v in one.scores.items()},
                             evidence_png=one.evidence_png)
                for i, one in enumerate(result.photos)],
        model_version=result.model_version,
        calibration_version=result.calibration_version,
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
