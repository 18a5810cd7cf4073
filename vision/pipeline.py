"""The staged check of a declaration's packing photos against its filing and declared data.

Each photo goes through the photo stages (decode, quality, reuse, design match, marks and
labels, appearance); the label regime (marks the filing expects) is then judged over all the
photos together: a required mark may be on any of them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import cv2
import numpy as np

from vision import anomaly, evidence, labelcheck, marks, quality, registration
from vision import regime as R
from vision.imageio import Decoded, decode_photo, resize_long
from vision.learned import confirm
from vision.params import DEFAULT_PARAMS, MODEL_VERSION, CalibrationParams
from vision.phash import HASH_BITS, phash_rgb, ranked
from vision.reuse import HistoryPhoto, is_reused, nearest_copy
from vision.schema import (
    Box,
    DeclarationResult,
    DeclaredData,
    FilingReference,
    Reason,
    VisionInputError,
    VisionResult,
)
from vision.thresholds import MIN_LABEL_FACE_SIDE, MIN_READABLE_LABEL_SIDE

OBSOLETE_MARK_LAST_DAY = date(2026, 12, 31)
SMALL_LONG_SIDE = 1000
FACE_MARGIN = 1.4
_LABEL_NAMES = {"lithium_mark": "lithium battery mark", "class9": "class 9 label",
                "class9a": "class 9A label"}


@dataclass(frozen=True)
class _History:
    """Earlier photos of other declarations: their hashes, and how to fetch one."""

    hashes: Sequence[str]
    photo: HistoryPhoto | None


@dataclass
class _Findings:
    """What one photo shows of the label regime (judged later over all photos)."""

    judged: bool = False  # passed the quality gate
    lithium_marks: int = 0
    lithium_un: set[str] = field(default_factory=set)
    class9_kinds: set[str] = field(default_factory=set)
    cao: bool = False
    # the largest filed label on the located face, as a share of the photo's long side
    label_side: float | None = None


def _design_match(reg: registration.Registration | None, P: CalibrationParams
                  ) -> tuple[bool, bool]:
    if reg is None:
        return False, False
    return P.design_match(reg.inliers, reg.coverage, reg.ncc, reg.layout)


def _rank(reg: registration.Registration | None) -> tuple[bool, bool, float]:
    """The better of two looks: a design match, else a located face, else more evidence.
    Judged with the default floors, not the calibration in force, so that which look is kept
    is the engine's choice and the bench's permissive collection replays it exactly."""
    located, ok = _design_match(reg, DEFAULT_PARAMS)
    return ok, located, 0.0 if reg is None else reg.inliers * reg.coverage


def _retake(reasons: list[Reason], scores: dict[str, float], phash: str, t0: float,
            stage_seconds: dict[str, float]) -> VisionResult:
    return VisionResult("retake_photo", reasons, scores, phash, None, time.perf_counter() - t0,
                        stage_seconds=stage_seconds)


def check(photo: bytes, filing: FilingReference | None, declared: DeclaredData,
          history_hashes: Sequence[str] = (), today: date | None = None,
          with_evidence: bool = True, params: CalibrationParams = DEFAULT_PARAMS,
          history_photo: HistoryPhoto | None = None) -> VisionResult:
    """Check one packing photo (a declaration of one photo). Never raises on bad images."""
    res = check_declaration([photo], filing, declared, history_hashes, today, params,
                            with_evidence=with_evidence, history_photo=history_photo)
    one = res.photos[0]
    one.decision = res.decision
    one.reasons = res.reasons
    one.seconds = res.seconds
    return one


def check_declaration(photos: Sequence[bytes], filing: FilingReference | None,
                      declared: DeclaredData, history_hashes: Sequence[str] = (),
                      today: date | None = None, params: CalibrationParams = DEFAULT_PARAMS,
                      with_evidence: bool = True, history_photo: HistoryPhoto | None = None
                      ) -> DeclarationResult:
    """Check all packing photos of one declaration together. Never raises on bad images.

    ``history_hashes``: pHashes of earlier photos of *other* declarations; ``history_photo``
    fetches the earlier photo with a given hash (None where it is gone), so that a near one is
    checked pixel by pixel; without it the hash alone decides. ``params``: the calibration
    version in force (recorded in the result with the model version)."""
    history = _History(history_hashes, history_photo)
    t0 = time.perf_counter()
    today = today or date.today()
    reasons: list[Reason] = []
    required: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()
    if filing is None:
        reasons.append(Reason("no_approved_filing", "There is no approved packaging filing for "
                              "this declaration, so the photos cannot be compared.", "filing"))
        required = frozenset({R.LITHIUM_MARK})  # nothing can be released anyway
    else:
        try:
            required, forbidden = filing.marks()
        except R.RegimeError as exc:
            reasons.append(Reason("filing_regime_invalid", str(exc), "filing"))
            required = frozenset({R.CLASS9A, R.LITHIUM_MARK})
        reasons += _filing_vs_declared(filing, declared)
    results: list[VisionResult] = []
    findings: list[_Findings] = []
    for index, photo in enumerate(photos):
        res, found = _check_photo(index, photo, filing, declared, history, today,
                                  params, required, forbidden, with_evidence)
        res.model_version, res.calibration_version = MODEL_VERSION, params.version
        results.append(res)
        findings.append(found)
        reasons += res.reasons
    if not photos:
        reasons.append(Reason("no_photos", "The declaration has no packing photo; upload a "
                              "photo of each labelled face.", "quality"))
    regime = _regime_reasons(findings, required, _expected_un(filing, declared),
                             _mode(filing, declared))
    too_far = _labels_too_small(findings, regime)
    if too_far is None:
        reasons += regime
    else:  # what was read off labels this small is no evidence either way
        reasons = [r for r in reasons if r.stage != "marks"] + [too_far]
    if any(r.decision == "retake_photo" for r in results) or not photos or too_far:
        decision = "retake_photo"
    else:
        decision = "inspect" if reasons else "release"
    return DeclarationResult(decision, reasons, results, MODEL_VERSION, params.version,
                             sorted(required), sorted(forbidden), time.perf_counter() - t0)


def _expected_un(filing: FilingReference | None, declared: DeclaredData) -> set[str]:
    return {u.upper() for u in (declared.un_numbers or (filing.un_numbers if filing else ()))}


def _mode(filing: FilingReference | None, declared: DeclaredData) -> str | None:
    return declared.transport_mode or (filing.transport_mode if filing else None)


def _filing_vs_declared(filing: FilingReference, declared: DeclaredData) -> list[Reason]:
    out = []
    expected_un = _expected_un(filing, declared)
    filed = {u.upper() for u in filing.un_numbers}
    if expected_un and not expected_un <= filed:
        out.append(Reason("declaration_filing_mismatch",
                          f"The declaration says {', '.join(sorted(expected_un))} but the "
                          f"filing covers {', '.join(sorted(filed)) or 'none'}.", "filing"))
    if declared.transport_mode and declared.transport_mode != filing.transport_mode:
        out.append(Reason("transport_mode_mismatch",
                          f"The declaration says transport by {declared.transport_mode}, "
                          f"the filing was approved for {filing.transport_mode}.", "filing"))
    return out


def _regime_reasons(findings: list[_Findings], required: frozenset[str],
                    expected_un: set[str], mode: str | None) -> list[Reason]:
    """Required marks, judged over every photo that passed the quality gate. A lithium
    battery mark that is there must show the declared UN numbers even where the regime does
    not require the mark (a fully regulated package may carry one): one whose number no
    photo can read is a reason, as for a required mark. Source B 15353 `000685`: a mark
    printed UN3481 on a UN3480 shipment, cut by the frame and unread, raised nothing."""
    judged = tuple(i for i, f in enumerate(findings) if f.judged)
    if not judged:
        return []
    n = len(judged)
    where = "the photo" if n == 1 else f"any of the {n} photos"
    out: list[Reason] = []
    with_mark = tuple(i for i in judged if findings[i].lithium_marks)
    if R.LITHIUM_MARK in required and not with_mark:
        out.append(Reason("missing_lithium_mark",
                          f"No lithium battery mark (red hatched border) was found on "
                          f"{where}; the filing requires it.", "marks", judged))
    elif (with_mark and (R.LITHIUM_MARK in required or expected_un)
          and not any(findings[i].lithium_un for i in judged)):
        out.append(Reason("un_number_unreadable",
                          "The UN number in the lithium battery mark cannot be read, so it "
                          "cannot be checked against the declaration; take a closer photo of "
                          "the mark.", "marks", with_mark))
    if R.CLASS9A in required and not any("class9a" in findings[i].class9_kinds for i in judged):
        plain = tuple(i for i in judged if "class9" in findings[i].class9_kinds)
        shown = "a plain class 9 label" if plain else "no class 9 label"
        out.append(Reason("missing_9a_label",
                          f"The filing requires the class 9A lithium battery label; "
                          f"{where} shows {shown}.", "marks", plain or judged))
    if R.CAO in required and not any(findings[i].cao for i in judged):
        out.append(Reason("missing_cargo_aircraft_only",
                          f"Batteries shipped alone by air need the 'Cargo Aircraft Only' "
                          f"label; none was found on {where}.", "marks", judged))
    return out


_LABEL_CODES = frozenset({"missing_lithium_mark", "un_number_unreadable", "missing_9a_label",
                          "missing_cargo_aircraft_only"})


def _labels_too_small(findings: list[_Findings], regime: list[Reason]) -> Reason | None:
    """A required label found on no photo, where every photo shows the filed face too far
    away for even its largest label to be found, is asked again from closer: the label may
    well be there, and an officer's visit would be spent on a photo taken across the yard."""
    judged = tuple(i for i, f in enumerate(findings) if f.judged)
    sides = [findings[i].label_side for i in judged]
    if (not any(r.code in _LABEL_CODES for r in regime) or not sides
            or any(s is None or s >= MIN_READABLE_LABEL_SIDE for s in sides)):
        return None
    largest = max(s for s in sides if s is not None)
    return Reason("labels_too_small",
                  f"The filed packaging was found, but its labels are only {largest:.1%} of "
                  f"the photo across, too small to be read. Take the photo closer, the face "
                  f"with the labels filling most of the frame.", "quality", judged)


