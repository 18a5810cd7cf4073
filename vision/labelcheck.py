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
    region_ssim: float = 1.0  # worst cell of the region-wise comparison (region_ssim)

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
    found = [(f.kind, f.quad) for f in marks.face_labels(ref.rgb)]
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


REGION_CROP = 96
REGION_GRID = 4
REGION_SHIFT = 4


def _expanded(quad: np.ndarray, pad: float) -> np.ndarray:
    """The quad grown by ``pad`` (share of its side) in its own perspective frame."""
    n = 1.0
    src = np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    grown = np.array([[-pad, -pad], [n + pad, -pad], [n + pad, n + pad], [-pad, n + pad]],
                     np.float32)
    return cv2.perspectiveTransform(grown.reshape(-1, 1, 2), m).reshape(4, 2)


def _norm_levels(g: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    v = g[mask] if mask is not None and mask.any() else g
    lo, hi = np.percentile(v, (5, 95))
    return (g - lo) / max(float(hi - lo), 8.0)


def region_ssim(photo_gray: np.ndarray, in_photo: np.ndarray, ref_gray: np.ndarray,
                ref_quad: np.ndarray) -> float:
    """The smallest SSIM of the REGION_GRID x REGION_GRID cells of a label, photo against
    filed reference: a torn-off corner or a sticker over part of the label leaves the rest
    of it matching but takes the structure (and the level) out of the cells it covers.

    Both crops are rectified to REGION_CROP px square (the label's perspective and in-plane
    turn removed by its quad), blurred alike, their levels normalised to the 5th-95th
    percentile (other light, exposure, camera) and the photo's crop moved by up to
    REGION_SHIFT px to its best match (a registration off by a pixel or two, which would
    otherwise cost the fine print of every cell). Cells partly outside the photo are not
    judged."""
    n, s = REGION_CROP, REGION_SHIFT
    big = n + 2 * s
    dst = np.array([[0, 0], [big - 1, 0], [big - 1, big - 1], [0, big - 1]], np.float32)
    m = cv2.getPerspectiveTransform(_expanded(in_photo, s / n), dst)
    p = cv2.warpPerspective(photo_gray, m, (big, big), flags=cv2.INTER_AREA)
    yy, xx = np.mgrid[0:big, 0:big].astype(np.float32)
    back = cv2.perspectiveTransform(np.dstack([xx, yy]).reshape(-1, 1, 2),
                                    np.linalg.inv(m)).reshape(big, big, 2)
    ph, pw = photo_gray.shape
    ok = ((back[..., 0] >= 0) & (back[..., 0] <= pw - 1) & (back[..., 1] >= 0)
          & (back[..., 1] <= ph - 1))
    dst_n = np.array([[0, 0], [n - 1, 0], [n - 1, n - 1], [0, n - 1]], np.float32)
    r = cv2.warpPerspective(ref_gray, cv2.getPerspectiveTransform(
        ref_quad.astype(np.float32), dst_n), (n, n), flags=cv2.INTER_AREA)
    p = cv2.GaussianBlur(p.astype(np.float32), (0, 0), 1.2)
    r = cv2.GaussianBlur(r.astype(np.float32), (0, 0), 1.2)
    _mn, _mx, _lo, (dx, dy) = cv2.minMaxLoc(cv2.matchTemplate(p, r, cv2.TM_CCOEFF_NORMED))
    p, ok = p[dy:dy + n, dx:dx + n], ok[dy:dy + n, dx:dx + n]
    p, r = _norm_levels(p, ok), _norm_levels(r)
    c = n // REGION_GRID
    c1, c2 = 0.01 ** 2, 0.03 ** 2  # SSIM's constants for a 0..1 range
    worst = 1.0
    for i in range(REGION_GRID):
        for j in range(REGION_GRID):
            cell = (slice(i * c, (i + 1) * c), slice(j * c, (j + 1) * c))
            if ok[cell].mean() < 0.95:
                continue
            a, b = p[cell], r[cell]
            ma, mb = float(a.mean()), float(b.mean())
            cov = float(((a - ma) * (b - mb)).mean())
            ssim = ((2 * ma * mb + c1) * (2 * cov + c2)) / (
                (ma * ma + mb * mb + c1) * (float(a.var()) + float(b.var()) + c2))
            worst = min(worst, ssim)
    return worst


def check_labels(work: np.ndarray, reg: Registration, scale: float) -> list[LabelMatch]:
    """``scale``: working pixels per registration pixel."""
    if reg.homography is None:
        return []
    out = []
    gray = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY)
    for kind, quad in reference_labels(reg.reference):
        in_photo = cv2.perspectiveTransform(quad.reshape(-1, 1, 2).astype(np.float32),
                                            reg.homography).reshape(4, 2) * scale
        photo_crop = marks.rectify(work, in_photo, (CROP, CROP))
        ref_crop = marks.rectify(reg.reference.rgb, quad, (CROP, CROP))
        out.append(LabelMatch(kind, in_photo, _ncc(photo_crop, ref_crop),
                              _cells(photo_crop, ref_crop),
                              region_ssim(gray, in_photo, reg.reference.gray, quad)))
    return out
