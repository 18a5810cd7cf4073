"""The generated photo sources behind the benchmarks: a seed gives the same set wherever and
in whatever order it is rendered, and the second source (``vision.synth2``) shows every
anomaly it claims (a label the photo cannot show would count a miss no check could avoid)."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from vision.synth.dataset import make_filing
from vision.synth.design import FaceVariant
from vision.synth.scene import render_photo
from vision.synth2.artwork import default_state, label_boxes, render_face_b
from vision.synth2.dataset import (
    ANOMALIES,
    REGIMES,
    _photo,
    _with_class9,
    applicable,
    make_design,
    photo_kinds,
    reference_photo,
)

EDGE_MM = 5.0


def test_an_unexpected_class9_label_lies_wholly_on_the_face() -> None:
    checked = 0
    for seed in range(40):
        for index in range(len(REGIMES)):
            design = make_design(seed, index)
            if not applicable(design, "unexpected_class9"):
                continue
            shown = _with_class9(design, random.Random(seed))
            width, height = shown.face_mm
            x, y, w, h = label_boxes(shown, default_state(shown))["class9"]
            assert x >= EDGE_MM and x + w <= width - EDGE_MM, (seed, index, x, width)
            assert y >= 0 and y + h <= height, (seed, index, y, height)
            checked += 1
    assert checked >= 40


def test_the_class9_label_leaves_the_filed_labels_where_they_were() -> None:
    design = next(d for d in (make_design(s, i) for s in range(40) for i in range(len(REGIMES)))
                  if applicable(d, "unexpected_class9"))
    filed = label_boxes(design, default_state(design))
    shown = label_boxes(_with_class9(design, random.Random(1)), default_state(design))
    assert {k: v for k, v in shown.items() if k != "class9"} == filed


def _torn_share(design, key: str, seed: int, ppm: float = 2.0) -> float:  # type: ignore[no-untyped-def]
    """The share of the label's own area that a torn-off corner changes."""
    whole = render_face_b(design, ppm, default_state(design))
    torn_state = default_state(design)
    torn_state.torn, torn_state.seed = key, seed
    torn = render_face_b(design, ppm, torn_state)
    x, y, w, h = (v * ppm for v in label_boxes(design, default_state(design))[key])
    label = np.zeros(whole.shape[:2], np.uint8)
    if key == "class9":  # a diamond in its box
        corners = [(x + w / 2, y), (x + w, y + h / 2), (x + w / 2, y + h), (x, y + h / 2)]
        cv2.fillConvexPoly(label, np.array(corners, np.int32), 1)
    else:
        label[int(y):int(y + h), int(x):int(x + w)] = 1
    changed = np.abs(torn.astype(int) - whole.astype(int)).max(axis=2) > 20
    return float((changed & (label > 0)).sum() / label.sum())


def test_a_torn_label_loses_part_of_the_label_itself() -> None:
    """A class 9 label is a diamond: a corner torn at its box's corner took only carton."""
    shares: dict[str, list[float]] = {"class9": [], "mark": []}
    for seed in range(12):
        design = make_design(seed, seed % len(REGIMES))
        for key in shares:
            if key in design.label_order:
                shares[key] += [_torn_share(design, key, seed * 31 + k) for k in range(4)]
    assert len(shares["class9"]) >= 8 and len(shares["mark"]) >= 8
    assert min(shares["class9"]) >= 0.03, sorted(shares["class9"])[:4]
    assert min(shares["mark"]) >= 0.03, sorted(shares["mark"])[:4]


def _disturb_opencv_rng() -> None:
    cv2.randn(np.empty((64, 64), np.float32), 0.0, 1.0)


def test_a_seed_renders_the_same_photo_whatever_ran_before_it() -> None:
    design = make_design(5, 0)
    first, _ = _photo(design, default_state(design), 123, (800, 600))
    _disturb_opencv_rng()
    again, _ = _photo(design, default_state(design), 123, (800, 600))
    assert first == again
    carton = make_filing(5, 0)
    a, _ = render_photo(carton, FaceVariant(), 123, size=(800, 600))
    _disturb_opencv_rng()
    b, _ = render_photo(carton, FaceVariant(), 123, size=(800, 600))
    assert np.array_equal(a, b)


def test_a_filing_photo_shows_the_whole_face() -> None:
    design, shot = make_design(10505, 3), 10505 * 7919 + 3
    _jpeg, first_try = _photo(design, default_state(design), shot, (800, 600), reference=True)
    assert (first_try < 0).any()  # this shot cuts the face: the exporter takes it again
    _jpeg, quad = reference_photo(design, shot, (800, 600))
    assert (quad > 0).all() and (quad[:, 0] < 800).all() and (quad[:, 1] < 600).all()


def test_a_source_b_set_mixes_bad_quality_anomalies_and_clean_photos_by_the_asked_shares(
        ) -> None:
    default = photo_kinds(600, random.Random(1))
    assert default.count("bad_quality") == 48 and default.count(None) == 300
    assert len([k for k in default if k not in (None, "bad_quality")]) == 252
    heavy = photo_kinds(720, random.Random(1), anomaly_share=0.84)
    anomalies = [k for k in heavy if k not in (None, "bad_quality")]
    assert len(anomalies) == 605 and heavy.count(None) == 57
    assert set(anomalies) == set(ANOMALIES)


def test_a_source_b_set_cannot_ask_for_more_anomalies_than_photos_left_after_bad_quality(
        ) -> None:
    with pytest.raises(ValueError, match=r"between 0 and 0\.92"):
        photo_kinds(100, random.Random(1), anomaly_share=0.95)
