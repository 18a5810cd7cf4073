"""The appearance score: a local difference from the approved face, not the camera's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import cv2
import numpy as np
import pytest

from vision import DeclaredData, FilingReference, anomaly, check
from vision.synth.design import CartonDesign, render_face
from vision.thresholds import MAX_ANOMALY_SCORE, MAX_FACE_COLOUR_LEVEL


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    design = CartonDesign.random(4242, un_numbers=("UN3480",), transport_mode="sea",
                                 requires_9a=True)
    return render_face(design, 1.0)


def _score(photo: np.ndarray, reference: np.ndarray) -> anomaly.AnomalyMap:
    return anomaly.score(photo, np.ones(photo.shape[:2], bool), reference)


def _other_camera(face: np.ndarray) -> np.ndarray:
    """Another sensor: a warm cast, another tone curve, softer optics and grain."""
    x = face.astype(np.float32) / 255.0
    x = x ** 0.8 * np.array([1.0, 0.93, 0.82], np.float32)
    x = cv2.GaussianBlur(x, (0, 0), 1.2)
    x += np.random.default_rng(3).normal(0, 0.03, x.shape).astype(np.float32)
    return np.clip(x * 255, 0, 255).astype(np.uint8)


def test_another_camera_raises_the_whole_face_but_not_the_score(face: np.ndarray) -> None:
    same = _score(face, face)
    other = _score(_other_camera(face), face)
    assert other.feature_level > same.feature_level
    assert other.score < MAX_ANOMALY_SCORE


def test_a_sheet_stuck_over_part_of_the_face_stands_out_on_another_camera(face: np.ndarray) -> None:
    h, w = face.shape[:2]
    covered = _other_camera(face)
    y, x = h // 3, w // 3
    covered[y:y + h // 8, x:x + w // 6] = (240, 240, 235)  # a sheet of paper
    result = _score(covered, face)
    assert result.score > MAX_ANOMALY_SCORE
    # the heat map points at the sheet
    peak = np.unravel_index(np.argmax(result.heat), result.heat.shape)
    assert y - h // 16 <= peak[0] <= y + h // 8 + h // 16
    assert x - w // 16 <= peak[1] <= x + w // 6 + w // 16


def test_another_print_on_the_same_outline_differs_across_the_whole_face(
        face: np.ndarray) -> None:
    # the same carton outline and layout with the print in other colours: no single spot
    # stands out, but the whole face keeps a colour difference no camera leaves
    other_print = _other_camera(np.ascontiguousarray(face[..., ::-1]))
    assert _score(other_print, face).colour_level > MAX_FACE_COLOUR_LEVEL
    assert _score(_other_camera(face), face).colour_level < MAX_FACE_COLOUR_LEVEL


def test_a_photo_of_the_outline_printed_in_other_colours_is_held_as_another_design(
        make_photo: Callable[..., bytes], filing: FilingReference,
        declared: DeclaredData) -> None:
    rgb = cv2.imdecode(np.frombuffer(make_photo(), np.uint8), cv2.IMREAD_COLOR)
    _ok, jpeg = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]),
                             [cv2.IMWRITE_JPEG_QUALITY, 90])
    result = check(jpeg.tobytes(), filing, declared, today=date(2027, 1, 15))
    (reason,) = [r for r in result.reasons if r.code == "design_mismatch"]
    assert "print differs" in reason.message
    assert result.scores["anomaly_colour_level"] > MAX_FACE_COLOUR_LEVEL
