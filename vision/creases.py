"""New lines: creases, folds and tear edges that the approved face does not have.

A crushed carton shows thin straight ridges (a crease is darker or lighter than the board on
both sides of it) that cover a few percent of a feature cell, so patch features and the
cell-sized colour distance dilute them below the appearance limit. Here the photo and the
reference are compared at a finer scale, as ridges only:

* a *ridge* is a structure up to :data:`RIDGE_PX` wide that is darker (black-hat) or lighter
  (top-hat) than both its sides, in lightness, after the photo's light is matched;
* ridges are compared *direction by direction*: in each of :data:`DIRECTIONS` directions,
  only the ridge pixels that run straight in that direction for :data:`RUN_PX` count (a
  morphological opening with a line), and a ridge is *new* where it stands
  :data:`CONTRAST` above the reference's ridges of the same direction within
  :data:`TOLERANCE_PX`. So a crease that crosses a label's stripes or a barcode at another
  angle is new all along its length, where comparing ridges of any direction hid it behind
  the print (vision-2.15 found such creases only between the stripes); one that runs within
  about a direction's step of the print's own strokes is still hidden there. The reference's
  ridges are taken with a wider element (:data:`REFERENCE_RIDGE_PX`), so printed strokes
  whose width differs a little between the reference and the photo (another camera,
  resolution or print run) are not new;
* the new-ridge pixels are grouped into straight segments (probabilistic Hough); the face's
  outer :data:`BORDER` is ignored, where a carton's bulging edge or the floor past an
  inexact corner leaves a band along the side.

Edges of printed shapes that moved by more than the tolerance (a curved logo on a carton
that is not flat) are not ridges, so they are not new lines. The longest segment, as a share
of the face's long side, is the score (:func:`new_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SIDE_PX = 640  # the face's long side in the line map
RIDGE_PX = 9  # widest ridge looked for (1.4 % of the long side: a crease, not a stripe)
REFERENCE_RIDGE_PX = 15
TOLERANCE_PX = 4  # registration tolerance (0.6 % of the long side)
CONTRAST = 10.0  # L* units above the reference's ridges
BORDER = 0.06  # share of each side left out along the face's edges
MIN_LENGTH_PX = 30  # shortest segment kept (4.7 % of the long side)
MAX_GAP_PX = 6  # a line crossing print of its own colour is still one line
DIRECTIONS = 12  # 15 degrees apart
RUN_PX = 15  # straight run of a ridge in one direction (a 3 px crease 7.5 degrees off keeps 23)


@dataclass(frozen=True)
class Segment:
    """A new line, in the reference's pixels, and its length as a share of the long side."""

    start: tuple[float, float]
    end: tuple[float, float]
    share: float


def _lightness(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    return cv2.GaussianBlur(lab[..., 0].astype(np.float32) * (100.0 / 255.0), (0, 0), 0.7)


def _run(direction: int) -> np.ndarray:
    """A line element :data:`RUN_PX` long in one of the :data:`DIRECTIONS`."""
    kernel = np.zeros((RUN_PX, RUN_PX), np.uint8)
    c = (RUN_PX - 1) / 2
    dx, dy = c * np.cos(np.pi * direction / DIRECTIONS), c * np.sin(np.pi * direction / DIRECTIONS)
    cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1, 1)
    return kernel


_RUNS = tuple(_run(d) for d in range(DIRECTIONS))


def new_ridges(photo: np.ndarray, reference: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """How far (L* units) each pixel of the line map is a ridge the reference has not got
    nearby in the same direction. ``photo`` is already brought to the reference's frame,
    light and sharpness."""
    h, w = reference.shape[:2]
    s = SIDE_PX / max(h, w)
    size = (max(8, round(w * s)), max(8, round(h * s)))
    lp, lr = _lightness(photo, size), _lightness(reference, size)
    own = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (RIDGE_PX, RIDGE_PX))
    ref = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (REFERENCE_RIDGE_PX, REFERENCE_RIDGE_PX))
    near = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * TOLERANCE_PX + 1,) * 2)
    new = np.zeros_like(lp)
    edge = {"borderType": cv2.BORDER_REPLICATE}
    for op in (cv2.MORPH_BLACKHAT, cv2.MORPH_TOPHAT):
        in_photo = cv2.morphologyEx(lp, op, own, **edge)
        in_reference = cv2.morphologyEx(lr, op, ref, **edge)
        for run in _RUNS:
            present = cv2.dilate(cv2.morphologyEx(in_reference, cv2.MORPH_OPEN, run, **edge),
                                 near, **edge)
            new = np.maximum(new, cv2.morphologyEx(in_photo, cv2.MORPH_OPEN, run, **edge)
                             - present)
    inside = cv2.resize(valid.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    inside = cv2.erode(inside, np.ones((2 * TOLERANCE_PX + 5,) * 2, np.uint8)).astype(bool)
    by, bx = max(2, round(BORDER * size[1])), max(2, round(BORDER * size[0]))
    inside[:by] = inside[-by:] = False
    inside[:, :bx] = inside[:, -bx:] = False
    new[~inside] = 0.0
    return new


def new_lines(photo: np.ndarray, reference: np.ndarray, valid: np.ndarray) -> list[Segment]:
    """The straight new lines on the face, longest first."""
    new = new_ridges(photo, reference, valid)
    found = cv2.HoughLinesP((new > CONTRAST).astype(np.uint8) * 255, 1, np.pi / 180, 20,
                            minLineLength=MIN_LENGTH_PX, maxLineGap=MAX_GAP_PX)
    if found is None:
        return []
    back = max(reference.shape[:2]) / max(new.shape)
    segments = [Segment((x0 * back, y0 * back), (x1 * back, y1 * back),
                        float(np.hypot(x1 - x0, y1 - y0)) / max(new.shape))
                for x0, y0, x1, y1 in found.reshape(-1, 4).tolist()]
    return sorted(segments, key=lambda seg: -seg.share)
