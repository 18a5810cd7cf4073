"""Marks and labels: the lithium battery mark (red hatched border) with its UN numbers and
telephone number (obsolete design), the class 9 / 9A label and the Cargo Aircraft Only label.

Detection is colour and shape based on a ~1000-px copy of the photo; OCR runs only on the
rectified crop of the mark taken from the 2000-px working image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vision import ocr
from vision.imageio import resize_long

DETECT_LONG_SIDE = 1000


@dataclass
class Found:
    kind: str  # 'lithium_mark' | 'class9' | 'class9a' | 'cargo_aircraft_only'
    quad: np.ndarray  # (4, 2) in working-image pixels, tl tr br bl
    text: str = ""
    un_numbers: list[str] = field(default_factory=list)
    phone: bool = False
    score: float = 0.0


def order_quad(pts: np.ndarray) -> np.ndarray:
    pts = pts.reshape(-1, 2).astype(np.float32)
    s, d = pts.sum(1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)],
                     pts[np.argmax(d)]], np.float32)


def _quad_of(contour: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(contour)
    approx = cv2.approxPolyDP(hull, 0.04 * cv2.arcLength(hull, True), True)
    if len(approx) == 4:
        return order_quad(approx)
    return order_quad(cv2.boxPoints(cv2.minAreaRect(hull)))


def rectify(rgb: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(rgb, m, (w, h), flags=cv2.INTER_AREA)


def _red_mask(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (((h <= 8) | (h >= 168)) & (s >= 90) & (v >= 60)).astype(np.uint8)


def find_lithium_marks(small: np.ndarray, work: np.ndarray) -> list[Found]:
    """Red hatched squares with a white inside; OCR'd for UN numbers and a phone number."""
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    red = _red_mask(hsv)
    closed = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_side = 0.03 * max(small.shape[:2])
    k = work.shape[1] / small.shape[1]
    found: list[Found] = []
    white = ((hsv[..., 1] < 60) & (hsv[..., 2] > 130)).astype(np.uint8)
    for c in contours:
        _x, _y, w, h = cv2.boundingRect(c)
        if w < min_side or h < min_side or not 0.7 < w / h < 1.45:
            continue
        quad = _quad_of(c)
        mask = np.zeros(red.shape, np.uint8)
        cv2.fillConvexPoly(mask, quad.astype(np.int32), 1)
        area = float(mask.sum())
        if area < min_side * min_side:
            continue
        inner = cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=max(2, int(0.1 * w)))
        ring = mask & (1 - inner)
        ring_red = float((red & ring).sum()) / max(1.0, float(ring.sum()))
        inner_white = float((white & inner).sum()) / max(1.0, float(inner.sum()))
        if not (0.2 < ring_red < 0.9 and inner_white > 0.45):
            continue
        wq = quad * k
        crop = rectify(work, wq, (300, 300))
        m = 22
        lines = ocr.read_lines(crop[m:-m, m:-m])
        text = " | ".join(t for t, _ in lines)
        found.append(Found("lithium_mark", wq, text, ocr.un_numbers(text),
                           ocr.has_phone_number(text), ring_red))
    return found


def _diamond_ok(canon: np.ndarray) -> tuple[bool, float]:
    """Stripes in the top half of a rectified (canonical, 160 px) diamond; returns
    (is class 9 label, pictogram ink in the lower half)."""
    gray = cv2.cvtColor(canon, cv2.COLOR_RGB2GRAY)
    n = gray.shape[0]
    row = gray[int(0.36 * n), int(0.25 * n):int(0.75 * n)]
    dark = row < (int(row.max()) + int(row.min())) / 2
    runs = int(np.count_nonzero(np.diff(dark.astype(np.int8)) == 1))
    contrast = float(row.max()) - float(row.min())
    lower = canon[int(0.52 * n):int(0.72 * n), int(0.3 * n):int(0.7 * n)]
    lg = cv2.cvtColor(lower, cv2.COLOR_RGB2GRAY)
    hsv = cv2.cvtColor(lower, cv2.COLOR_RGB2HSV)
    ink = float(((lg < 110) | ((hsv[..., 1] > 100) & (hsv[..., 2] > 60))).mean())
    return runs >= 3 and contrast > 60, ink


