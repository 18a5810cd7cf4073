"""Source B camera: a 3-D box (front face textured, top and side faces plain board) seen by
a pinhole camera (26 mm-equivalent phone lens) from a chosen yaw, pitch and roll, lit by a
directional light (Lambert shading per face), over a procedural floor (tiles, planks or
concrete; source A uses real carton photos), with vignetting, lateral chromatic
aberration, signal-dependent sensor noise, optional motion blur and JPEG compression."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image


@dataclass
class Shot:
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    fill: float  # face width as a share of the frame width
    light: tuple[float, float, float]
    exposure: float = 1.0
    colour_temp: tuple[float, float, float] = (1.0, 1.0, 1.0)
    motion_blur_px: float = 0.0
    focus_blur_px: float = 0.0
    jpeg_quality: int = 88
    background: int = 0


def _background(w: int, h: int, kind: int, rng: np.random.Generator) -> np.ndarray:
    if kind == 0:  # floor tiles
        tile = int(rng.uniform(0.12, 0.25) * w)
        base = rng.uniform(150, 220, 3)
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
        yy, xx = np.mgrid[0:h, 0:w]
        grout = ((xx % tile) < 6) | ((yy % tile) < 6)
        img[grout] *= 0.6
    elif kind == 1:  # wooden planks
        plank = int(rng.uniform(0.06, 0.12) * h)
        img = np.empty((h, w, 3), np.float32)
        base = np.array([rng.uniform(120, 170), rng.uniform(80, 110), rng.uniform(40, 70)])
        for y in range(0, h, plank):
            img[y:y + plank] = base * rng.uniform(0.8, 1.15)
            img[y:y + 4] *= 0.5
        grain = cv2.resize(rng.normal(0, 10, (h // 40 + 1, 8)).astype(np.float32), (w, h))
        img += grain[..., None]
    else:  # concrete
        img = np.empty((h, w, 3), np.float32)
        img[:] = rng.uniform(110, 170)
        for s in (4, 16, 64):
            n = cv2.resize(rng.normal(0, 9, (h // s + 1, w // s + 1)).astype(np.float32), (w, h))
            img += n[..., None]
    return np.clip(img, 0, 255)


def _look_at(cam: np.ndarray, target: np.ndarray, roll: float) -> np.ndarray:
    f = target - cam
    f /= np.linalg.norm(f)
    down = np.array([0.0, 1.0, 0.0])  # world y grows downwards
    r = np.cross(down, f)
    r /= np.linalg.norm(r)
    dn = np.cross(f, r)
    rot = np.stack([r, dn, f])  # camera x right, y down, z forward
    c, s = np.cos(roll), np.sin(roll)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) @ rot


def render_box(face: np.ndarray, face_mm: tuple[float, float], depth_mm: float,
               board_rgb: tuple[int, int, int], shot: Shot, size: tuple[int, int], seed: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """(RGB photo, the front face's quad tl tr br bl in photo pixels)."""
    rng = np.random.default_rng(seed)
    w, h = size
    fw, fh = face_mm
    focal = 0.72 * w * 26 / 26  # 26 mm-equivalent lens: horizontal FOV ~ 69 degrees
    dist = fw * focal / (shot.fill * w)
    yaw, pitch = np.deg2rad(shot.yaw_deg), np.deg2rad(shot.pitch_deg)
    target = np.array([fw / 2, fh / 2, 0.0])
    cam = target + dist * np.array([np.sin(yaw) * np.cos(pitch), -np.sin(pitch),
                                    -np.cos(yaw) * np.cos(pitch)])
    rot = _look_at(cam, target, np.deg2rad(shot.roll_deg))

    def project(p: np.ndarray) -> np.ndarray:
        q = (rot @ (p - cam).T).T
        return np.c_[focal * q[:, 0] / q[:, 2] + w / 2, focal * q[:, 1] / q[:, 2] + h / 2]

    photo = _background(w, h, shot.background, rng)
    light = np.array(shot.light, float)
    light /= np.linalg.norm(light)

    def shade(normal: np.ndarray) -> float:
        return 0.35 + 0.75 * max(0.0, float(-normal @ light))

    d = depth_mm
    front = np.array([[0, 0, 0], [fw, 0, 0], [fw, fh, 0], [0, fh, 0]], float)
    faces = []
    if shot.pitch_deg > 0:  # top face visible
        faces.append((np.array([[0, 0, d], [fw, 0, d], [fw, 0, 0], [0, 0, 0]], float),
                      np.array([0.0, -1.0, 0.0]), None))
    side_x = fw if shot.yaw_deg > 0 else 0.0
    faces.append((np.array([[side_x, 0, 0 if side_x else d], [side_x, 0, d if side_x else 0],
                            [side_x, fh, d if side_x else 0], [side_x, fh, 0 if side_x else d]],
                           float), np.array([1.0 if side_x else -1.0, 0, 0]), None))
    faces.append((front, np.array([0.0, 0.0, -1.0]), face))
    # soft contact shadow on the floor under the box
    base_pts = project(np.array([[0, fh, 0], [fw, fh, 0], [fw, fh, d], [0, fh, d]], float))
    shadow = np.zeros((h // 8, w // 8), np.float32)
    offset = np.array([0.02 * w, 0.01 * h])
    cv2.fillConvexPoly(shadow, ((base_pts + offset) / 8).astype(np.int32), 1.0)
    shadow = cv2.resize(cv2.GaussianBlur(shadow, (0, 0), 0.02 * w / 8), (w, h))
    photo *= (1 - 0.45 * shadow)[..., None]
    for corners3d, normal, tex in faces:
        quad = project(corners3d).astype(np.float32)
        if tex is None:
            th, tw = 64, 64
            tex = np.empty((th, tw, 3), np.uint8)
            tex[:] = board_rgb
            if rng.random() < 0.5:  # parcel tape along the top
                tex[:, 26:38] = np.clip(np.array(board_rgb) * 1.12 + 10, 0, 255)
        th, tw = tex.shape[:2]
        src = np.array([[0, 0], [tw - 1, 0], [tw - 1, th - 1], [0, th - 1]], np.float32)
        hom = cv2.getPerspectiveTransform(src, quad)
        warped = cv2.warpPerspective(tex, hom, (w, h), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.full((th, tw), 255, np.uint8), hom, (w, h)) > 127
        photo[mask] = warped[mask].astype(np.float32) * shade(normal)
    front_quad = project(front).astype(np.float32)
    # uneven light: a smooth ramp across the frame, vignetting, colour temperature
    yy, xx = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    ramp = 1 + rng.uniform(0.1, 0.35) * ((xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) *
                                         np.sin(ang))
    rr = ((xx - w / 2) ** 2 + (yy - h / 2) ** 2) / (0.5 * np.hypot(w, h)) ** 2
    vign = 1 - rng.uniform(0.15, 0.35) * rr
    gain = cv2.resize((ramp * vign).astype(np.float32), (w, h))
    photo *= (gain * shot.exposure)[..., None] * np.array(shot.colour_temp, np.float32)
    # lateral chromatic aberration: red and blue scaled slightly about the centre
    ca = rng.uniform(0.0005, 0.0015)
    for c, s in ((0, 1 + ca), (2, 1 - ca)):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, s)
        photo[..., c] = cv2.warpAffine(photo[..., c], m, (w, h), borderMode=cv2.BORDER_REFLECT)
    if shot.focus_blur_px > 0.3:
        photo = cv2.GaussianBlur(photo, (0, 0), shot.focus_blur_px)
    if shot.motion_blur_px > 1:
        k = int(shot.motion_blur_px) | 1
        kern = np.zeros((k, k), np.float32)
        kern[k // 2] = 1.0 / k
        kern = cv2.warpAffine(kern, cv2.getRotationMatrix2D((k / 2, k / 2),
                                                            float(rng.uniform(0, 180)), 1), (k, k))
        photo = cv2.filter2D(photo, -1, kern / max(1e-6, kern.sum()))
    # sensor noise grows with the signal (shot noise) plus a read-noise floor
    noise = rng.standard_normal((h, w, 3), dtype=np.float32)
    photo += noise * np.sqrt(np.clip(photo, 0, 255) * 0.08 + 4.0)
    return np.clip(photo, 0, 255).astype(np.uint8), front_quad


def to_sensor(rgb: np.ndarray, size: tuple[int, int], seed: int) -> np.ndarray:
    """Upsample a photo rendered at a lower resolution to the sensor size (demosaicing-like
    softness) with fine per-pixel noise, so files have the size and grain of a 12 MP phone
    photo without rendering every stage at 12 MP."""
    out = cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR).astype(np.int16)
    # numpy's seeded generator, not cv2.randn: OpenCV's global RNG made a set depend on which
    # worker rendered which photo, and on the order
    noise = np.random.default_rng(seed).standard_normal(out.shape, dtype=np.float32) * 2
    out += np.rint(noise).astype(np.int16)
    return np.clip(out, 0, 255).astype(np.uint8)


def encode(rgb: np.ndarray, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, subsampling=2)
    return buf.getvalue()


def packing_shot(r: random.Random) -> Shot:
    """A packing photo: up to 45 degrees off-axis, any roll now and then."""
    tilt = r.uniform(0, 45)
    az = r.uniform(0, 2 * np.pi)
    yaw = float(np.clip(tilt * np.cos(az), -44, 44))
    pitch = float(abs(tilt * np.sin(az)))
    roll = r.uniform(-25, 25) if r.random() < 0.85 else r.uniform(-180, 180)
    return Shot(yaw, pitch, roll, r.uniform(0.35, 0.9),
                (r.uniform(-1, 1), r.uniform(0.3, 1.0), r.uniform(0.2, 1.0)),
                exposure=r.uniform(0.8, 1.2),
                colour_temp=(r.uniform(0.9, 1.1), 1.0, r.uniform(0.85, 1.12)),
                focus_blur_px=r.uniform(0, 1.5), jpeg_quality=r.randint(68, 92),
                background=r.randrange(3))


def reference_shot(r: random.Random) -> Shot:
    """A filing photo of the face: up to 30 degrees off-axis, face filling the frame."""
    tilt = r.uniform(0, 30)
    az = r.uniform(0, 2 * np.pi)
    return Shot(float(tilt * np.cos(az)), float(abs(tilt * np.sin(az))), r.uniform(-8, 8),
                r.uniform(0.6, 0.85), (r.uniform(-1, 1), r.uniform(0.5, 1.0), r.uniform(0.3, 1.0)),
                exposure=r.uniform(0.85, 1.15),
                colour_temp=(r.uniform(0.92, 1.08), 1.0, r.uniform(0.9, 1.1)),
                focus_blur_px=r.uniform(0, 1.0), jpeg_quality=r.randint(80, 95),
                background=r.randrange(3))