def _check_photo(index: int, photo: bytes, filing: FilingReference | None,
                 declared: DeclaredData, history: _History, today: date,
                 params: CalibrationParams, required: frozenset[str],
                 forbidden: frozenset[str], with_evidence: bool
                 ) -> tuple[VisionResult, _Findings]:
    t0 = time.perf_counter()
    timing: dict[str, float] = {}
    lap = [t0]

    def tick(name: str) -> None:
        now = time.perf_counter()
        timing[name] = now - lap[0]
        lap[0] = now

    found = _Findings()
    try:
        decoded = decode_photo(photo)
    except VisionInputError as exc:
        return _retake([Reason(exc.code, exc.message + " Upload the photo again.", "quality",
                               (index,))], {}, "", t0, timing), found
    except Exception:  # anything else from a hostile file
        return _retake([Reason("corrupt_image", "The file could not be read as a photo.",
                               "quality", (index,))], {}, "", t0, timing), found
    tick("decode")
    try:
        return _check_decoded(index, decoded, filing, declared, history, today,
                              with_evidence, t0, timing, tick, params, required, forbidden,
                              found), found
    except Exception as exc:  # a bug or a pathological image must not crash the worker
        found.judged = False
        return VisionResult("inspect", [Reason("check_failed",
                                               f"The automatic check failed ({type(exc).__name__})"
                                               "; an officer must look at the photo.", "system",
                                               (index,))],
                            {}, "", None, time.perf_counter() - t0, stage_seconds=timing), found


