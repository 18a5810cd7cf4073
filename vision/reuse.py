"""Is this photo an earlier photo used again, cropped, rescaled or re-encoded?

The hash stage compares whole-image fingerprints, which a crop of a few per cent or another
JPEG quality moves by 60-120 of 256 bits, as far as another photo of the same carton. So the
nearest earlier photos by hash are checked pixel by pixel: a copy is one similarity transform
(crop, rescale, quarter turn, mirror) away from the earlier photo, and after that transform
the two agree everywhere, floor and background included. Another photo of the same carton
agrees at best on the printed face, which sits under another perspective than the floor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision.gradient import sobel_magnitude
from vision.imageio import decode_photo
from vision.thresholds import MIN_COPY_AGREEMENT, MIN_COPY_OVERLAP, REUSE_CANDIDATES

# both photos are compared at this size: a copy agrees at any size, and ORB, matching and the
# sub-pixel alignment on 640 px take a few hundredths of a second per earlier photo
COPY_LONG_SIDE = 640
MIN_MATCHES = 12
RANSAC_PX = 3.0
# the sub-pixel alignment (most of the check's time) is only worth it for a likely copy: it moves
# the agreement by a few hundredths (copies of the real photos are >= 0.85 before it)
REFINE_FROM = 0.8


@dataclass(frozen=True)
class CopyMatch:
    """How well an earlier photo, moved by the best similarity transform, covers this one."""

    overlap: float  # fraction of this photo the moved earlier photo covers
    agreement: float  # gradient NCC of the two over that overlap (1: the same pixels)

    @property
    def score(self) -> float:
        """The agreement counted over the whole of this photo (0 where nothing matched)."""
        return self.agreement * self.overlap


NO_MATCH = CopyMatch(0.0, 0.0)


def _gray(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = COPY_LONG_SIDE / max(h, w)
    if s < 1:
        rgb = cv2.resize(rgb, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


Features = tuple[np.ndarray, "np.ndarray | None"]  # keypoint positions, ORB descriptors


def _grad(gray: np.ndarray) -> np.ndarray:
    """Gradient magnitude after a 1.5 px blur: exposure and JPEG quality change its level,
    not where it is."""
    x = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), 1.5)
    return sobel_magnitude(x)


def _features(gray: np.ndarray) -> Features:
    """ORB: a copy keeps its corners exactly, so the fast binary features are enough."""
    kps, desc = cv2.ORB_create(nfeatures=1500).detectAndCompute(gray, None)
    return np.array([k.pt for k in kps], np.float32).reshape(-1, 2), desc


def _refine(photo: np.ndarray, earlier: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Sub-pixel alignment (ECC, an affine map from this photo into the earlier one, on both
    halved) from the matched features' estimate: a copy then agrees to the last detail.
    Keeps the estimate where ECC does not converge (then they are not the same pixels)."""
    warp = back.astype(np.float32).copy()
    warp[:, 2] *= 0.5  # the same map between the halved images
    try:
        cv2.findTransformECC(cv2.pyrDown(photo).astype(np.float32),
                             cv2.pyrDown(earlier).astype(np.float32), warp, cv2.MOTION_AFFINE,
                             (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 1e-4),
                             None, 3)
    except cv2.error:
        return back
    warp[:, 2] *= 2.0
    return warp


def _agreement(photo: np.ndarray, earlier: np.ndarray, back: np.ndarray) -> tuple[float, float]:
    """(overlap, gradient NCC over it) of the earlier photo mapped onto this one by ``back``
    (this photo's pixels -> the earlier one's)."""
    h, w = photo.shape
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    moved = cv2.warpAffine(earlier, back, (w, h), flags=flags)
    cover = cv2.warpAffine(np.full(earlier.shape, 255, np.uint8), back, (w, h),
                           flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    inside = cv2.erode(cover, np.ones((5, 5), np.uint8)) > 0
    if inside.sum() < 100:
        return float(inside.mean()), 0.0
    a, b = _grad(photo)[inside], _grad(moved)[inside]
    a, b = a - a.mean(), b - b.mean()
    ncc = float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-6))
    return float(inside.mean()), max(ncc, 0.0)


