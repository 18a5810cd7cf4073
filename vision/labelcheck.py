"""Label integrity: every mark and label of the filed reference face must look the same at
its registered place in the photo. Catches labels that are partly covered (tape, a foreign
sticker) or torn even when enough of them is left for the detectors to find them."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import cv2
import numpy as np

from vision import marks
from vision.registration import Reference, Registration

CROP = 64
CELLS_OFFSET = 0.25
_cache: OrderedDict[str, list[tuple[str, np.ndarray]]] = OrderedDict()
_lock = Lock()


@dataclass
class LabelMatch:
    kind: str
    quad: np.ndarray  # in working-image pixels
    ncc: float
    cells: float = 1.0

    @property
    def similarity(self) -> float:
        """What the label-integrity threshold is applied to: the whole-crop NCC, or the
        cell score when that is lower (a torn corner or a sticker over a third of the label
        leaves the NCC of the rest high). CELLS_OFFSET puts the cell score on the NCC's
        scale for clean labels (clean photos of my own renders: NCC >= 0.86, cells >= 0.64
        on source A, >= 0.93 / >= 0.82 on source B)."""
        return min(self.ncc, self.cells + CELLS_OFFSET)


def reference_labels(ref: Reference) -> list[tuple[str, np.ndarray]]:
    """Marks and labels on the reference face (reference pixels), cached per reference."""
    with _lock:
        if ref.key in _cache:
            return _cache[ref.key]
    found = [(f.kind, f.quad) for f in marks.find_lithium_marks(ref.rgb, ref.rgb, read=False)]
    found += [(f.kind, f.quad) for f in marks.find_class9_labels(ref.rgb)]
    with _lock:
        _cache[ref.key] = found
        while len(_cache) > 64:
            _cache.popitem(last=False)
    return found


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = cv2.GaussianBlur(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), 1.0)
    b = cv2.GaussianBlur(cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), 1.0)
    a -= a.mean()
    b -= b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-6))


def _cells(a: np.ndarray, b: np.ndarray, n: int = 8) -> float:
    """1 - the largest difference between the two crops' n x n cell means (each crop
    normalised to zero mean, unit spread): a torn-off corner or a sticker over part of the
    label moves a few cells a lot, whereas a registration off by a pixel or two and other
    light move every cell a little."""
    def cells(x: np.ndarray) -> np.ndarray:
        g = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float32)
        g = cv2.resize(g, (n, n), interpolation=cv2.INTER_AREA)
        return (g - g.mean()) / (g.std() + 1e-3)

    return 1.0 - float(np.abs(cells(a) - cells(b)).max()) / 4.0


def check_labels(work: np.ndarray, reg: Registration, scale: float) -> list[LabelMatch]:
    """``scale``: working pixels per registration pixel."""
    if reg.homography is None:
        return []
    out = []
    for kind, quad in reference_labels(reg.reference):
        in_photo = cv2.perspectiveTransform(quad.reshape(-1, 1, 2).astype(np.float32),
                                            reg.homography).reshape(4, 2) * scale
        photo_crop = marks.rectify(work, in_photo, (CROP, CROP))
        ref_crop = marks.rectify(reg.reference.rgb, quad, (CROP, CROP))
        out.append(LabelMatch(kind, in_photo, _ncc(photo_crop, ref_crop),
                              _cells(photo_crop, ref_crop)))
    return out
