"""Design match: register the photo to the filed reference faces (SIFT + USAC MAGSAC
homography) and measure how much of the reference the photo really shows."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from threading import Lock

import cv2
import numpy as np

from vision.gradient import sobel_magnitude
from vision.imageio import read_source, resize_long
from vision.schema import ImageSource

REF_LONG_SIDE = 800
PHOTO_LONG_SIDE = 800
# a face small in the frame (a carton photographed from a few metres) keeps too few features
# at PHOTO_LONG_SIDE; the pipeline looks again at this resolution when the first look fails,
# and keeps what it finds only for a face below FINE_MAX_FACE_SHARE of the photo: a larger
# face is over 200 px across at PHOTO_LONG_SIDE, where the first look's verdict stands (a
# second look at those let foreign designs of source A match: A 17373, development set)
FINE_LONG_SIDE = 2000
FINE_MAX_FACE_SHARE = 0.10
GRID = 8
NFEATURES = 1500
TILTS = (1.0, 2 ** 0.5, 2.0)
RATIO = 0.85
# the reference face seen through a registration covers at least this share of the photo
MIN_VIEW_AREA = 0.01


@dataclass
class Reference:
    face: str
    rgb: np.ndarray
    gray: np.ndarray
    keypoints: np.ndarray  # (N, 2) float32
    descriptors: np.ndarray
    key: str = ""  # content hash, for caches of derived data


@dataclass
class Registration:
    face: str
    reference: Reference
    homography: np.ndarray | None  # reference px -> photo px (photo at registration scale)
    inliers: int
    coverage: float
    ncc: float
    rectified: np.ndarray | None  # photo warped into the reference frame (RGB)
    valid: np.ndarray | None  # mask of rectified pixels that came from the photo
    layout: float = 0.0  # median per-cell gradient NCC over the textured cells
    photo_size: tuple[int, int] = (0, 0)  # (w, h) of the photo as registered, in px

    def scale_to(self, photo: np.ndarray) -> float:
        """``photo``'s pixels per registration pixel."""
        return photo.shape[1] / self.photo_size[0] if self.photo_size[0] else 1.0

    @property
    def face_share(self) -> float:
        """The share of the photo the registered face covers (0 without a registration)."""
        quad = self.quad
        w, h = self.photo_size
        if quad is None or not w * h:
            return 0.0
        return abs(float(cv2.contourArea(quad.astype(np.float32)))) / (w * h)

    @property
    def quad(self) -> np.ndarray | None:
        if self.homography is None:
            return None
        h, w = self.reference.gray.shape
        corners = np.array([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]], np.float32)
        return cv2.perspectiveTransform(corners, self.homography).reshape(4, 2)


_sift_lock = Lock()
_sift: cv2.SIFT | None = None


def _detector() -> cv2.SIFT:
    global _sift
    with _sift_lock:
        if _sift is None:
            _sift = cv2.SIFT_create(nfeatures=NFEATURES, contrastThreshold=0.03)
        return _sift


def _root(desc: np.ndarray) -> np.ndarray:
    """RootSIFT: L1-normalise and square-root (Hellinger kernel), better matching."""
    desc = desc / (desc.sum(1, keepdims=True) + 1e-7)
    return np.sqrt(desc).astype(np.float32)


