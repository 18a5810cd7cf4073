"""Appearance anomaly: patch features of the registered photo against the approved reference.

Both images are brought to the reference frame (the photo by the design-match homography),
photometrically matched, and passed through EfficientNet-Lite0's first stages. For every
stride-8 patch of the photo the distance to the nearest reference patch within one cell
(tolerating small misregistration) is the local difference, in features and in colour.

A local anomaly is a difference that stands out from the face's own level of difference:
each map is taken less its median over the face. Another camera, lens, print run
or a photographed reference raises the whole map (clean photos of a second photo source
reached 2.4x the first's colour distance), while a tear, cover or dent stands out of it
wherever the level sits; measured on both development sources, see ``vision/README.md``.
A crease, fold or tear edge is a thin line that covers a few percent of a feature cell, so
it is also looked for at a finer scale (:mod:`vision.creases`): each new straight line adds
its length to the map along its path, :data:`LINE_SHARE_AT_ONE` of the face's long side
scoring 1.0. The score is the maximum of the combined map; the map is the evidence heat map.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import cv2
import numpy as np
import torch

from vision import creases
from vision.backbone import IMAGENET_MEAN, IMAGENET_STD, LiteFeatures, load_pretrained

INPUT_LONG_SIDE = 320
THREADS = 1
# colour distance (Lab units) per unit of feature distance in the combined map: a colour
# difference of 60 stands out as much as one unit of feature distance (set on the
# development sources, see vision/README.md)
COLOUR_SCALE = 60.0
# a new line a quarter of the face's long side scores 1.0, so the default limit (0.5) holds
# a crease of an eighth: on clean photos of both development sources the longest new line
# was 10.0 % (across a barcode that differs from the filed one; see vision/README.md)
LINE_SHARE_AT_ONE = 0.25
_model: LiteFeatures | None = None
_lock = Lock()
_reference_blur: OrderedDict[str, float] = OrderedDict()


def model() -> LiteFeatures:
    """The process-wide backbone (lazy singleton)."""
    global _model
    with _lock:
        if _model is None:
            # one intra-op thread: on a small shared CPU, OpenMP busy-waiting across threads
            # made the stage 10x slower and erratic; a worker runs checks side by side instead
            torch.set_num_threads(THREADS)
            _model = load_pretrained()
        return _model


@dataclass
class AnomalyMap:
    score: float  # max of the combined map (feature and colour evidence above their level)
    heat: np.ndarray  # float32 combined map in reference-frame pixels
    feature_score: float = 0.0  # the maps' peaks, before the level is taken off
    colour_score: float = 0.0
    # each map's level over the face (its median): how far the whole face sits from the
    # reference, camera and print included; a cover or dent on less than half the face
    # leaves it where it is
    feature_level: float = 0.0
    colour_level: float = 0.0
    line_score: float = 0.0  # the longest new line, on the map's scale
    patch_score: float = 0.0  # the map's peak before the lines are added

    @property
    def line_share(self) -> float:
        """The longest new line as a share of the face's long side."""
        return self.line_score * LINE_SHARE_AT_ONE


