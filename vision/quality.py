"""Quality gate: resolution, focus and exposure. Failing it asks for a new photo."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.params import DEFAULT_PARAMS, CalibrationParams
from vision.schema import Reason


@dataclass
class QualityReport:
    reasons: list[Reason]
    scores: dict[str, float]


def assess(rgb: np.ndarray, original_size: tuple[int, int],
           params: CalibrationParams = DEFAULT_PARAMS) -> QualityReport:
    """``rgb`` is the working image (long side ~1000 px)."""
    P = params
    reasons: list[Reason] = []
    w, h = original_size
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # focus: Laplacian variance at a fixed 1000-px scale, over the sharpest 25 % of tiles
    # (the carton may fill only part of the frame; background can be plain)
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
    scores = {"quality_focus": focus, "quality_brightness": mean,
              "quality_clipped": max(dark, bright), "quality_dark_clipped": dark,
              "quality_bright_clipped": bright, "quality_megapixels": w * h / 1e6,
              "quality_short_side": float(min(w, h))}
    if min(w, h) < P.min_short_side_px:
        reasons.append(Reason("low_resolution",
                              f"The photo is {w}x{h} pixels; take it at full camera resolution "
                              f"(at least {P.min_short_side_px} pixels on the short side).",
                              "quality"))
    if focus < P.min_focus:
        reasons.append(Reason("blurred",
                              "The photo is out of focus or shaken; hold the camera still, tap "
                              "to focus on the labels and take it again.", "quality"))
    if mean < P.min_brightness or dark > P.max_clipped:
        reasons.append(Reason("underexposed",
                              "The photo is too dark; add light or use the flash.", "quality"))
    elif mean > P.max_brightness or bright > P.max_clipped:
        reasons.append(Reason("overexposed",
                              "The photo is too bright or shows glare; avoid direct light on "
                              "the labels.", "quality"))
    return QualityReport(reasons, scores)