def _one_way(photo: np.ndarray, photo_features: Features, earlier: np.ndarray) -> CopyMatch:
    pts_p, desc_p = photo_features
    pts_e, desc_e = _features(earlier)
    if desc_p is None or desc_e is None or len(pts_p) < MIN_MATCHES or len(pts_e) < MIN_MATCHES:
        return NO_MATCH
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(desc_e, desc_p, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
    if len(good) < MIN_MATCHES:
        return NO_MATCH
    src = pts_e[[m.queryIdx for m in good]]
    dst = pts_p[[m.trainIdx for m in good]]
    transform, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC,
                                                  ransacReprojThreshold=RANSAC_PX)
    if transform is None or mask is None or int(mask.sum()) < MIN_MATCHES:
        return NO_MATCH
    back = cv2.invertAffineTransform(transform)
    overlap, agreement = _agreement(photo, earlier, back)
    if agreement >= REFINE_FROM:
        overlap, agreement = _agreement(photo, earlier, _refine(photo, earlier, back))
    return CopyMatch(overlap, agreement)


def copy_match(photo_rgb: np.ndarray, earlier_rgb: np.ndarray) -> CopyMatch:
    """How well the earlier photo, as it is or mirrored, covers this one."""
    photo = _gray(photo_rgb)
    return _best_way(photo, _features(photo), _gray(earlier_rgb))


def _best_way(photo: np.ndarray, photo_features: Features, earlier: np.ndarray) -> CopyMatch:
    """The earlier photo as it is, else mirrored (ORB follows turns, not mirrors)."""
    best = _one_way(photo, photo_features, earlier)
    if best.score < 0.5:
        mirrored = _one_way(photo, photo_features, np.ascontiguousarray(earlier[:, ::-1]))
        best = max(best, mirrored, key=lambda m: m.score)
    return best


HistoryPhoto = Callable[[str], bytes | None]


def nearest_copy(photo_rgb: np.ndarray, near: Sequence[tuple[int, str]],
                 history_photo: HistoryPhoto) -> float | None:
    """How exactly the best of the REUSE_CANDIDATES earlier photos nearest by hash (``near``,
    from :func:`vision.phash.ranked`) agrees with this photo once moved onto it; 0 where it
    covers too little of it. None: there is none, or the nearest could not be read (then its
    hash has to decide).

    The candidates are the nearest whatever their distance: a crop moves the hash as far as
    another photo of the same carton, so only the pixel check can tell them apart."""
    photo = _gray(photo_rgb)
    photo_features = _features(photo)
    best: float | None = None
    for rank, (_distance, hash_) in enumerate(near[:REUSE_CANDIDATES]):
        data = history_photo(hash_)
        try:
            if data is None:
                raise ValueError("gone")
            earlier = decode_photo(data, long_side=COPY_LONG_SIDE).rgb
        except Exception:  # an unreadable earlier photo proves nothing about this one
            if rank == 0:
                return None
            continue
        match = _best_way(photo, photo_features, _gray(earlier))
        agreement = match.agreement if match.overlap >= MIN_COPY_OVERLAP else 0.0
        best = agreement if best is None else max(best, agreement)
    return best


def is_reused(distance: float, copy: float | None, max_hamming: float) -> bool:
    """The pixel check decides where it ran: another photo of the same carton can be as near
    by hash as a copy (36 bits on a held-out set, limit 59). Elsewhere the hash decides."""
    return copy >= MIN_COPY_AGREEMENT if copy is not None else distance <= max_hamming


def files_history(paths: Iterable[Path], hash_of: Callable[[Path], str] | None = None
                  ) -> tuple[list[str], HistoryPhoto]:
    """Earlier photos given as files (the CLI and the benches): their hashes, and a fetch by
    hash that reads the file again. Unreadable files are left out."""
    from vision.phash import perceptual_hash
    from vision.schema import VisionInputError

    hash_file = hash_of or (lambda path: perceptual_hash(path.read_bytes()))
    by_hash: dict[str, Path] = {}
    for path in paths:
        try:
            by_hash[hash_file(path)] = path
        except (OSError, VisionInputError):
            continue
    return list(by_hash), lambda h: by_hash[h].read_bytes() if h in by_hash else None
