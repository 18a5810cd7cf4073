"""Quality gate: resolution, focus and exposure. Failing it asks for a new photo.

Focus is measured as the **blur width** of the photo's edges, in pixels of the photo scaled
to :data:`FOCUS_LONG_SIDE` on its long side. Unlike a Laplacian-variance floor it does not
depend on the scene's contrast or texture, nor on the camera's native sharpness and
resolution (a soft but usable phone photo has edges ~1 px wide at that scale; a photo that
is out of focus or shaken has 2-5 px), so one threshold carries across cameras.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.gradient import magnitude
from vision.params import DEFAULT_PARAMS, CalibrationParams
from vision.schema import Reason

FOCUS_LONG_SIDE = 1000
# Gaussian-derivative scales (px) of the two gradient measurements
_FINE, _COARSE = 0.8, 2.0
_MIN_EDGES_PER_BIN = 40
# edge peaks: above this share of the photo's 90th-percentile gradient; per orientation the
# strongest quarter of them is measured
_EDGE_FLOOR = 0.3
# grey levels per pixel at the coarse scale: sensor noise stays far below it, the soft
# edges of a dim, low-contrast photo do not (3.0 left a shaken one's blurred direction
# with too few edges to be measured)
_MIN_EDGE = 1.0
_BINS = 8  # orientation bins of 22.5 degrees
_TOP_SHARE = 0.25


@dataclass
class QualityReport:
    reasons: list[Reason]
    scores: dict[str, float]


def _gradient(gray: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b = cv2.GaussianBlur(gray, (0, 0), sigma)
    gx = cv2.Sobel(b, cv2.CV_32F, 1, 0, ksize=1, scale=0.5)
    gy = cv2.Sobel(b, cv2.CV_32F, 0, 1, ksize=1, scale=0.5)
    return magnitude(gx, gy), gx, gy


def blur_width(gray: np.ndarray) -> float:
    """Estimated Gaussian blur sigma (px) of the strong edges of ``gray``, in the direction
    where it is widest.

    A step edge blurred by sigma_b and differentiated at scale s peaks at A / sqrt(sigma_b^2
    + s^2); the ratio R of the peaks at a fine and a coarse scale gives sigma_b^2 = (s2^2 -
    R^2 s1^2) / (R^2 - 1), whatever the edge's contrast. Edges are binned by orientation and
    the worst bin's median is returned: motion blur widens only the edges across the
    motion. Each bin takes its *own* strongest edges (the top quarter of the edge peaks of
    that orientation above a low floor): motion blur also weakens the edges it widens, and a
    single strength cut over all orientations kept only the sharp ones (a shaken photo
    measured 1.7 px where its blurred direction measures 4.6).
    """
    g = gray.astype(np.float32)
    fine, _, _ = _gradient(g, _FINE)
    coarse, gx, gy = _gradient(g, _COARSE)
    level = float(np.percentile(coarse[::3, ::3], 90))
    strong = coarse > max(_MIN_EDGE, _EDGE_FLOOR * level)
    peak = strong & (coarse >= cv2.dilate(coarse, np.ones((5, 5), np.uint8)))
    ys, xs = np.nonzero(peak)
    if len(ys) < _MIN_EDGES_PER_BIN:
        return float("inf") if float(coarse.max()) < 3.0 else 0.0
    fine_max = cv2.dilate(fine, np.ones((3, 3), np.uint8))
    mag = coarse[ys, xs]
    ratio = np.clip(fine_max[ys, xs] / mag, 1.0 + 1e-4, None)
    sigma = np.sqrt(np.clip((_COARSE ** 2 - ratio ** 2 * _FINE ** 2) / (ratio ** 2 - 1), 0,
                            100.0))
    angle = np.arctan2(gy[ys, xs], gx[ys, xs])
    bins = ((angle % np.pi) / (np.pi / _BINS)).astype(int) % _BINS
    medians = []
    for b in range(_BINS):
        sel = bins == b
        if int(sel.sum()) < _MIN_EDGES_PER_BIN // 2:
            continue
        m, s = mag[sel], sigma[sel]
        top = s[m >= np.quantile(m, 1.0 - _TOP_SHARE)]
        if len(top) < _MIN_EDGES_PER_BIN:
            top = s[np.argsort(-m)[:_MIN_EDGES_PER_BIN]]
        medians.append(float(np.median(top)))
    return max(medians) if medians else float(np.median(sigma))


def assess(rgb: np.ndarray, original_size: tuple[int, int],
           params: CalibrationParams = DEFAULT_PARAMS) -> QualityReport:
    """``rgb`` is the working image (long side ~1000 px)."""
    P = params
    reasons: list[Reason] = []
    w, h = original_size
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # blur is measured at a fixed scale (the photo's long side = FOCUS_LONG_SIDE)
    scale = FOCUS_LONG_SIDE / max(gray.shape)
    blur = blur_width(gray) * scale
    # legacy Laplacian variance (sharpest quarter of 8x8 tiles), reported only
    lap = cv2.Laplacian(gray, cv2.CV_32F)
    th, tw = max(1, gray.shape[0] // 8), max(1, gray.shape[1] // 8)
    tiles = [float(lap[y:y + th, x:x + tw].var())
             for y in range(0, gray.shape[0] - th + 1, th)
             for x in range(0, gray.shape[1] - tw + 1, tw)]
    tiles.sort(reverse=True)
    focus = float(np.mean(tiles[: max(1, len(tiles) // 4)]))
    mean = float(gray.mean())
    dark = float((gray < 8).mean())
    bright = float((gray > 247).mean())
    # the brightest 1 % of the photo (label paper, white board): an underexposed photo has
    # no white left, whatever the scene's mean (a bright floor lifts the mean)
    highlight = float(np.percentile(gray[::2, ::2], 99))
    scores = {"quality_blur_px": min(blur, 99.0), "quality_focus": focus,
              "quality_brightness": mean,
              "quality_clipped": max(dark, bright), "quality_dark_clipped": dark,
              "quality_bright_clipped": bright, "quality_highlight": highlight,
              "quality_megapixels": w * h / 1e6,
              "quality_short_side": float(min(w, h))}
    if min(w, h) < P.min_short_side_px:
        reasons.append(Reason("low_resolution",
                              f"The photo is {w}x{h} pixels; take it at full camera resolution "
                              f"(at least {P.min_short_side_px} pixels on the short side).",
                              "quality"))
    if blur > P.max_blur_px:
        reasons.append(Reason("blurred",
                              "The photo is out of focus or shaken; hold the camera still, tap "
                              "to focus on the labels and take it again.", "quality"))
    if mean < P.min_brightness or dark > P.max_clipped or highlight < P.min_highlight:
        reasons.append(Reason("underexposed",
                              "The photo is too dark; add light or use the flash.", "quality"))
    elif mean > P.max_brightness or bright > P.max_clipped:
        reasons.append(Reason("overexposed",
                              "The photo is too bright or shows glare; avoid direct light on "
                              "the labels.", "quality"))
    return QualityReport(reasons, scores)
