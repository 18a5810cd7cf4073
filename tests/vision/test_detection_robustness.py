"""Marks and labels are found under rotation, perspective, size, light and JPEG changes,
on photos of the second source (other artwork, fonts and camera than the tuning source)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision import marks
from vision.imageio import decode_photo, resize_long
from vision.synth2.artwork import DesignB, default_state, render_face_b
from vision.synth2.camera import Shot, encode, render_box

DESIGN = DesignB.random(31, ("UN3480",), "air", "section_ib")  # mark, 9A and CAO


def _photo(yaw: float, pitch: float, roll: float, fill: float, quality: int = 85,
           exposure: float = 1.0) -> np.ndarray:
    shot = Shot(yaw, pitch, roll, fill, (0.6, 0.7, 0.4), exposure=exposure,
                jpeg_quality=quality, background=2)
    face = render_face_b(DESIGN, 2.5, default_state(DESIGN))
    rgb, _ = render_box(face, DESIGN.face_mm, 300.0, DESIGN.board_rgb, shot, (2000, 1500), 5)
    return decode_photo(encode(rgb, quality)).rgb


def _found(rgb: np.ndarray) -> tuple[list[list[str]], set[str], int]:
    small = resize_long(rgb, 1000)
    lith = marks.find_lithium_marks(small, rgb)
    labels = {f.kind for f in marks.find_class9_labels(rgb)}
    cao = marks.find_cargo_aircraft_only(small, rgb, 0.03 * 1000)
    return [m.un_numbers for m in lith], labels, len(cao)


@pytest.mark.parametrize("roll", [0.0, 90.0, 135.0, pytest.param(35.0, marks=pytest.mark.slow),
                                  pytest.param(180.0, marks=pytest.mark.slow),
                                  pytest.param(250.0, marks=pytest.mark.slow)])
def test_marks_and_labels_are_found_at_any_in_plane_rotation(roll: float) -> None:
    uns, labels, cao = _found(_photo(5.0, 10.0, roll, 0.75))
    assert ["UN3480"] in uns
    assert "class9a" in labels
    assert cao >= 1


@pytest.mark.slow
@pytest.mark.parametrize(("yaw", "pitch"), [(40.0, 10.0), (-30.0, 30.0)])
def test_marks_and_labels_are_found_at_steep_perspective(yaw: float, pitch: float) -> None:
    uns, labels, _ = _found(_photo(yaw, pitch, 0.0, 0.8))
    assert ["UN3480"] in uns
    assert "class9a" in labels


@pytest.mark.slow
@pytest.mark.parametrize("fill", [0.35, 0.95])
def test_small_and_large_labels_are_found(fill: float) -> None:
    """Face 35 % of the frame: labels about 5-8 % of the width; 95 %: about 20-25 %."""
    uns, labels, _ = _found(_photo(0.0, 8.0, 3.0, fill))
    assert ["UN3480"] in uns
    assert "class9a" in labels


@pytest.mark.slow
def test_uneven_dim_light_and_heavy_jpeg() -> None:
    rgb = _photo(10.0, 12.0, -8.0, 0.7, quality=45, exposure=0.55)
    w = rgb.shape[1]
    ramp = np.linspace(0.55, 1.25, w, dtype=np.float32)[None, :, None]
    rgb = np.clip(rgb * ramp, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, 40])
    assert ok
    uns, labels, _ = _found(decode_photo(data.tobytes()).rgb)
    assert ["UN3480"] in uns
    assert "class9a" in labels


def test_the_photo_frame_is_not_taken_for_a_diamond_label() -> None:
    rgb = np.full((1500, 2000, 3), 200, np.uint8)
    cv2.rectangle(rgb, (0, 0), (1999, 1499), (20, 20, 20), 6)
    assert marks.find_class9_labels(rgb) == []
