"""Region-wise label check: each filed label is compared with the same label in the photo,
cell by cell, after its perspective, the light and a small residual shift are taken out; a
torn-off or covered part of the label is reported for that label, a clean label is not."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

import cv2
import numpy as np
import pytest

from vision import DeclaredData, FilingReference, check
from vision.calibrate import Outcome, propose
from vision.labelcheck import region_ssim
from vision.params import DEFAULT_PARAMS, CalibrationParams
from vision.synth.design import FaceVariant
from vision.synth2.artwork import class9_diamond, lithium_mark

AFTER = date(2027, 1, 15)
BOARD = (176, 138, 96)
ONLY_REGION = CalibrationParams(version="test-region-only", min_label_ncc=-2.0)


def _face(label: np.ndarray, alpha: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A 400 x 400 kraft face with ``label`` pasted at (100, 100); returns the face and the
    label's quad (tl, tr, br, bl) in face pixels."""
    face = np.full((400, 400, 3), BOARD, np.uint8)
    h, w = label.shape[:2]
    keep = np.ones((h, w), bool) if alpha is None else alpha > 127
    face[100:100 + h, 100:100 + w][keep] = label[keep]
    quad = np.array([[100, 100], [100 + w, 100], [100 + w, 100 + h], [100, 100 + h]],
                    np.float32)
    return face, quad


def _photograph(face: np.ndarray, quad: np.ndarray, turn: float = 25.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """The face seen by another camera: turned, in perspective, darker and bluish, softer,
    JPEG; returns the photo (gray) and the label's quad in it."""
    src = np.array([[0, 0], [400, 0], [400, 400], [0, 400]], np.float32)
    dst = np.array([[120, 80], [560, 40], [600, 470], [90, 430]], np.float32)
    rot = cv2.getRotationMatrix2D((350, 250), turn, 1.0)
    dst = np.c_[dst, np.ones(4)] @ rot.T
    hom = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    photo = cv2.warpPerspective(face, hom, (700, 520), borderValue=(90, 90, 90))
    photo = cv2.GaussianBlur(photo.astype(np.float32), (0, 0), 1.2) * (0.62, 0.66, 0.8) + 12
    ok, jpeg = cv2.imencode(".jpg", np.clip(photo, 0, 255).astype(np.uint8),
                            [cv2.IMWRITE_JPEG_QUALITY, 75])
    assert ok
    gray = cv2.cvtColor(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2GRAY)
    return gray, cv2.perspectiveTransform(quad.reshape(-1, 1, 2), hom).reshape(4, 2)


def _labels() -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    diamond, alpha = class9_diamond(1.4, True, random.Random(3))
    return [("class9a", diamond, alpha),
            ("lithium_mark", lithium_mark(["UN3480"], 1.6, r=random.Random(4)), None)]


@pytest.mark.parametrize("index", [0, 1], ids=["class9a", "lithium_mark"])
def test_clean_label_in_other_light_and_perspective_matches_its_reference(index: int) -> None:
    _kind, label, alpha = _labels()[index]
    face, quad = _face(label, alpha)
    photo, in_photo = _photograph(face, quad)
    ref = cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)
    assert region_ssim(photo, in_photo, ref, quad) > DEFAULT_PARAMS.min_label_region + 0.15
    # registration off by two pixels is absorbed too
    assert region_ssim(photo, in_photo + 2.0, ref, quad) > DEFAULT_PARAMS.min_label_region


