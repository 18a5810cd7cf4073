"""The learned label detector: its training scenes, targets, decoding, training command and
the harness that compares it with the classical detectors."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import torch

from vision import check, marks
from vision.imageio import decode_photo
from vision.learned import confirm
from vision.learned.composites import Truth, scene
from vision.learned.harness import Label, match, photo, run
from vision.learned.net import CLASSES, STRIDE, Detection, decode, detect, load
from vision.learned.train import targets, train
from vision.schema import DeclaredData


def test_a_training_scene_is_a_function_of_its_seed_and_its_labels_lie_in_it() -> None:
    a, truths = scene(11)
    b, again = scene(11)
    assert np.array_equal(a, b) and truths == again
    assert a.shape == (288, 384, 3)
    several = [t for s in range(40) for t in scene(s)[1]]
    assert {t.cls for t in several} == set(range(len(CLASSES)))
    for t in several:
        assert -0.2 * t.side <= t.x <= 384 + 0.2 * t.side
        assert 0.03 * 768 * 0.99 <= t.side <= 0.25 * 768 * 1.01


def test_targets_put_one_positive_cell_at_each_labels_centre() -> None:
    heat, size, mask = targets([Truth(1, 100.0, 60.0, 50.0), Truth(0, 300.0, 200.0, 120.0)],
                               (36, 48))
    assert (heat == 1).sum() == 2
    assert heat[1, round(60 / STRIDE - 0.5), round(100 / STRIDE - 0.5)] == 1
    assert heat[0, round(200 / STRIDE - 0.5), round(300 / STRIDE - 0.5)] == 1
    assert heat[2].max() < 1e-6
    assert math.isclose(float(size[mask > 0].max()), math.log(120.0), rel_tol=1e-6)


def test_decoding_finds_the_peak_and_keeps_one_class_per_label() -> None:
    heat = torch.full((len(CLASSES), 20, 30), -8.0)
    heat[0, 5, 7] = 3.0  # a mark
    heat[1, 5, 8] = 1.0  # the same label, less sure it is a class 9
    heat[2, 15, 25] = 2.0  # an orange CAO label elsewhere
    size = torch.full((1, 20, 30), math.log(80.0))
    found = decode(heat, size, scale=0.5)
    assert [d.cls for d in found] == ["mark", "cao"]
    assert found[0].x == (7 + 0.5) * STRIDE / 0.5 and found[0].y == (5 + 0.5) * STRIDE / 0.5
    assert math.isclose(found[0].side, 160.0, rel_tol=1e-5)


def test_the_harness_counts_a_detection_only_of_the_right_class_near_the_centre() -> None:
    labels = [Label("mark", 100, 100, 40, 0.02, 10), Label("cao", 400, 100, 60, 0.03, 10)]
    found = [Detection("mark", 115, 100, 40, 0.9),  # within half the side
             Detection("class9", 400, 100, 60, 0.9),  # right place, wrong class
             Detection("mark", 180, 100, 40, 0.9)]  # nothing there
    hits, false = match(labels, found)
    assert hits == [True, False]
    assert false == 2


def test_a_harness_photo_knows_where_its_labels_are() -> None:
    jpeg, labels = photo(4242, 0)
    assert jpeg[:2] == b"\xff\xd8" and labels
    for lab in labels:
        assert 0 <= lab.x < 2000 and 0 <= lab.y < 1500
        assert lab.share == lab.side / 2000 and 0 <= lab.tilt <= 45


def test_training_writes_head_weights_that_the_detector_and_the_bench_load(
        tmp_path: Path) -> None:
    out = tmp_path / "head.pt"
    report = train(out, steps=2, batch=2, seed=3, workers=0, log=False)
    assert out.exists() and math.isfinite(report["loss"])
    train(tmp_path / "again.pt", steps=2, batch=2, seed=3, workers=0, log=False)
    first, again = torch.load(out), torch.load(tmp_path / "again.pt")
    assert all(torch.equal(first[k], again[k]) for k in first), "same seed, same weights"
    found = detect(load(out), np.full((300, 400, 3), 180, np.uint8), min_score=0.0)
    assert found and all(d.cls in CLASSES for d in found)
    table = run(2, 4242, out)
    assert "| class " in table and "| false detections per photo |" in table
    assert table.splitlines()[2].startswith(
        "| found | classical | classical + confirmed 9 | learned ≥ 0.2 |")


def test_a_small_9a_label_the_classical_finder_misses_is_confirmed_on_a_closer_look() -> None:
    jpeg, labels = photo(999, 4)  # a source-B carton, its 9A label 8.7 % of the photo wide
    work = decode_photo(jpeg).rgb
    (label,) = [lab for lab in labels if lab.cls == "class9"]
    assert not marks.find_class9_labels(work)
    (found,) = confirm.confirmed_class9(work, [])
    assert found.kind == "class9a"
    assert np.hypot(*(found.quad.mean(0) - (label.x, label.y))) < 0.1 * label.side


def test_a_learned_proposal_the_classical_finder_cannot_confirm_is_dropped() -> None:
    # a bare diamond outline: the learned detector may take it for a class 9 label, the
    # classical finder wants the stripes
    img = np.full((1500, 2000, 3), 200, np.uint8)
    pts = np.array([[1000, 600], [1100, 700], [1000, 800], [900, 700]], np.int32)
    cv2.polylines(img, [pts], True, (20, 20, 20), 6)
    assert confirm.confirmed_class9(img, []) == []


def test_the_screening_finds_a_small_9a_label_where_the_learned_detector_points() -> None:
    jpeg, _labels = photo(999, 4)
    declared = DeclaredData(un_numbers=("UN3480",), transport_mode="sea", package_count=10,
                            gross_weight_kg=240.0)
    result = check(jpeg, None, declared, today=date(2027, 1, 15), with_evidence=False)
    assert result.scores["class9_confirmed"] == 1.0