def features(gray: np.ndarray, nfeatures: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """RootSIFT keypoints; ``nfeatures=0`` keeps all of them."""
    detector = _detector() if nfeatures is None else cv2.SIFT_create(
        nfeatures=nfeatures, contrastThreshold=0.03)
    kps, desc = detector.detectAndCompute(gray, None)
    pts = np.array([k.pt for k in kps], np.float32).reshape(-1, 2)
    if desc is None:
        return pts, np.zeros((0, 128), np.float32)
    return pts, _root(desc)


def affine_view_features(gray: np.ndarray, tilts: tuple[float, ...] = TILTS
                         ) -> tuple[np.ndarray, np.ndarray]:
    """ASIFT-style reference features: SIFT on simulated camera tilts and rotations of the
    flat reference, mapped back to reference pixels. Real photos see faces at steep angles
    (the TAMPAR sample) where plain SIFT on the flat reference finds too few matches."""
    h, w = gray.shape
    all_pts, all_desc = [], []
    for t in tilts:
        for phi in ([0.0] if t == 1 else np.arange(0.0, 180.0, 72.0 / t)):
            a = cv2.getRotationMatrix2D((w / 2, h / 2), float(phi), 1.0)
            corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], float) @ a.T
            x0, y0 = corners.min(0)
            x1, y1 = corners.max(0)
            a[:, 2] -= [x0, y0]
            a[0] /= t
            src = gray if t == 1 else cv2.GaussianBlur(gray, (0, 0), 0.8 * np.sqrt(t * t - 1))
            view = cv2.warpAffine(src, a, (int((x1 - x0) / t) + 1, int(y1 - y0) + 1))
            pts, desc = features(view)
            if len(pts) == 0:
                continue
            back = np.c_[pts, np.ones(len(pts))] @ cv2.invertAffineTransform(a).T
            ok = (back[:, 0] >= 0) & (back[:, 0] < w) & (back[:, 1] >= 0) & (back[:, 1] < h)
            all_pts.append(back[ok].astype(np.float32))
            all_desc.append(desc[ok])
    if not all_pts:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32)
    return np.concatenate(all_pts), np.concatenate(all_desc)


FLANN_SEED = 4242


def _matcher() -> cv2.DescriptorMatcher:
    """Approximate nearest neighbours (FLANN k-d trees): ~5x faster than brute force here."""
    return cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 48})


_cache: OrderedDict[str, Reference] = OrderedDict()
_cache_lock = Lock()


def load_reference(face: str, source: ImageSource, tilts: tuple[float, ...] = TILTS
                   ) -> Reference:
    """Reference features, cached per process by content hash (filings are immutable)."""
    from vision.imageio import decode_photo

    data = read_source(source)
    key = hashlib.sha1(data + repr(tilts).encode()).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            ref = _cache[key]
            return Reference(face, ref.rgb, ref.gray, ref.keypoints, ref.descriptors, key)
    rgb = decode_photo(data, long_side=REF_LONG_SIDE).rgb
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    pts, desc = affine_view_features(gray, tilts)
    ref = Reference(face, rgb, gray, pts, desc, key)
    with _cache_lock:
        _cache[key] = ref
        while len(_cache) > 64:
            _cache.popitem(last=False)
    return ref


def _grad(x: np.ndarray) -> np.ndarray:
    """Smoothed gradient magnitude (sigma 2 px before and after: tolerant of blur and of a
    pixel or two of misregistration)."""
    x = cv2.GaussianBlur(x.astype(np.float32), (0, 0), 2.0)
    return cv2.GaussianBlur(sobel_magnitude(x), (0, 0), 2.0)