def find_class9_labels(work: np.ndarray) -> list[Found]:
    """Diamonds (squares on a point) with black stripes in the top half; 9A when the lower
    half carries the battery pictogram."""
    img = resize_long(work, DETECT_LONG_SIDE)
    k = work.shape[1] / img.shape[1]
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 40, 120)
    edges = cv2.dilate(edges, np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    min_side = 0.03 * max(img.shape[:2])
    found: list[Found] = []
    for c in contours:
        _x, _y, w, h = cv2.boundingRect(c)
        if w < min_side or h < min_side or not 0.7 < w / h < 1.4:
            continue
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.05 * cv2.arcLength(hull, True), True)
        if len(approx) != 4:
            continue
        pts = approx.reshape(4, 2).astype(np.float32)
        cx, cy = pts.mean(0)
        # diamond: one vertex on top, bottom, left and right of the centre
        top = pts[np.argmin(pts[:, 1])]
        right = pts[np.argmax(pts[:, 0])]
        bottom = pts[np.argmax(pts[:, 1])]
        left = pts[np.argmin(pts[:, 0])]
        if len({tuple(top), tuple(right), tuple(bottom), tuple(left)}) != 4:
            continue
        if abs(top[0] - cx) > 0.25 * w or abs(left[1] - cy) > 0.25 * h:
            continue
        if cv2.contourArea(approx) < 0.35 * w * h:
            continue
        quad = np.array([top, right, bottom, left], np.float32) * k
        n = 160
        dst = np.array([[n / 2, 0], [n, n / 2], [n / 2, n], [0, n / 2]], np.float32)
        m = cv2.getPerspectiveTransform(quad, dst)
        canon = cv2.warpPerspective(work, m, (n, n), flags=cv2.INTER_AREA)
        ok, ink = _diamond_ok(canon)
        if not ok:
            continue
        kind = "class9a" if ink > 0.06 else "class9"
        found.append(Found(kind, quad, kind.upper().replace("CLASS", "CLASS "), score=ink))
    return _dedupe(found)


def find_cargo_aircraft_only(small: np.ndarray, work: np.ndarray,
                             min_side_px: float) -> list[Found]:
    """Solid orange rectangles with black print, at least ``min_side_px`` (small scale)."""
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    orange = ((h >= 9) & (h <= 22) & (s >= 140) & (v >= 110)).astype(np.uint8)
    closed = cv2.morphologyEx(orange, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    k = work.shape[1] / small.shape[1]
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    found: list[Found] = []
    for c in contours:
        _x, _y, w, hh = cv2.boundingRect(c)
        if min(w, hh) < min_side_px or not 0.75 < w / hh < 1.5:
            continue
        quad = _quad_of(c)
        mask = np.zeros(orange.shape, np.uint8)
        cv2.fillConvexPoly(mask, quad.astype(np.int32), 1)
        area = max(1.0, float(mask.sum()))
        fill = float((orange & mask).sum()) / area
        ink = float(((gray < 80) & (mask > 0)).sum()) / area
        if fill > 0.55 and 0.06 < ink < 0.4:
            found.append(Found("cargo_aircraft_only", quad * k, "CARGO AIRCRAFT ONLY",
                               score=ink))
    return found


def _dedupe(found: list[Found]) -> list[Found]:
    out: list[Found] = []
    for f in sorted(found, key=lambda f: -cv2.contourArea(f.quad)):
        c = f.quad.mean(0)
        if all(np.linalg.norm(c - g.quad.mean(0)) > 0.3 * np.ptp(g.quad[:, 0]) for g in out):
            out.append(f)
    return out