# the CAO label is at least 120 x 110 mm (sqrt of area ~115 mm), the lithium battery mark
# 100 x 100 mm: a found mark gives the scale (0.7: perspective across the face); without
# one, labels from ~3 % of the photo's width seen at up to 45 degrees. (The class 9 label
# would do too, but its quad is sometimes a larger diamond of the face's outlines.)
CAO_TO_LABEL = 0.7
CAO_MIN_FRAC = 0.02


def marks_on_face(items: list[marks.Found], outline: np.ndarray | None) -> list[marks.Found]:
    """The marks and labels on the carton face located in the photo (``outline``, working
    pixels; ``None``: not located, all count). Also when the face then fails the design
    floors: a carton stripped of its labels differs from the filed face, and marks 'found'
    in the background must not stand in for them.

    The face is taken FACE_MARGIN times larger about its centre: a reference face rectified
    from a photo may be cut short or include a strip of the box's top, and the registered
    outline then misses a mark near the face's edge (a missing mark stays caught: the photo
    of a carton without one shows none on or around the face). Print far smaller than any
    label may be on that face is not one (MIN_LABEL_FACE_SIDE)."""
    if outline is None:
        return items
    poly = marks.scaled_quad(outline, FACE_MARGIN).astype(np.float32).reshape(-1, 1, 2)
    longest = float(np.max(np.linalg.norm(outline - np.roll(outline, -1, axis=0), axis=1)))
    return [f for f in items
            if cv2.pointPolygonTest(poly, tuple(float(v) for v in f.quad.mean(0)), False) >= 0
            and marks.quad_side(f.quad) >= MIN_LABEL_FACE_SIDE * longest]