def _prep(rgb: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
    x = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    x = (x - IMAGENET_MEAN) / IMAGENET_STD
    return torch.from_numpy(x.transpose(2, 0, 1)[None].copy())


def _low_pass(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Very smooth version of ``x`` (lighting field) over the pixels where ``weight`` is 1,
    computed on a 24-px thumbnail. Weighted: the black past the photo's frame, where the face
    was cut, would otherwise darken the field along the cut and brighten the face there."""
    h, w = x.shape[:2]
    size = (24, max(2, round(24 * h / w)))
    num = cv2.resize(x * weight[..., None], size, interpolation=cv2.INTER_AREA)
    den = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
    num = cv2.GaussianBlur(num, (0, 0), 2.0)
    den = cv2.GaussianBlur(den, (0, 0), 2.0)
    tiny = num / np.maximum(den, 1e-3)[..., None]
    return cv2.resize(tiny, (w, h), interpolation=cv2.INTER_CUBIC)


def _match_colours(photo: np.ndarray, ref: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """A smooth gain field per channel (removes lighting and colour cast)."""
    p = photo.astype(np.float32)
    r = ref.astype(np.float32)
    weight = valid.astype(np.float32)
    out = p * (_low_pass(r, weight) + 1.0) / (_low_pass(p, weight) + 1.0)
    out[~valid] = r[~valid]
    return np.clip(out, 0, 255).astype(np.uint8)


def _match_sharpness(photo: np.ndarray, reference: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Blur the sharper of the two to the other's blur width. A soft camera, a shaken hand
    or a photographed reference changes every edge of the face, and patch features see
    that as a difference everywhere; a real difference (damage, cover, tear) survives it."""
    from vision.quality import blur_width

    bp = blur_width(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY))
    key = hashlib.sha1(reference.tobytes()).hexdigest()
    with _lock:
        br = _reference_blur.get(key)
    if br is None:  # the reference is the same for every photo of a filing
        br = blur_width(cv2.cvtColor(reference, cv2.COLOR_RGB2GRAY))
        with _lock:
            _reference_blur[key] = br
            while len(_reference_blur) > 64:
                _reference_blur.popitem(last=False)
    if not (np.isfinite(bp) and np.isfinite(br)):
        return photo, reference
    extra = float(np.sqrt(abs(bp * bp - br * br)))
    if extra < 0.3:
        return photo, reference
    if bp < br:
        return cv2.GaussianBlur(photo, (0, 0), extra), reference
    return photo, cv2.GaussianBlur(reference, (0, 0), extra)


def _feats(x: torch.Tensor) -> torch.Tensor:
    f8, f16 = model()(x)
    f16 = torch.nn.functional.interpolate(f16, size=f8.shape[-2:], mode="bilinear",
                                          align_corners=False)
    f = torch.cat([f8, f16], 1)
    return torch.nn.functional.avg_pool2d(f, 3, 1, 1)


def score(rectified: np.ndarray, valid: np.ndarray, reference: np.ndarray) -> AnomalyMap:
    h, w = reference.shape[:2]
    s = INPUT_LONG_SIDE / max(h, w)
    size = (max(32, round(w * s / 8) * 8), max(32, round(h * s / 8) * 8))
    photo = _match_colours(rectified, reference, valid)
    photo, reference = _match_sharpness(photo, reference)
    with torch.inference_mode():
        both = torch.cat([_prep(photo, size), _prep(reference, size)], 0)
        f = _feats(both)
        # Euclidean distance in units of the reference's typical feature norm: unlike the
        # cosine, it stays small on plain carton where activations are weak and noisy
        scale = f[1:2].norm(dim=1).median().clamp_min(1e-6)
        fp, fr = f[0:1] / scale, f[1:2] / scale
        # nearest reference patch within +-1 cell
        best = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                shifted = torch.roll(fr, shifts=(dy, dx), dims=(2, 3))
                d = (fp - shifted).norm(dim=1)
                best = d if best is None else torch.minimum(best, d)
        dist = best[0].numpy()
    vmask = cv2.resize(valid.astype(np.uint8), (dist.shape[1], dist.shape[0]),
                       interpolation=cv2.INTER_NEAREST).astype(bool)
    vmask = cv2.erode(vmask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    dist[~vmask] = 0
    dist[:1, :] = 0
    dist[-1:, :] = 0
    dist[:, :1] = 0
    dist[:, -1:] = 0
    smooth = cv2.GaussianBlur(dist, (0, 0), 1.5)
    colour = _colour_distance(photo, reference, (dist.shape[1], dist.shape[0]))
    colour[~vmask] = 0
    colour = cv2.GaussianBlur(colour, (0, 0), 1.5)
    f_level = c_level = 0.0
    if vmask.any():
        f_level = float(np.median(smooth[vmask]))
        c_level = float(np.median(colour[vmask]))
    combined = np.maximum(smooth - f_level, (colour - c_level) / COLOUR_SCALE)
    combined = np.clip(combined, 0, None)
    combined[~vmask] = 0
    patch_score = float(combined.max())
    lines = creases.new_lines(photo, reference, valid)
    to_cells = dist.shape[1] / w
    drawn = np.zeros_like(combined)
    for seg in reversed(lines):  # the longest drawn last, over the shorter ones it crosses
        start, end = ((round(x * to_cells), round(y * to_cells)) for x, y in (seg.start, seg.end))
        cv2.line(drawn, start, end, seg.share / LINE_SHARE_AT_ONE, 1)
    combined = np.maximum(combined, drawn)
    heat = cv2.resize(combined, (w, h), interpolation=cv2.INTER_LINEAR)
    line_score = lines[0].share / LINE_SHARE_AT_ONE if lines else 0.0
    return AnomalyMap(float(combined.max()), heat, float(smooth.max()), float(colour.max()),
                      f_level, c_level, line_score, patch_score)


def _colour_distance(photo: np.ndarray, reference: np.ndarray, size: tuple[int, int]
                     ) -> np.ndarray:
    """Lab distance per feature cell to the closest reference cell within +-1 cell: a torn
    label shows carton where the reference has white paper, which features may miss."""
    def lab(x: np.ndarray) -> np.ndarray:
        small = cv2.resize(x, size, interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)

    p, r = lab(photo), lab(reference)
    best = None
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            d = np.linalg.norm(p - np.roll(r, (dy, dx), axis=(0, 1)), axis=2)
            best = d if best is None else np.minimum(best, d)
    assert best is not None
    return best