@pytest.mark.parametrize("index", [0, 1], ids=["class9a", "lithium_mark"])
@pytest.mark.parametrize("spoil", ["torn_corner", "covered_third"])
def test_torn_or_covered_part_of_a_label_loses_its_structure(index: int, spoil: str) -> None:
    _kind, label, alpha = _labels()[index]
    face, quad = _face(label, alpha)
    ref = cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)
    spoilt = face.copy()
    x0, y0 = quad[0]
    x1, y1 = quad[2]
    if spoil == "torn_corner":  # a ragged piece gone from the right vertex / corner
        cx, cy = x1, (y0 + y1) / 2 if index == 0 else y0
        pts = [(cx + r * np.cos(a), cy + r * np.sin(a))
               for a, r in zip(np.linspace(0, 2 * np.pi, 9, endpoint=False),
                               (0.3, 0.25, 0.35, 0.28, 0.32, 0.26, 0.3, 0.34, 0.29), strict=True)
               for r in [r * (x1 - x0)]]
        cv2.fillPoly(spoilt, [np.array(pts, np.int32)], tuple(int(v * 0.92) for v in BOARD))
    else:  # a parcel label stuck over a third of it
        cv2.rectangle(spoilt, (int(x0 + 0.1 * (x1 - x0)), int(y0 + 0.55 * (y1 - y0))),
                      (int(x1 + 5), int(y1 - 0.1 * (y1 - y0))), (245, 245, 240), -1)
    photo, in_photo = _photograph(spoilt, quad)
    assert region_ssim(photo, in_photo, ref, quad) < DEFAULT_PARAMS.min_label_region - 0.15


def test_torn_label_is_reported_for_that_label_and_the_clean_carton_is_not(
        make_photo: Callable[..., bytes], filing: FilingReference,
        declared: DeclaredData) -> None:
    torn = check(make_photo(FaceVariant(torn="class_label")), filing, declared, today=AFTER,
                 params=ONLY_REGION)
    reasons = [r for r in torn.reasons if r.code == "label_damaged_or_covered"]
    assert reasons and "class 9A label" in reasons[0].message
    assert torn.scores["label_region_ssim"] < ONLY_REGION.min_label_region
    assert any(d.kind == "label differs from filing" and not d.ok for d in torn.detections)
    clean = check(make_photo(), filing, declared, today=AFTER, params=ONLY_REGION)
    assert "label_damaged_or_covered" not in {r.code for r in clean.reasons}
    assert clean.scores["label_region_ssim"] > ONLY_REGION.min_label_region + 0.15


def test_a_covered_label_is_named_even_when_the_cover_fails_the_design_floors(
        make_photo: Callable[..., bytes], filing: FilingReference,
        declared: DeclaredData) -> None:
    # a cover big enough to pull the whole face's agreement under its floor: the face is
    # still found on the filed one, so the officer hears which label is covered
    strict = CalibrationParams(version="test-strict-design", min_design_layout=1.01)
    covered = check(make_photo(FaceVariant(cover="class_label")), filing, declared,
                    today=AFTER, params=strict)
    codes = {r.code for r in covered.reasons}
    assert {"design_mismatch", "label_damaged_or_covered"} <= codes


def test_proposal_puts_a_needed_threshold_midway_in_the_free_gap() -> None:
    """Fitted on one source, a threshold must not sit at the edge of that source's anomalies:
    another source's tears are subtler. It goes halfway to the first clean photo."""
    rng = np.random.default_rng(7)
    base = {"quality_blur_px": 0.6, "quality_brightness": 120.0, "quality_clipped": 0.01,
            "reuse_hamming": 110.0, "design_inliers": 300.0, "design_coverage": 0.5,
            "design_ncc": 0.95, "design_layout": 0.95, "label_integrity": 0.9,
            "anomaly": 0.5}
    out = [Outcome({**base, "label_region_ssim": float(v)}, [], False)
           for v in rng.uniform(0.7, 0.95, 50)]
    own = frozenset({"label_damaged_or_covered"})
    out += [Outcome({**base, "label_region_ssim": float(v)}, [], True, "torn_label", own)
            for v in rng.uniform(-0.2, 0.05, 10)]
    p = propose(out, CalibrationParams(min_label_region=-1.0))
    assert p.false_releases_proposed == 0 and p.clean_release_proposed == 1.0
    top_bad = max(o.scores["label_region_ssim"] for o in out if o.bad)
    low_good = min(o.scores["label_region_ssim"] for o in out if not o.bad)
    mid = (top_bad + low_good) / 2
    assert abs(p.params.min_label_region - mid) < 0.1 * (low_good - top_bad)
