"""Packing photos: a rendered carton face placed in a real scene with perspective, lighting,
blur, noise, JPEG artefacts and partial occlusion."""

from __future__ import annotations

import io
import random
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from vision.synth.design import FACE_MM, CartonDesign, FaceVariant, render_face

CARTON_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cartons"


def carton_photo_paths(directory: Path | None = None) -> list[Path]:
    d = directory or CARTON_DIR
    return sorted(d.glob("*.jpg")) if d.is_dir() else []


@lru_cache(maxsize=32)
def _background(path: str, w: int, h: int) -> np.ndarray:
    img = Image.open(path).convert("RGB")
    if (img.width > img.height) != (w > h):
        img = img.rotate(90, expand=True)
    return np.array(img.resize((w, h), Image.Resampling.BILINEAR))


def _plain_background(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    base = rng.uniform(60, 170, 3)
    low = cv2.resize(rng.normal(0, 18, (6, 8, 3)).astype(np.float32), (w, h))
    return np.clip(base[None, None, :] + low, 0, 255).astype(np.uint8)


def photo_quad(w: int, h: int, r: random.Random) -> np.ndarray:
    """Destination corners (tl, tr, br, bl) of the face in the photo."""
    aspect = FACE_MM[1] / FACE_MM[0]
    fw = w * r.uniform(0.5, 0.78)
    fh = fw * aspect
    cx = w / 2 + r.uniform(-0.08, 0.08) * w
    cy = h / 2 + r.uniform(-0.02, 0.12) * h
    ang = np.deg2rad(r.uniform(-10, 10))
    base = np.array([[-fw / 2, -fh / 2], [fw / 2, -fh / 2], [fw / 2, fh / 2], [-fw / 2, fh / 2]])
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    quad = base @ rot.T + [cx, cy]
    # perspective: shrink one side, jitter corners
    side = r.choice([0, 1, 2, 3])
    shrink = r.uniform(0.0, 0.12)
    a, b = side, (side + 1) % 4
    mid = (quad[a] + quad[b]) / 2
    quad[a] += (mid - quad[a]) * shrink
    quad[b] += (mid - quad[b]) * shrink
    quad += np.array([[r.uniform(-0.02, 0.02) * w, r.uniform(-0.02, 0.02) * h]
                      for _ in range(4)])
    return quad.astype(np.float32)


def render_photo(design: CartonDesign, variant: FaceVariant, seed: int,
                 size: tuple[int, int] = (4000, 3000), backgrounds: list[Path] | None = None,
                 blur_sigma: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (RGB photo, face quad in photo pixels)."""
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    w, h = size
    bgs = backgrounds if backgrounds is not None else carton_photo_paths()
    if bgs and r.random() < 0.85:
        photo = _background(str(r.choice(bgs)), w, h).copy()
        if r.random() < 0.5:
            photo = photo[:, ::-1].copy()
    else:
        photo = _plain_background(w, h, rng)
    quad = photo_quad(w, h, r)
    face_w = float(np.linalg.norm(quad[1] - quad[0]))
    ppm = min(6.0, max(1.5, face_w / FACE_MM[0] * 1.15))
    face = render_face(design, ppm, variant)
    fh, fw = face.shape[:2]
    # box body: top and side faces, shaded, drawn first
    depth = np.array([r.uniform(-0.08, 0.08) * w, -r.uniform(0.06, 0.16) * h], np.float32)
    top = np.array([quad[0], quad[1], quad[1] + depth, quad[0] + depth], np.int32)
    base = np.array(design.base_rgb, np.float32)
    cv2.fillConvexPoly(photo, top, tuple(int(v) for v in base * r.uniform(0.95, 1.12)))
    side_idx = (1, 2) if depth[0] > 0 else (0, 3)
    side = np.array([quad[side_idx[0]], quad[side_idx[1]], quad[side_idx[1]] + depth,
                     quad[side_idx[0]] + depth], np.int32)
    cv2.fillConvexPoly(photo, side, tuple(int(v) for v in base * r.uniform(0.6, 0.8)))
    src = np.array([[0, 0], [fw - 1, 0], [fw - 1, fh - 1], [0, fh - 1]], np.float32)
    hom = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(face, hom, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((fh, fw), 255, np.uint8), hom, (w, h))
    cv2.copyTo(warped, mask, photo)
    # lighting: smooth gain field, colour temperature and a soft shadow, applied in one pass
    gain = cv2.resize(rng.uniform(0.78, 1.12, (3, 4)).astype(np.float32), (w // 8, h // 8),
                      interpolation=cv2.INTER_CUBIC)
    if r.random() < 0.4:
        sx = int(r.uniform(0.0, 0.6) * w / 8)
        gain[:, sx:sx + int(0.25 * w / 8)] *= r.uniform(0.75, 0.9)
        gain = cv2.GaussianBlur(gain, (0, 0), 1.0)
    gain = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)
    temp = np.array([r.uniform(0.93, 1.07), 1.0, r.uniform(0.9, 1.08)], np.float32)
    out = cv2.merge([cv2.multiply(photo[..., c], gain * temp[c], dtype=cv2.CV_32F)
                     for c in range(3)])
    # occluder: a hand/strap at the edge of the frame, never over the labels' quadrant
    if r.random() < 0.25:
        ox = int(r.choice([0.0, 0.85]) * w)
        cv2.rectangle(out, (ox, 0), (ox + int(0.15 * w), int(0.25 * h)),
                      (r.uniform(60, 200),) * 3, -1)
    k = blur_sigma if blur_sigma is not None else r.uniform(0.0, 1.2) * w / 4000
    if k > 0.2:
        out = cv2.GaussianBlur(out, (0, 0), k)
    sigma = r.uniform(1.5, 5.0)  # seeded noise: cv2.randn's global RNG is not reproducible
    out += np.random.default_rng(r.getrandbits(32)).standard_normal((h, w, 3), np.float32) * sigma
    return np.clip(out, 0, 255).astype(np.uint8), quad


def encode_jpeg(rgb: np.ndarray, quality: int = 90, exif_rotate: bool = False) -> bytes:
    """Encode like a phone does; ``exif_rotate`` stores the pixels sideways with an EXIF
    orientation tag (6: rotate 90 degrees clockwise to display)."""
    img = Image.fromarray(rgb)
    buf = io.BytesIO()
    if exif_rotate:
        img = img.transpose(Image.Transpose.ROTATE_90)
        exif = Image.Exif()
        exif[0x0112] = 6
        img.save(buf, "JPEG", quality=quality, exif=exif.tobytes())
    else:
        img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def encode_png(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()