def _cao_min_side(lith: Sequence[marks.Found], small: np.ndarray, work: np.ndarray) -> float:
    """Smallest square root of area (small-image pixels) a CAO label may have here."""
    k = small.shape[1] / work.shape[1]
    sizes = [float(np.sqrt(cv2.contourArea(f.quad.astype(np.float32)))) * k for f in lith]
    if sizes:
        return CAO_TO_LABEL * min(sizes)
    return CAO_MIN_FRAC * max(small.shape[:2])


def _check_decoded(index: int, decoded: Decoded, filing: FilingReference | None,
                   declared: DeclaredData, history: _History, today: date,
                   with_evidence: bool, t0: float, timing: dict[str, float], tick: object,
                   params: CalibrationParams, required: frozenset[str],
                   forbidden: frozenset[str], found: _Findings) -> VisionResult:
    assert callable(tick)
    P = params
    here = (index,)
    work = decoded.rgb
    small = resize_long(work, SMALL_LONG_SIDE)
    scores: dict[str, float] = {}
    phash = phash_rgb(resize_long(small, 512))

    # 1. quality gate
    q = quality.assess(small, decoded.original_size, P)
    scores.update(q.scores)
    tick("quality")
    if q.reasons:
        return _retake([Reason(r.code, r.message, r.stage, here) for r in q.reasons], scores,
                       phash, t0, timing)
    found.judged = True
    reasons: list[Reason] = []

    # 2. reuse: the photo turned or mirrored is the same photo, compare all 8 orientations
    thumb = resize_long(small, 512)
    variants = [phash_rgb(np.ascontiguousarray(np.rot90(t, k)))
                for t in (thumb, thumb[:, ::-1]) for k in range(4)]
    near = ranked(variants, history.hashes)
    distance = near[0][0] if near else HASH_BITS
    scores["reuse_hamming"] = float(distance)
    copy = None
    if history.photo is not None:
        copy = nearest_copy(small, near, history.photo)
        if copy is not None:
            scores["reuse_copy_agreement"] = copy
    if is_reused(distance, copy, P.max_reuse_hamming):
        if copy is None:
            message = (f"The photo matches a photo uploaded for another declaration ({distance} "
                       f"of {HASH_BITS} hash bits differ).")
        else:
            message = ("The photo is a copy (cropped, rescaled or re-encoded) of a photo "
                       "uploaded for another declaration: moved onto it, the two agree pixel "
                       f"for pixel ({copy:.3f}).")
        reasons.append(Reason("reused_photo", message, "reuse", here))
    tick("reuse")
    expected_un = _expected_un(filing, declared)

    # 3. design match
    reg = None
    located = design_ok = False
    if filing is not None and filing.reference_photos:
        reg = registration.best_registration(small, filing.reference_photos)
        if not _rank(reg)[0] and max(work.shape[:2]) > registration.PHOTO_LONG_SIDE:
            # a face small in the frame has too few features at the registration scale:
            # look again at the working resolution, and keep the look that matches better
            # where the face it finds is small indeed
            fine = registration.best_registration(work, filing.reference_photos,
                                                  registration.FINE_LONG_SIDE)
            scores["design_fine_look"] = 1.0
            if (fine is not None and fine.face_share < registration.FINE_MAX_FACE_SHARE
                    and _rank(fine) > _rank(reg)):
                reg = fine
                scores["design_fine_look"] = 2.0
        located, design_ok = _design_match(reg, P)
        if reg is not None:
            scores.update({"design_inliers": float(reg.inliers),
                           "design_coverage": reg.coverage, "design_ncc": reg.ncc,
                           "design_layout": reg.layout})
        if not design_ok:
            reasons.append(Reason("design_mismatch",
                                  "The carton in the photo does not match the filed packaging "
                                  "design (registration to the reference faces failed).",
                                  "design", here))
    elif filing is not None:
        reasons.append(Reason("no_reference_photos",
                              "The filing has no reference photos to compare with.", "design",
                              here))
    tick("design")

    # 4. marks and labels: only those on the located carton face count
    boxes: list[tuple[np.ndarray, str, bool]] = []
    outline = (reg.quad * reg.scale_to(work)
               if reg is not None and located and reg.quad is not None else None)
    all9 = marks.find_class9_labels(work)
    lith = marks.lithium_marks_among(
        marks_on_face(marks.find_lithium_marks(small, work), outline), all9)
    read = sorted({u for m in lith for u in m.un_numbers})
    found.lithium_marks = len(lith)
    found.lithium_un = set(read)
    scores["marks_lithium_found"] = float(len(lith))
    if read and expected_un and set(read) != expected_un:
        reasons.append(Reason("un_number_mismatch",
                              f"The mark reads {', '.join(read)}, the declaration says "
                              f"{', '.join(sorted(expected_un))}.", "marks", here))
    obsolete = any(m.phone for m in lith)
    scores["marks_obsolete"] = float(obsolete)
    if obsolete and today > OBSOLETE_MARK_LAST_DAY:
        reasons.append(Reason("obsolete_lithium_mark",
                              "The lithium battery mark is the old design with a telephone "
                              "number, not acceptable after 31 Dec 2026.", "marks", here))
    for m in lith:
        ok = (not expected_un or set(m.un_numbers) == expected_un) and not (
            m.phone and today > OBSOLETE_MARK_LAST_DAY)
        boxes.append((m.quad, f"mark {' '.join(m.un_numbers) or '?'}", ok))
    labels9 = marks.class9_beside_marks(marks_on_face(all9, outline), lith)
    if not labels9:
        # the classical finder misses small diamonds among other labels: where the learned
        # detector sees one, it looks again, closer (``learned.confirm``)
        labels9 = marks.class9_beside_marks(
            marks_on_face(confirm.confirmed_class9(work, [*all9, *lith]), outline), lith)
        scores["class9_confirmed"] = float(len(labels9))
    found.class9_kinds = {f.kind for f in labels9}
    if labels9 and R.CLASS9A in forbidden:
        reasons.append(Reason("unexpected_class9_label",
                              "The filing is for small batteries (IMDG SP188 / IATA Section "
                              "II), where no class 9 hazard label may be shown, but the photo "
                              "shows one: the package or the filing is wrong.", "marks", here))
    for f in labels9:
        ok = R.CLASS9A not in forbidden and (R.CLASS9A not in required or f.kind == "class9a")
        boxes.append((f.quad, f.kind.replace("class", "class "), ok))
    if R.CAO in required:
        cao = marks_on_face(marks.find_cargo_aircraft_only(
            small, work, _cao_min_side(lith, small, work)), outline)
        found.cao = bool(cao)
        scores["marks_cao_found"] = float(len(cao))
        boxes += [(c.quad, "cargo aircraft only", True) for c in cao]

    # label integrity against the filed reference labels. It runs on a located face that
    # does not look like the filed one too: a cover over a label or a crushed side lowers the
    # whole face's agreement, and the officer should hear what differs, not only that the
    # design does
    if reg is not None and located:
        checks = labelcheck.check_labels(work, reg, reg.scale_to(work))
        if checks:
            unlike = min(checks, key=lambda c: c.similarity)
            torn = min(checks, key=lambda c: c.region_ssim)
            scores["label_integrity"] = unlike.similarity
            scores["label_ncc"] = min(c.ncc for c in checks)
            scores["label_cells"] = min(c.cells for c in checks)
            scores["label_region_ssim"] = torn.region_ssim
            found.label_side = max(marks.quad_side(c.quad) for c in checks) / max(
                work.shape[:2])
            scores["label_side"] = found.label_side
            # the label named: the least like the filed one, else one with a part that lost
            # its structure (the rule calibrate.replay applies to the same two scores)
            worst = (unlike if unlike.similarity < P.min_label_ncc
                     else torn if torn.region_ssim < P.min_label_region else None)
            if worst is not None:
                name = _LABEL_NAMES.get(worst.kind, worst.kind)
                reasons.append(Reason("label_damaged_or_covered",
                                      f"The {name} does not look like the filed one "
                                      f"(similarity {worst.similarity:.2f}, worst part "
                                      f"{worst.region_ssim:.2f}): covered, torn or "
                                      f"replaced.", "marks", here))
                boxes.append((worst.quad, "label differs from filing", False))
    tick("marks")

    # 5. appearance anomaly
    heat = hom_to_work = None
    if reg is not None and located and reg.rectified is not None and reg.valid is not None:
        amap = anomaly.score(reg.rectified, reg.valid, reg.reference.rgb)
        scores["anomaly"] = amap.score
        scores["anomaly_feature"] = amap.feature_score
        scores["anomaly_colour"] = amap.colour_score
        scores["anomaly_feature_level"] = amap.feature_level
        scores["anomaly_colour_level"] = amap.colour_level
        scores["anomaly_line"] = amap.line_score
        scores["anomaly_patch"] = amap.patch_score
        if design_ok and amap.colour_level > P.max_face_colour_level:
            design_ok = False
            reasons.append(Reason("design_mismatch",
                                  f"The carton's print differs from the filed design across "
                                  f"the whole face (colour difference {amap.colour_level:.1f} "
                                  f"above {P.max_face_colour_level:.1f}, after light and "
                                  f"colour cast are removed).", "design", here))
        heat = amap.heat
        k = reg.scale_to(work)
        hom_to_work = np.diag([k, k, 1.0]) @ reg.homography
        if amap.score > P.max_anomaly_score:
            what = ("damage, crushing, a covered or torn label, or a foreign label"
                    if amap.line_score <= P.max_anomaly_score else
                    f"a new straight line {100 * amap.line_share:.0f} "
                    f"% of the face long, as a crease, fold or tear edge leaves")
            reasons.append(Reason("appearance_anomaly",
                                  f"The packing looks different from the approved photos "
                                  f"(anomaly score {amap.score:.2f} above "
                                  f"{P.max_anomaly_score:.2f}): {what}.", "appearance", here))
    tick("appearance")

    # 6. this photo's own decision (the declaration adds the regime over all photos)
    decision = "inspect" if reasons else "release"
    png = None
    if with_evidence:
        face_quad = None
        if reg is not None and reg.quad is not None:
            face_quad = reg.quad * reg.scale_to(work)
        png = evidence.render(work, boxes, face_quad, design_ok, heat, hom_to_work,
                              P.max_anomaly_score)
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
    confirm.net()
    ocr.engine()