def layout_agreement(a: np.ndarray, b: np.ndarray, mask: np.ndarray, grid: int = GRID
                     ) -> float:
    """Median, over the cells of a ``grid`` x ``grid`` split of the reference that show
    print (in either image), of the cell's gradient-magnitude NCC.

    A whole-face NCC is dominated by the high-contrast hazard labels that every design
    shares, so its scale depends on how much of a face they fill (foreign designs of one
    source reached 0.87 where clean photos of another, photographed references scored
    0.85). Per cell, each part of the layout (brand, text, band, labels) has one vote: a
    foreign design disagrees in most of them wherever its shared labels sit. Measured on
    development sets of both sources: same design >= 0.91, other designs <= 0.49."""
    ga, gb = _grad(a), _grad(b)
    if int(mask.sum()) < 100:
        return 0.0
    ea = float(np.percentile(ga[mask], 90)) + 1e-6
    eb = float(np.percentile(gb[mask], 90)) + 1e-6
    h, w = gb.shape
    vals = []
    for i in range(grid):
        for j in range(grid):
            cell = (slice(i * h // grid, (i + 1) * h // grid),
                    slice(j * w // grid, (j + 1) * w // grid))
            m = mask[cell]
            if m.mean() < 0.8:
                continue
            ca, cb = ga[cell][m], gb[cell][m]
            if max(float(ca.std()) / ea, float(cb.std()) / eb) < 0.15:
                continue  # plain board in both: no vote
            ca, cb = ca - ca.mean(), cb - cb.mean()
            den = float(np.sqrt((ca * ca).sum() * (cb * cb).sum())) + 1e-6
            vals.append(float((ca * cb).sum()) / den)
    return float(np.median(vals)) if vals else 0.0


def _ncc(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    """Normalised cross-correlation of gradient magnitudes (lighting-insensitive)."""
    ga, gb = _grad(a)[mask], _grad(b)[mask]
    if ga.size < 100:
        return 0.0
    ga = ga - ga.mean()
    gb = gb - gb.mean()
    den = float(np.sqrt((ga * ga).sum() * (gb * gb).sum())) + 1e-6
    return float((ga * gb).sum() / den)


def plausible_view(hom: np.ndarray, ref_size: tuple[int, int],
                   photo_shape: tuple[int, ...]) -> bool:
    """Whether ``hom`` (reference -> photo) shows the flat reference face as a camera can:
    its corners in front of the camera, a convex outline, at least ``MIN_VIEW_AREA`` of the
    photo. A fit that folds the face onto a line or a point (seen on a photo of another
    carton: determinant ~1e-18, the face 2e-5 px² large) is no registration, and warping with
    it crashes OpenCV 5.1's warpPerspective."""
    w, h = ref_size
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], np.float64) @ hom.T
    if not np.all(np.isfinite(corners)) or np.any(corners[:, 2] <= 1e-9):
        return False
    quad = (corners[:, :2] / corners[:, 2:]).astype(np.float32)
    if not np.all(np.abs(quad) < 1e6):
        return False
    area = abs(cv2.contourArea(quad))
    return (cv2.isContourConvex(quad.reshape(-1, 1, 2))
            and area >= MIN_VIEW_AREA * photo_shape[0] * photo_shape[1])


def register(photo_gray: np.ndarray, photo_pts: np.ndarray, photo_desc: np.ndarray,
             photo_rgb: np.ndarray, ref: Reference) -> Registration:
    size = (photo_gray.shape[1], photo_gray.shape[0])
    empty = Registration(ref.face, ref, None, 0, 0.0, 0.0, None, None, photo_size=size)
    if len(ref.descriptors) < 8 or len(photo_desc) < 8:
        return empty
    # the k-d trees are randomised from OpenCV's RNG (per thread); seeded, the same photo
    # gets the same matches whatever ran before it in this process
    cv2.setRNGSeed(FLANN_SEED)
    pairs = _matcher().knnMatch(ref.descriptors, photo_desc, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 8:
        return empty
    src = ref.keypoints[[m.queryIdx for m in good]]
    dst = photo_pts[[m.trainIdx for m in good]]
    hom, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, 5.0, maxIters=5000,
                                   confidence=0.999)
    h, w = ref.gray.shape
    if hom is None or mask is None or not plausible_view(hom, (w, h), photo_gray.shape):
        return empty
    inl = mask.ravel().astype(bool)
    n_in = int(inl.sum())
    cells = {(int(x * GRID / w), int(y * GRID / h)) for x, y in src[inl]}
    coverage = len(cells) / (GRID * GRID)
    inv = np.linalg.inv(hom)  # a plausible view is never singular
    rectified = cv2.warpPerspective(photo_rgb, inv, (w, h), flags=cv2.INTER_LINEAR)
    valid = cv2.warpPerspective(np.full(photo_gray.shape, 255, np.uint8), inv, (w, h)) > 127
    rect_gray = cv2.cvtColor(rectified, cv2.COLOR_RGB2GRAY)
    ncc = _ncc(rect_gray, ref.gray, valid)
    layout = layout_agreement(rect_gray, ref.gray, valid)
    return Registration(ref.face, ref, hom, n_in, coverage, ncc, rectified, valid, layout,
                        size)


def best_registration(photo_rgb: np.ndarray, references: Mapping[str, ImageSource],
                      long_side: int = PHOTO_LONG_SIDE) -> Registration | None:
    """Register ``photo_rgb`` (any size; downscaled to ``long_side`` here) to every reference
    face, keep the best. The homography is in the coordinates of the downscaled photo
    (:meth:`Registration.scale_to` maps them back)."""
    small = resize_long(photo_rgb, long_side)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    pts, desc = features(gray)
    best: Registration | None = None
    for face, source in references.items():
        ref = load_reference(face, source)
        reg = register(gray, pts, desc, small, ref)
        if best is None or (reg.inliers * reg.coverage) > (best.inliers * best.coverage):
            best = reg
    return best
