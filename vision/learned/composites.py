"""Domain-randomised training scenes for the learned label detector.

A scene is a crop of a virtual 768-px-wide photo (the scale the detector runs at): a real
carton photo as the floor and clutter, now and then a printed carton face warped into it,
and 0-3 labels drawn by ``vision.synth.labels`` (source A's artwork) at 3-25 % of the
virtual width, turned by any angle and tilted up to 45 degrees. Distractors that fooled the
classical detectors are drawn on purpose: red bands with white letters, orange boxes, black
stripes, diamonds without stripes. Then uneven light, colour cast, blur, sensor noise and a
JPEG round trip. Every scene is a function of its seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from vision.learned.net import CLASSES, VIRTUAL_WIDTH
from vision.synth import labels as art
from vision.synth.scene import carton_photo_paths

MIN_SHARE, MAX_SHARE = 0.03, 0.25


@dataclass(frozen=True)
class Truth:
    """One label in a scene: class index, centre (px) and side (square root of its area)."""

    cls: int
    x: float
    y: float
    side: float


@lru_cache(maxsize=64)
def _floor(path: str) -> np.ndarray:
    img = Image.open(path).convert("RGB")
    s = 900 / max(img.size)
    return np.array(img.resize((round(img.width * s), round(img.height * s))))


def _background(size: tuple[int, int], r: random.Random, floors: list[Path]) -> np.ndarray:
    w, h = size
    if floors and r.random() < 0.8:
        img = _floor(str(r.choice(floors)))
        scale = r.uniform(1.0, 2.5) * max(w / img.shape[1], h / img.shape[0])
        img = cv2.resize(img, (max(w, round(img.shape[1] * scale)),
                               max(h, round(img.shape[0] * scale))))
        x, y = r.randint(0, img.shape[1] - w), r.randint(0, img.shape[0] - h)
        out = img[y:y + h, x:x + w].copy()
        if r.random() < 0.5:
            out = out[:, ::-1].copy()
        return out
    base = np.array([r.uniform(40, 220) for _ in range(3)], np.float32)
    rng = np.random.default_rng(r.randrange(1 << 30))
    low = cv2.resize(rng.normal(0, 20, (4, 5, 3)).astype(np.float32), (w, h))
    return np.clip(base + low, 0, 255).astype(np.uint8)


def _distractors(face: np.ndarray, r: random.Random) -> None:
    """Print that is not a label: brand bands with letters, boxes, stripes, bare diamonds."""
    h, w = face.shape[:2]
    for _ in range(r.randint(1, 5)):
        kind = r.randrange(5)
        x, y = r.randint(0, w - 1), r.randint(0, h - 1)
        s = r.randint(max(8, w // 20), max(12, w // 3))
        colour = r.choice([(200, 20, 30), (240, 120, 20), (20, 20, 20), (20, 60, 160),
                           (30, 120, 60)])
        if kind == 0:  # brand band with white letters
            cv2.rectangle(face, (0, y), (w, y + s // 3), colour, -1)
            cv2.putText(face, "".join(r.choice("AEKLMNORSTVX") for _ in range(r.randint(3, 7))),
                        (x % max(1, w // 2), y + s // 4), r.choice([0, 2, 3]), s / 90,
                        (250, 250, 250), max(1, s // 40))
        elif kind == 1:  # plain box
            cv2.rectangle(face, (x, y), (x + s, y + int(s * r.uniform(0.5, 1.2))), colour, -1)
        elif kind == 2:  # stripes
            for k in range(r.randint(3, 8)):
                xx = x + k * s // 8
                cv2.rectangle(face, (xx, y), (xx + s // 16, y + s // 2), (20, 20, 20), -1)
        elif kind == 3:  # a diamond outline
            pts = np.array([[x, y - s // 2], [x + s // 2, y], [x, y + s // 2], [x - s // 2, y]])
            cv2.polylines(face, [pts.astype(np.int32)], True, (20, 20, 20), max(1, s // 30))
        else:  # text
            cv2.putText(face, "".join(r.choice("0123456789 UNABCX-") for _ in range(8)),
                        (x, y), r.choice([0, 1, 2]), s / 120, colour, max(1, s // 60))


def _carton_face(shape: tuple[int, int], r: random.Random) -> np.ndarray:
    h, w = shape
    board = (r.randint(150, 205), r.randint(115, 160), r.randint(70, 110)) \
        if r.random() < 0.6 else (r.randint(215, 245),) * 3
    face = np.empty((h, w, 3), np.uint8)
    face[:] = board
    _distractors(face, r)
    return face


def _tilted_quad(wh: tuple[float, float], centre: tuple[float, float], side: float,
                 turn: float, tilt: float, azimuth: float) -> np.ndarray:
    """Corners of a w x h label seen at ``tilt`` degrees off-axis (pinhole camera at ~4
    label widths), turned ``turn`` degrees in the image and scaled to ``side`` px."""
    w, h = wh
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0],
                    [-w / 2, h / 2, 0]], float)
    t, a = np.deg2rad(tilt), np.deg2rad(azimuth)
    axis = np.array([np.cos(a), np.sin(a), 0.0])
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rot = np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * k @ k
    p = pts @ rot.T
    dist = 4 * max(w, h)
    uv = p[:, :2] * dist / (dist + p[:, 2:3])
    c, s = np.cos(np.deg2rad(turn)), np.sin(np.deg2rad(turn))
    uv = uv @ np.array([[c, s], [-s, c]])
    d1, d2 = uv[2] - uv[0], uv[3] - uv[1]
    area = 0.5 * abs(d1[0] * d2[1] - d1[1] * d2[0])
    uv *= side / np.sqrt(max(area, 1e-6))
    return (uv + np.array(centre)).astype(np.float32)


def _label_art(cls: int, ppm: float, r: random.Random) -> np.ndarray:
    """RGBA artwork of one label of class ``cls`` (source A)."""
    un = [r.choice(["UN3480", "UN3481", "UN3090", "UN3091"])]
    if cls == 0:
        img = (art.obsolete_lithium_battery_mark(un, ppm) if r.random() < 0.25
               else art.lithium_battery_mark(un, ppm))
    elif cls == 1:
        img = art.class9_label(ppm, lithium=r.random() < 0.7)
    else:
        img = art.cargo_aircraft_only_label(ppm)
    return np.array(img.convert("RGBA"))


def _paste(dst: np.ndarray, rgba: np.ndarray, quad: np.ndarray) -> None:
    h, w = rgba.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    size = (dst.shape[1], dst.shape[0])
    rgb = cv2.warpPerspective(rgba[..., :3], m, size, flags=cv2.INTER_AREA)
    alpha = cv2.warpPerspective(rgba[..., 3], m, size, flags=cv2.INTER_LINEAR)[..., None] / 255.0
    dst[:] = (dst * (1 - alpha) + rgb * alpha).astype(np.uint8)


def _photometric(img: np.ndarray, r: random.Random) -> np.ndarray:
    h, w = img.shape[:2]
    rng = np.random.default_rng(r.randrange(1 << 30))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = r.uniform(0, 2 * np.pi)
    ramp = 1 + r.uniform(0.0, 0.6) * ((xx / w - 0.5) * np.cos(a) + (yy / h - 0.5) * np.sin(a))
    cast = np.array([r.uniform(0.85, 1.15), 1.0, r.uniform(0.8, 1.15)], np.float32)
    out = img.astype(np.float32) * (ramp * r.uniform(0.55, 1.35))[..., None] * cast
    if r.random() < 0.15:  # a hard shadow edge across the scene
        mask = (xx * np.cos(a + 1) + yy * np.sin(a + 1)) > r.uniform(0, w)
        out[mask] *= r.uniform(0.45, 0.8)
    sigma = r.choice([0.0, 0.0, r.uniform(0.4, 1.8)])
    if sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if r.random() < 0.1:
        k = r.randint(3, 9) | 1
        kern = np.zeros((k, k), np.float32)
        kern[k // 2] = 1.0 / k
        out = cv2.filter2D(out, -1, kern)
    out += rng.normal(0, r.uniform(1, 8), out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, r.randint(35, 95)])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()


def scene(seed: int, size: tuple[int, int] = (384, 288),
          floors: list[Path] | None = None) -> tuple[np.ndarray, list[Truth]]:
    """One training scene (RGB) and its labels."""
    r = random.Random(seed)
    floors = carton_photo_paths() if floors is None else floors
    w, h = size
    img = _background(size, r, floors)
    if r.random() < 0.75:  # a printed carton face, warped into the scene
        fw, fh = r.randint(w // 2, 2 * w), r.randint(h // 2, 2 * h)
        face = _carton_face((fh, fw), r)
        cx, cy = r.uniform(0, w), r.uniform(0, h)
        quad = _tilted_quad((fw, fh), (cx, cy), np.sqrt(fw * fh) * r.uniform(0.5, 1.0),
                            r.uniform(-30, 30), r.uniform(0, 40), r.uniform(0, 360))
        _paste(img, np.dstack([face, np.full(face.shape[:2], 255, np.uint8)]), quad)
    truths: list[Truth] = []
    for _ in range(r.choices([0, 1, 2, 3], [0.15, 0.4, 0.3, 0.15])[0]):
        cls = r.randrange(len(CLASSES))
        side = float(np.exp(r.uniform(np.log(MIN_SHARE), np.log(MAX_SHARE)))) * VIRTUAL_WIDTH
        for _try in range(10):
            cx, cy = r.uniform(-0.1 * side, w + 0.1 * side), r.uniform(-0.1 * side,
                                                                        h + 0.1 * side)
            if all(np.hypot(cx - t.x, cy - t.y) > 0.6 * (side + t.side) for t in truths):
                break
        else:
            continue
        rgba = _label_art(cls, max(0.6, 1.6 * side / 100), r)
        quad = _tilted_quad((rgba.shape[1], rgba.shape[0]), (cx, cy), side,
                            r.uniform(0, 360), r.uniform(0, 45), r.uniform(0, 360))
        _paste(img, rgba, quad)
        truths.append(Truth(cls, cx, cy, side))
    return _photometric(img, r), truths
