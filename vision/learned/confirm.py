"""The learned detector proposes, the classical finder confirms (vision-2.13).

On fresh source-B renders (``python -m vision detbench``) the classical class 9 finder missed
30 % of the labels, mostly at 4-9 % of the photo wide, where the diamond's edges run into the
labels beside it at the finder's 1000-px scale; the learned detector found 97 %, but with
more false detections and no corners. So where the learned detector sees a class 9 label and
the classical finder found none, the classical finder looks again at a crop around it,
enlarged to ``ZOOM_SIDE`` px per label side, and must find the label there: the label keeps
the classical corners, kind (9 or 9A) and checks, and a learned false detection is not
confirmed. Marks and CAO labels stay classical only: there the classical finders won.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from vision import marks
from vision.learned.net import WEIGHTS, Detection, LabelNet, detect, load

ZOOM_SIDE = 250.0  # px per label side in the enlarged crop
CROP_SIDES = 1.2  # the crop reaches this many label sides from the proposal's centre
_net: LabelNet | None = None
_lock = threading.Lock()


def net() -> LabelNet:
    """The process-wide detector, on the appearance check's backbone (lazy singleton)."""
    global _net
    with _lock:
        if _net is None:
            from vision import anomaly

            _net = load(WEIGHTS, backbone=anomaly.model())
        return _net


def _near(d: Detection, quad: np.ndarray) -> bool:
    return float(np.hypot(*(quad.mean(0) - (d.x, d.y)))) < 0.5 * d.side


def confirmed_class9(work: np.ndarray, known: list[marks.Found],
                     detector: LabelNet | None = None) -> list[marks.Found]:
    """Class 9 labels the classical finder confirms on an enlarged crop around each learned
    proposal that no label in ``known`` explains (quads in ``work`` pixels). ``detector``:
    the shipped one unless given."""
    found: list[marks.Found] = []
    h, w = work.shape[:2]
    for d in detect(detector or net(), work):
        if d.cls != "class9" or any(_near(d, f.quad) for f in [*known, *found]):
            continue
        reach = CROP_SIDES * d.side
        x0, y0 = max(0, int(d.x - reach)), max(0, int(d.y - reach))
        x1, y1 = min(w, int(d.x + reach) + 1), min(h, int(d.y + reach) + 1)
        k = max(1.0, ZOOM_SIDE / d.side)
        crop = cv2.resize(work[y0:y1, x0:x1], None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
        for f in marks.find_class9_labels(crop):
            quad = f.quad / k + np.array([x0, y0], np.float32)
            if _near(d, quad):
                found.append(marks.Found(f.kind, quad, f.text, score=f.score))
                break
    return found
