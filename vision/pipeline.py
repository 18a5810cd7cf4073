"""The staged check of one packing photo against its filing and the declared data."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import cv2
import numpy as np

from vision import anomaly, evidence, labelcheck, marks, quality, registration
from vision import thresholds as T
from vision.imageio import Decoded, decode_photo, resize_long
from vision.phash import HASH_BITS, nearest, phash_rgb
from vision.schema import (
    Box,
    DeclaredData,
    FilingReference,
    Reason,
    VisionInputError,
    VisionResult,
)

OBSOLETE_MARK_LAST_DAY = date(2026, 12, 31)
STANDALONE_BATTERIES = {"UN3480", "UN3090"}  # need Cargo Aircraft Only by air
SMALL_LONG_SIDE = 1000
_LABEL_NAMES = {"lithium_mark": "lithium battery mark", "class9": "class 9 label",
                "class9a": "class 9A label"}


def _registration_scale(work: np.ndarray) -> float:
    """Working pixels per registration pixel (registration runs at PHOTO_LONG_SIDE)."""
    h, w = work.shape[:2]
    s = registration.PHOTO_LONG_SIDE / max(h, w)
    return 1.0 if s >= 1 else w / round(w * s)


def _retake(reasons: list[Reason], scores: dict[str, float], phash: str, t0: float,
            stage_seconds: dict[str, float]) -> VisionResult:
    return VisionResult("retake_photo", reasons, scores, phash, None, time.perf_counter() - t0,
                        stage_seconds=stage_seconds)


def check(photo: bytes, filing: FilingReference | None, declared: DeclaredData,
          history_hashes: Sequence[str] = (), today: date | None = None,
          with_evidence: bool = True) -> VisionResult:
    """Check one packing photo. Never raises on bad images: they give ``retake_photo``."""
    t0 = time.perf_counter()
    today = today or date.today()
    timing: dict[str, float] = {}
    lap = [t0]

    def tick(name: str) -> None:
        now = time.perf_counter()
        timing[name] = now - lap[0]
        lap[0] = now

    try:
        decoded = decode_photo(photo)
    except VisionInputError as exc:
        return _retake([Reason(exc.code, exc.message + " Upload the photo again.", "quality")],
                       {}, "", t0, timing)
    except Exception:  # anything else from a hostile file
        return _retake([Reason("corrupt_image", "The file could not be read as a photo.",
                               "quality")], {}, "", t0, timing)
    tick("decode")
    try:
        return _check_decoded(decoded, filing, declared, history_hashes, today, with_evidence,
                              t0, timing, tick)
    except Exception as exc:  # a bug or a pathological image must not crash the worker
        return VisionResult("inspect", [Reason("check_failed",
                                               f"The automatic check failed ({type(exc).__name__})"
                                               "; an officer must look at the photo.", "system")],
                            {}, "", None, time.perf_counter() - t0, stage_seconds=timing)


def _check_decoded(decoded: Decoded, filing: FilingReference | None, declared: DeclaredData,
                   history_hashes: Sequence[str], today: date, with_evidence: bool, t0: float,
                   timing: dict[str, float], tick: object) -> VisionResult:
    assert callable(tick)
    work = decoded.rgb
    small = resize_long(work, SMALL_LONG_SIDE)
    scores: dict[str, float] = {}
    phash = phash_rgb(resize_long(small, 512))

    # 1. quality gate
    q = quality.assess(small, decoded.original_size)
    scores.update(q.scores)
    tick("quality")
    if q.reasons:
        return _retake(q.reasons, scores, phash, t0, timing)
    reasons: list[Reason] = []

    # 2. reuse
    # the photo turned or mirrored is the same photo: compare all eight orientations
    thumb = resize_long(small, 512)
    variants = [phash_rgb(np.ascontiguousarray(np.rot90(t, k)))
                for t in (thumb, thumb[:, ::-1]) for k in range(4)]
    distance = min(nearest(v, history_hashes)[0] for v in variants)
    scores["reuse_hamming"] = float(distance)
    if distance <= T.MAX_REUSE_HAMMING:
        reasons.append(Reason("reused_photo",
                              f"The photo matches a photo uploaded for another declaration "
                              f"({distance} of {HASH_BITS} hash bits differ).", "reuse"))
    tick("reuse")

    # filing and declaration
    expected_un = {u.upper() for u in (declared.un_numbers or (filing.un_numbers if filing
                                                               else ()))}
    mode = declared.transport_mode or (filing.transport_mode if filing else None)
    if filing is None:
        reasons.append(Reason("no_approved_filing", "There is no approved packaging filing for "
                              "this declaration, so the photo cannot be compared.", "filing"))
    else:
        filed = {u.upper() for u in filing.un_numbers}
        if expected_un and not expected_un <= filed:
            reasons.append(Reason("declaration_filing_mismatch",
                                  f"The declaration says {', '.join(sorted(expected_un))} but the "
                                  f"filing covers {', '.join(sorted(filed)) or 'none'}.", "filing"))
        if declared.transport_mode and declared.transport_mode != filing.transport_mode:
            reasons.append(Reason("transport_mode_mismatch",
                                  f"The declaration says transport by {declared.transport_mode}, "
                                  f"the filing was approved for {filing.transport_mode}.",
                                  "filing"))

    # 3. design match
    reg = None
    design_ok = False
    if filing is not None and filing.reference_photos:
        reg = registration.best_registration(small, filing.reference_photos)
        if reg is not None:
            scores.update({"design_inliers": float(reg.inliers),
                           "design_coverage": reg.coverage, "design_ncc": reg.ncc})
            design_ok = (reg.inliers >= T.MIN_INLIERS and reg.coverage >= T.MIN_COVERAGE
                         and reg.ncc >= T.MIN_DESIGN_NCC)
        if not design_ok:
            reasons.append(Reason("design_mismatch",
                                  "The carton in the photo does not match the filed packaging "
                                  "design (registration to the reference faces failed).",
                                  "design"))
    elif filing is not None:
        reasons.append(Reason("no_reference_photos",
                              "The filing has no reference photos to compare with.", "design"))
    tick("design")

    # 4. marks and labels (only those on the registered carton face count, when it is known)
    boxes: list[tuple[np.ndarray, str, bool]] = []
    face = None
    if reg is not None and design_ok and reg.quad is not None:
        face = reg.quad * _registration_scale(work)

    def on_face(found: list[marks.Found]) -> list[marks.Found]:
        if face is None:
            return found
        poly = face.astype(np.float32).reshape(-1, 1, 2)
        return [f for f in found if cv2.pointPolygonTest(
            poly, tuple(float(v) for v in f.quad.mean(0)), False) >= 0]

    lith = on_face(marks.find_lithium_marks(small, work))
    read = sorted({u for m in lith for u in m.un_numbers})
    scores["marks_lithium_found"] = float(len(lith))
    if not lith:
        reasons.append(Reason("missing_lithium_mark",
                              "No lithium battery mark (red hatched border) was found.", "marks"))
    elif not read:
        reasons.append(Reason("un_number_unreadable",
                              "The UN number in the lithium battery mark cannot be read.",
                              "marks"))
    elif expected_un and set(read) != expected_un:
        reasons.append(Reason("un_number_mismatch",
                              f"The mark reads {', '.join(read)}, the declaration says "
                              f"{', '.join(sorted(expected_un))}.", "marks"))
    obsolete = any(m.phone for m in lith)
    scores["marks_obsolete"] = float(obsolete)
    if obsolete and today > OBSOLETE_MARK_LAST_DAY:
        reasons.append(Reason("obsolete_lithium_mark",
                              "The lithium battery mark is the old design with a telephone "
                              "number, not acceptable after 31 Dec 2026.", "marks"))
    for m in lith:
        ok = (not expected_un or set(m.un_numbers) == expected_un) and not (
            m.phone and today > OBSOLETE_MARK_LAST_DAY)
        boxes.append((m.quad, f"mark {' '.join(m.un_numbers) or '?'}", ok))
    labels9 = on_face(marks.find_class9_labels(work))
    kinds = {f.kind for f in labels9}
    requires_9a = filing.requires_9a if filing is not None else True
    if requires_9a and "class9a" not in kinds:
        found = "a plain class 9 label" if "class9" in kinds else "no class 9 label"
        reasons.append(Reason("missing_9a_label",
                              f"The filing requires the class 9A lithium battery label; the "
                              f"photo shows {found}.", "marks"))
    elif not requires_9a and not kinds:
        reasons.append(Reason("missing_class9_label", "No class 9 hazard label was found.",
                              "marks"))
    for f in labels9:
        boxes.append((f.quad, f.kind.replace("class", "class "),
                      not requires_9a or f.kind == "class9a"))
    if mode == "air" and expected_un & STANDALONE_BATTERIES:
        side = 0.8 * min(np.ptp(lith[0].quad[:, 0]), np.ptp(lith[0].quad[:, 1])) * (
            small.shape[1] / work.shape[1]) if lith else 0.03 * max(small.shape[:2])
        cao = on_face(marks.find_cargo_aircraft_only(small, work, side))
        scores["marks_cao_found"] = float(len(cao))
        if not cao:
            reasons.append(Reason("missing_cargo_aircraft_only",
                                  "Batteries shipped by air need the 'Cargo Aircraft Only' "
                                  "label; none was found.", "marks"))
        boxes += [(c.quad, "cargo aircraft only", True) for c in cao]

    # label integrity against the filed reference labels
    if reg is not None and design_ok:
        checks = labelcheck.check_labels(work, reg, _registration_scale(work))
        if checks:
            worst = min(checks, key=lambda c: c.ncc)
            scores["label_integrity"] = worst.ncc
            if worst.ncc < T.MIN_LABEL_NCC:
                reasons.append(Reason("label_damaged_or_covered",
                                      f"The {_LABEL_NAMES.get(worst.kind, worst.kind)} does not "
                                      f"look like the filed one (similarity {worst.ncc:.2f}): "
                                      f"covered, torn or replaced.", "marks"))
                boxes.append((worst.quad, "label differs from filing", False))
    tick("marks")

    # 5. appearance anomaly
    heat = hom_to_work = None
    if reg is not None and design_ok and reg.rectified is not None and reg.valid is not None:
        amap = anomaly.score(reg.rectified, reg.valid, reg.reference.rgb)
        scores["anomaly"] = amap.score
        scores["anomaly_feature"] = amap.feature_score
        scores["anomaly_colour"] = amap.colour_score
        heat = amap.heat
        k = _registration_scale(work)
        hom_to_work = np.diag([k, k, 1.0]) @ reg.homography
        if amap.score > T.MAX_ANOMALY_SCORE:
            reasons.append(Reason("appearance_anomaly",
                                  f"The packing looks different from the approved photos "
                                  f"(anomaly score {amap.score:.2f} above "
                                  f"{T.MAX_ANOMALY_SCORE:.2f}): damage, crushing, a covered or "
                                  f"torn label, or a foreign label.", "appearance"))
    tick("appearance")

    # 6. decision
    decision = "inspect" if reasons else "release"
    png = None
    if with_evidence:
        face_quad = None
        if reg is not None and reg.quad is not None:
            k = _registration_scale(work)
            face_quad = reg.quad * k
        png = evidence.render(work, boxes, face_quad, design_ok, heat, hom_to_work,
                              T.MAX_ANOMALY_SCORE)
        tick("evidence")
    to_original = 1.0 / decoded.scale
    detections = [Box(label, [(float(x) * to_original, float(y) * to_original) for x, y in quad],
                      ok=ok) for quad, label, ok in boxes]
    return VisionResult(decision, reasons, scores, phash, png, time.perf_counter() - t0,
                        detections=detections, stage_seconds=timing)


def warm_up() -> None:
    """Load the models now (at worker start) instead of on the first photo."""
    from vision import ocr

    anomaly.model()
    ocr.engine()
