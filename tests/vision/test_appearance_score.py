"""The appearance score: a local difference from the approved face, not the camera's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import cv2
import numpy as np
import pytest

from vision import DeclaredData, FilingReference, anomaly, check, creases
from vision.synth.design import CartonDesign, FaceVariant, render_face
from vision.synth.scene import encode_jpeg, render_photo
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


def _crease(face: np.ndarray, share: float, angle_deg: float = 35.0) -> np.ndarray:
    """A thin dark crease across the face's middle, ``share`` of its long side long."""
    h, w = face.shape[:2]
    half = share * max(h, w) / 2
    a = np.deg2rad(angle_deg)
    c = np.array([w * 0.5, h * 0.55])
    d = half * np.array([np.cos(a), np.sin(a)])
    out = face.copy()
    cv2.line(out, tuple(int(v) for v in c - d), tuple(int(v) for v in c + d), (70, 55, 40),
             max(2, round(max(h, w) / 300)), cv2.LINE_AA)
    return out


def test_a_thin_crease_on_another_camera_is_held_for_its_appearance(face: np.ndarray) -> None:
    clean = _score(_other_camera(face), face)
    creased = _score(_other_camera(_crease(face, 0.25)), face)
    assert clean.line_score < 0.5 * MAX_ANOMALY_SCORE
    assert creased.line_score > MAX_ANOMALY_SCORE
    assert creased.score > MAX_ANOMALY_SCORE
    # the heat map follows the crease: its peak lies on the line's path
    h, w = face.shape[:2]
    peak_y, peak_x = np.unravel_index(np.argmax(creased.heat), creased.heat.shape)
    assert abs((peak_y - h * 0.55) - np.tan(np.deg2rad(35.0)) * (peak_x - w * 0.5)) < h * 0.06


def test_a_crease_scores_by_its_length(face: np.ndarray) -> None:
    short, long = (_score(_crease(face, share), face).line_score for share in (0.1, 0.25))
    assert 0 < short < long


def _striped(face: np.ndarray) -> np.ndarray:
    """Upright black stripes over the face's middle, as on a class 9 label's top half."""
    h, w = face.shape[:2]
    out = face.copy()
    stripe = max(h, w) // 100
    y0, y1 = round(0.35 * h), round(0.75 * h)
    out[y0:y1, round(0.3 * w):round(0.7 * w)] = (245, 245, 240)
    for x in range(round(0.3 * w) + stripe, round(0.7 * w) - stripe, 2 * stripe):
        out[y0:y1, x:x + stripe] = (20, 20, 20)
    return out


def test_a_crease_across_printed_stripes_is_found_whole(face: np.ndarray) -> None:
    """The stripes explain ridges of their own direction only: a crease crossing them at
    another angle is one new line as long as the crease, not pieces between the stripes."""
    striped = _striped(face)
    photo = _other_camera(_crease(striped, 0.2))
    lines = creases.new_lines(photo, striped, np.ones(photo.shape[:2], bool))
    assert lines and lines[0].share > 0.8 * 0.2
    assert not creases.new_lines(_other_camera(striped), striped,
                                 np.ones(photo.shape[:2], bool))


def test_print_a_little_bolder_or_moved_is_not_a_new_line(face: np.ndarray) -> None:
    """Another print run or a carton that is not quite flat: strokes a pixel wider and the
    whole print shifted by 0.4 % of the face are no crease."""
    h, w = face.shape[:2]
    bolder = cv2.erode(face, np.ones((2, 2), np.uint8))
    shifted = cv2.warpAffine(bolder, np.float32([[1, 0, 0.004 * w], [0, 1, 0.004 * h]]),
                             (w, h), borderMode=cv2.BORDER_REPLICATE)
    assert _score(_other_camera(shifted), face).line_score == 0.0


def test_the_floor_past_an_inexact_corner_is_not_a_crease(face: np.ndarray) -> None:
    """A strip of floor along one side of the rectified face (the corner a little off)."""
    w = face.shape[1]
    edge = _other_camera(face)
    edge[:, : round(0.04 * w)] = (90, 90, 95)
    assert _score(edge, face).line_score == 0.0


def test_the_light_is_matched_over_the_face_alone_where_the_frame_cut_it(
        face: np.ndarray) -> None:
    """Half the face past the photo's frame: the black there must not brighten the light
    field's correction of the half that is in the photo."""
    h, w = face.shape[:2]
    valid = np.ones((h, w), bool)
    valid[:, : w // 2] = False
    cut = face.copy()
    cut[~valid] = 0
    matched = anomaly._match_colours(cut, face, valid)
    inside = matched[:, w // 2 + 2: w // 2 + w // 10].astype(np.float32)
    assert np.abs(inside - face[:, w // 2 + 2: w // 2 + w // 10]).mean() < 3.0


def test_a_creased_carton_is_held_and_the_reason_names_the_crease(
        design: CartonDesign, filing: FilingReference, declared: DeclaredData) -> None:
    rgb, quad = render_photo(design, FaceVariant(class_label="9A"), 7, size=(2000, 1500))
    clean = check(encode_jpeg(rgb, 90), filing, declared, today=date(2027, 1, 15))
    assert not any(r.code == "appearance_anomaly" for r in clean.reasons)
    # a fold across the lower part of the face, a third of its width, at a slant
    tl, tr, br, bl = quad.astype(np.float64)
    at = lambda u, v: (1 - v) * ((1 - u) * tl + u * tr) + v * ((1 - u) * bl + u * br)  # noqa: E731
    creased = rgb.copy()
    cv2.line(creased, tuple(int(c) for c in at(0.3, 0.78)), tuple(int(c) for c in at(0.62, 0.9)),
             (60, 45, 30), 3, cv2.LINE_AA)
    result = check(encode_jpeg(creased, 90), filing, declared, today=date(2027, 1, 15))
    (reason,) = [r for r in result.reasons if r.code == "appearance_anomaly"]
    assert "crease" in reason.message
    assert result.decision == "inspect"
