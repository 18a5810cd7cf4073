"""Reference faces from phone photos: find the carton face in a photo (a quad) and rectify it.

At filing time the exporter photographs each face of the carton: the face fills most of the
frame, with some floor or wall around it and often a strip of the neighbouring faces, taken
up to ~30 degrees off-axis in whatever light there is. :func:`detect_face_quad` proposes
the face's four corners (the exporter can drag them on the filing page);
:func:`rectify_face` turns the photo and the (confirmed) quad into the flat, fronto-parallel
reference face that design matching uses.

Method (classical, no training): quad candidates from three independent cues, each scored
by how well its four sides lie on image edges:

* closed regions of an edge map (the face is a region bounded by the carton's edges;
  print inside it only makes holes);
* a colour segmentation grown from the centre of the frame (GrabCut initialised with the
  central rectangle: the face is what the photographer aimed at);
* four dominant straight lines (probabilistic Hough) around the centre.

The best quad's sides are then refined on the edge pixels near them (robust line fits,
corners as their intersections).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision.gradient import sobel_magnitude
from vision.imageio import decode_photo
from vision.schema import VisionInputError

DETECT_LONG_SIDE = 640
RECTIFIED_LONG_SIDE = 1200
MIN_AREA_FRAC = 0.08
MAX_AREA_FRAC = 0.985
# Lab distance credited to a side whose outside lies beyond the frame (cannot be checked)
_UNSEEN_SIDE_CONTRAST = 10.0
SHORTLIST = 20  # candidates per cue refined and scored
IMPROVE_TOP = 3  # best distinct candidates whose sides may move to other edge lines
POOL_LINES = 60  # straight edge lines a side may move to
ORIENTED_MIN_GRAD = 24.0  # Sobel response (Lab units x 8) that counts as an edge
# Pixels this close to the photo's edge (at DETECT_LONG_SIDE) are the frame, not the scene:
# lens shading, resampling and JPEG blocks put straight "edges" along it, and a quad
# hugging the frame used to win on them over the carton face inside the photo
FRAME_MARGIN = 4
# A detected outline whose edge evidence (:func:`_score` of the winning candidate) is below
# this is shown to the exporter to check. On 108 development filing photos of source B
# (seeds 7373 ... 46565) it took 6 of the 7 outlines off by more than 5 % of the face's
# diagonal (every one off by more than 10 %) and 11 of the 101 right ones.
CHECK_BELOW = 0.3


@dataclass(frozen=True)
class Quad:
    """Four corners in pixels of the upright original photo (EXIF orientation applied),
    ordered top-left, top-right, bottom-right, bottom-left; ``score`` in [0, 1] is the
    share of the outline that lies on image edges. ``evidence`` is the detector's own score
    of the outline it chose (None for corners a person set): under :data:`CHECK_BELOW` the
    detector was unsure, and the exporter is asked to check the corners."""

    corners: tuple[tuple[float, float], ...]
    score: float = 0.0
    method: str = ""
    evidence: float | None = None

    @property
    def needs_check(self) -> bool:
        return self.evidence is not None and self.evidence < CHECK_BELOW

    def array(self) -> np.ndarray:
        return np.array(self.corners, np.float32).reshape(4, 2)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "corners": [[round(x, 1), round(y, 1)] for x, y in self.corners],
            "score": round(self.score, 3), "method": self.method}
        if self.evidence is not None:
            out |= {"evidence": round(self.evidence, 3), "check": self.needs_check}
        return out

    @classmethod
    def from_points(cls, pts: object, score: float = 0.0, method: str = "",
                    evidence: float | None = None) -> Quad:
        arr = order_corners(np.asarray(pts, np.float32).reshape(4, 2))
        return cls(tuple((float(x), float(y)) for x, y in arr), score, method, evidence)


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    """The worst corner's distance from the true one, as a share of the true face's
    diagonal (how benchmarks and tests judge a detected quad)."""
    truth = order_corners(np.asarray(truth, np.float32))
    diag = float(np.linalg.norm(truth[2] - truth[0]))
    return float(np.max(np.linalg.norm(order_corners(found) - truth, axis=1)) / diag)


def order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl for any convex quad: clockwise (image coordinates) by angle around the
    centroid, starting at the corner with the smallest x + y."""
    pts = pts.reshape(4, 2).astype(np.float32)
    c = pts.mean(0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise on screen (y down)
    start = int(np.argmin(pts.sum(1)))
    return np.roll(pts, -start, axis=0)


def _edges(gray: np.ndarray) -> np.ndarray:
    blur = cv2.bilateralFilter(gray, 7, 40, 7)
    med = float(np.median(blur))
    lo, hi = max(10.0, 0.5 * med), min(255.0, 1.2 * med)
    return cv2.Canny(blur, lo * 0.6, hi * 0.8)


def _colour_edges(rgb: np.ndarray) -> np.ndarray:
    """Strong colour edges (the top 12 % of Lab gradients), and weaker ones that continue
    a strong one (hysteresis): a grey face on a lilac floor differs in hue, not in
    brightness, and on a tiled floor the grout lines alone fill the top 12 %."""
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (5, 5), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    mag = np.zeros(lab.shape[:2], np.float32)
    for c in range(3):
        mag = np.maximum(mag, sobel_magnitude(lab[..., c]))
    thr = max(30.0, float(np.percentile(mag, 88)))
    strong = (mag > thr).astype(np.uint8) * 255
    gx, gy = (np.clip(g, -32767, 32767).astype(np.int16) for g in _gradients(lab))
    return cv2.bitwise_or(strong, cv2.Canny(gx, gy, 40, 100, L2gradient=True))


def _angles_ok(q: np.ndarray) -> bool:
    """Convex, interior angles 40-140 degrees, opposite sides within a factor 2.5."""
    if not cv2.isContourConvex(q.reshape(-1, 1, 2).astype(np.float32)):
        return False
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        u, v = a - b, c - b
        cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-6))
        if not -0.77 < cos < 0.77:
            return False
    sides = [float(np.linalg.norm(q[(i + 1) % 4] - q[i])) for i in range(4)]
    return max(sides[0], sides[2]) < 2.5 * min(sides[0], sides[2]) and max(
        sides[1], sides[3]) < 2.5 * min(sides[1], sides[3]) and min(sides) > 10


_SIDE_T = np.linspace(0.05, 0.95, 40)


def _support(q: np.ndarray, near_edge: np.ndarray) -> float:
    """Share of points along the outline that have an edge pixel close by; the weakest of
    the four sides counts double (a quad with one side in empty floor is wrong)."""
    h, w = near_edge.shape
    q = q.astype(np.float32)
    d = np.roll(q, -1, axis=0) - q
    p = q[:, None, :] + d[:, None, :] * _SIDE_T[None, :, None]  # side, point, xy
    x = np.clip(np.rint(p[..., 0]).astype(int), 0, w - 1)
    y = np.clip(np.rint(p[..., 1]).astype(int), 0, h - 1)
    m = FRAME_MARGIN
    inside = (p[..., 0] >= m) & (p[..., 0] < w - m) & (p[..., 1] >= m) & (p[..., 1] < h - m)
    # a side on the frame border cannot have an edge: count it as half supported
    per_side = np.where(inside, near_edge[y, x] > 0, 0.5).mean(axis=1)
    return float((per_side.sum() + per_side.min()) / 5.0)


def _contrast(q: np.ndarray, lab: np.ndarray) -> float:
    """How different the image is just inside and just outside each side (median Lab
    distance along the side, weakest side), scaled to [0, 1]. A carton edge separates the
    face from the floor; a plank seam or a printed stripe has the same material on both
    sides and scores low even though it is a strong straight edge."""
    h, w = lab.shape[:2]
    c = q.mean(0)
    d = 0.015 * float(np.hypot(h, w))
    worst = 1e9
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        t = np.linspace(0.1, 0.9, 24)[:, None]
        p = a + (b - a) * t
        n = np.array([-(b - a)[1], (b - a)[0]], np.float32)
        n /= np.linalg.norm(n) + 1e-6
        if float((c - p.mean(0)) @ n) < 0:
            n = -n  # point inwards
        pin, pout = p + n * d, p - n * d
        ok = ((pout[:, 0] >= 0) & (pout[:, 0] < w) & (pout[:, 1] >= 0) & (pout[:, 1] < h))
        if ok.sum() < 6:  # a side on the frame border: no outside to compare with, so
            # no evidence that it is the carton's edge (a quad hugging the frame must not
            # win on sides that cannot be checked)
            worst = min(worst, _UNSEEN_SIDE_CONTRAST)
            continue
        xi = np.clip(pin[ok, 0].astype(int), 0, w - 1)
        yi = np.clip(pin[ok, 1].astype(int), 0, h - 1)
        xo, yo = pout[ok, 0].astype(int), pout[ok, 1].astype(int)
        diff = np.linalg.norm(lab[yi, xi] - lab[yo, xo], axis=1)
        worst = min(worst, float(np.median(diff)))
    return 1.0 if worst == 1e9 else float(np.clip(worst / 25.0, 0.0, 1.0))


def _approx_quad(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.03, 0.045, 0.06, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
        if len(approx) < 4:
            break
    # fall back: the four hull points that span the largest quad
    pts = hull.reshape(-1, 2).astype(np.float32)
    if len(pts) < 4:
        return None
    rect = cv2.boxPoints(cv2.minAreaRect(pts))
    snapped = np.array([pts[np.argmin(np.linalg.norm(pts - c, axis=1))] for c in rect])
    return snapped if len({tuple(p) for p in snapped}) == 4 else None


def _region_candidates(edges: np.ndarray) -> list[np.ndarray]:
    """Quads around the large edge-bounded regions, and around pairs of neighbouring ones
    (a face printed with a full-width band is two regions: the band and the rest)."""
    h, w = edges.shape
    closed = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    free = (closed == 0).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    masks = [(labels == i).astype(np.uint8) for i in range(1, n)
             if stats[i, cv2.CC_STAT_AREA] >= 0.02 * h * w]
    masks = sorted(masks, key=lambda m: -int(m.sum()))[:12]
    grown = [cv2.dilate(m, np.ones((9, 9), np.uint8)) for m in masks]
    unions = []
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            shared = int(cv2.countNonZero(grown[i] & grown[j]))
            if shared > 0.15 * min(h, w):  # a long common boundary
                unions.append(cv2.dilate(grown[i] | grown[j], np.ones((3, 3), np.uint8)))
    out = []
    for mask in [*masks, *unions]:
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            q = _approx_quad(c)
            if q is not None:
                out.append(q)
    return out


def _grabcut_candidates(rgb: np.ndarray) -> list[np.ndarray]:
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    out = []
    for margin in (0.12, 0.22):
        mask = np.zeros((sh, sw), np.uint8)
        rect = (int(margin * sw), int(margin * sh), int((1 - 2 * margin) * sw),
                int((1 - 2 * margin) * sh))
        bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        cv2.setRNGSeed(12345)  # GrabCut's k-means draws from OpenCV's global RNG
        try:
            cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, rect, bgd, fgd, 3,
                        cv2.GC_INIT_WITH_RECT)
        except cv2.error:
            continue
        fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
        fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        contours, _ = cv2.findContours(fg, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            continue
        q = _approx_quad(max(contours, key=cv2.contourArea))
        if q is not None:
            out.append(q * 2.0)
    return out


def _line_candidates(edges: np.ndarray) -> list[np.ndarray]:
    """Quads from the strongest long line on each side of the centre."""
    h, w = edges.shape
    lines = cv2.HoughLinesP(edges, 1, np.pi / 180, threshold=60,
                            minLineLength=int(0.2 * min(h, w)), maxLineGap=12)
    if lines is None:
        return []
    segs = lines.reshape(-1, 4).astype(np.float32)
    cx, cy = w / 2, h / 2
    groups: dict[str, list[np.ndarray]] = {"top": [], "bottom": [], "left": [], "right": []}
    for x1, y1, x2, y2 in segs:
        dx, dy = x2 - x1, y2 - y1
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        if abs(dx) >= abs(dy):
            groups["top" if my < cy else "bottom"].append(np.array([x1, y1, x2, y2]))
        else:
            groups["left" if mx < cx else "right"].append(np.array([x1, y1, x2, y2]))
    if not all(groups.values()):
        return []

    def best(side: str, k: int = 8) -> list[np.ndarray]:
        return sorted(groups[side], key=lambda s: -np.hypot(s[2] - s[0], s[3] - s[1]))[:k]

    out = []
    for t in best("top"):
        for b in best("bottom"):
            for left in best("left", 4):
                for r in best("right", 4):
                    pts = [_intersect(t, left), _intersect(t, r), _intersect(b, r),
                           _intersect(b, left)]
                    if all(p is not None for p in pts):
                        out.append(np.array(pts, np.float32))
    return out


def _intersect(s1: np.ndarray, s2: np.ndarray) -> tuple[float, float] | None:
    x1, y1, x2, y2 = s1
    x3, y3, x4, y4 = s2
    d = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if abs(d) < 1e-6:
        return None
    a, b = x1 * y2 - y1 * x2, x3 * y4 - y3 * x4
    return (float((a * (x3 - x4) - (x1 - x2) * b) / d), float((a * (y3 - y4) - (y1 - y2) * b) / d))


def _refine(q: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Fit each side to the edge pixels within a narrow band around it; corners = the
    intersections of the fitted lines. Sides without enough support keep their line."""
    h, w = edges.shape
    ys, xs = np.nonzero(edges)
    pts = np.c_[xs, ys].astype(np.float32)
    band = 0.012 * float(np.hypot(h, w))
    lines = []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d)) + 1e-6
        n = np.array([-d[1], d[0]]) / length
        t = ((pts - a) @ d) / (length * length)
        dist = np.abs((pts - a) @ n)
        sel = pts[(dist < band) & (t > 0.08) & (t < 0.92)]
        if len(sel) < 0.3 * length:
            lines.append(np.r_[a, b])
            continue
        vx, vy, x0, y0 = cv2.fitLine(sel, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append(np.array([x0, y0, x0 + vx, y0 + vy], np.float32))
    out = []
    for i in range(4):
        p = _intersect(lines[i - 1], lines[i])
        if p is None:
            return q
        out.append(p)
    refined = np.array(out, np.float32)
    if np.max(np.linalg.norm(refined - q, axis=1)) > 4 * band:
        return q
    return refined


def _segment_support(a: np.ndarray, b: np.ndarray, near_edge: np.ndarray) -> float:
    """Share of points on segment a-b with an edge pixel close by (0 if it leaves the frame)."""
    h, w = near_edge.shape
    p = a + (b - a) * np.linspace(0.0, 1.0, 24)[:, None]
    if (p < 0).any() or (p[:, 0] > w - 1).any() or (p[:, 1] > h - 1).any():
        return 0.0
    return float(np.mean(near_edge[p[:, 1].round().astype(int), p[:, 0].round().astype(int)] > 0))


def _extend_over_bands(q: np.ndarray, near_edge: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Push each side outwards over a full-width printed band. A band's inner edge is a
    strong straight edge with contrast, so a region or line candidate often stops there;
    the face really ends where the two neighbouring sides, continued straight, stop running
    on edges and a parallel edge closes the strip. (A strip of the box's top face is not
    taken: the neighbouring sides bend at the crease, so their continuation has no edge.)"""
    out = q.copy()
    for i in range(4):
        a, b = out[i], out[(i + 1) % 4]
        pa, pb = out[i - 1], out[(i + 2) % 4]  # the far ends of the neighbouring sides
        best = None
        for f in np.arange(0.03, 0.40, 0.01):
            a2, b2 = a + f * (a - pa), b + f * (b - pb)
            if min(_segment_support(a, a2, near_edge), _segment_support(b, b2, near_edge)) < 0.75:
                break  # the neighbouring sides stop running on edges: the face ends before
            if _segment_support(a2 + 0.05 * (b2 - a2), b2 - 0.05 * (b2 - a2), near_edge) >= 0.8:
                best = (a2, b2)
        if best is not None:
            trial = out.copy()
            trial[i], trial[(i + 1) % 4] = best
            if _contrast(trial, lab) >= 0.4:
                out = trial
    return out


def _gradients(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel, the Lab channel gradient (gx, gy) with the largest magnitude."""
    best_gx = np.zeros(lab.shape[:2], np.float32)
    best_gy = np.zeros(lab.shape[:2], np.float32)
    best = np.zeros(lab.shape[:2], np.float32)
    for c in range(3):
        gx = cv2.Sobel(lab[..., c], cv2.CV_32F, 1, 0)
        gy = cv2.Sobel(lab[..., c], cv2.CV_32F, 0, 1)
        mag = gx * gx + gy * gy
        take = mag > best
        best_gx[take], best_gy[take], best[take] = gx[take], gy[take], mag[take]
    return best_gx, best_gy


def _oriented_support(q: np.ndarray, grad: tuple[np.ndarray, np.ndarray]) -> float:
    """The weakest side of :func:`_oriented_sides` (1 when no side can be checked)."""
    per = _oriented_sides(q, grad)
    per = per[np.isfinite(per)]
    return float(per.min()) if len(per) else 1.0


def _oriented_sides(q: np.ndarray, grad: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per side, the share of points where, within 2 px across the side, the image
    gradient is strong and points across the side (within ~25 degrees). A carton edge is
    one straight step all along; a line through print (label borders, text) only meets
    edges that run every which way, so a plain edge map counts it as supported."""
    gx, gy = grad
    h, w = gx.shape
    per = np.full(4, np.nan)
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        n = np.array([-d[1], d[0]], np.float32) / (float(np.linalg.norm(d)) + 1e-6)
        p = a + d * np.linspace(0.05, 0.95, 32)[:, None]
        m = FRAME_MARGIN
        inside = (p[:, 0] >= m) & (p[:, 0] < w - m) & (p[:, 1] >= m) & (p[:, 1] < h - m)
        if inside.sum() < 8:
            continue  # a side on the frame border: nothing to check
        p = p[inside]
        hit = np.zeros(len(p), bool)
        for o in (-2.0, -1.0, 0.0, 1.0, 2.0):
            x = np.clip((p[:, 0] + o * n[0]).round().astype(int), 0, w - 1)
            y = np.clip((p[:, 1] + o * n[1]).round().astype(int), 0, h - 1)
            vx, vy = gx[y, x], gy[y, x]
            across = np.abs(vx * n[0] + vy * n[1])
            hit |= (across > ORIENTED_MIN_GRAD) & (across > 0.9 * np.hypot(vx, vy))
        per[i] = float(hit.mean())
    return per


def _score(q: np.ndarray, near: np.ndarray, lab: np.ndarray,
           grad: tuple[np.ndarray, np.ndarray] | None = None, floor: float = 0.0) -> float:
    """Edge support² × √area × (0.1 + 0.9 × contrast of the weakest side), × 0.2 when the
    frame centre is not inside, × the weakest side's oriented edge support when ``grad``
    is given; 0 for a quad that cannot be a face or cannot score above ``floor``."""
    h, w = near.shape
    area = abs(cv2.contourArea(q)) / (h * w)
    if not MIN_AREA_FRAC <= area <= MAX_AREA_FRAC or not _angles_ok(q):
        return 0.0
    support = _support(q, near)
    centred = cv2.pointPolygonTest(q.reshape(-1, 1, 2), (w / 2.0, h / 2.0), False) >= 0
    score = float(support * support * np.sqrt(area) * (1.0 if centred else 0.2))
    if score <= floor:
        return 0.0  # cannot beat the quad it is compared with (the rest only lowers it)
    # contrast weighs heavily: a tile seam or a printed stripe is a strong straight
    # edge with the same material on both sides
    score *= 0.1 + 0.9 * _contrast(q, lab)
    if grad is not None:
        score *= 0.2 + 0.8 * _oriented_support(q, grad)
    return score


def _line_pool(edges: np.ndarray) -> np.ndarray:
    """Straight edge lines (x1, y1, x2, y2), longest first, near-duplicates dropped: the
    hypotheses a side of the face may move to."""
    h, w = edges.shape
    lines = cv2.HoughLinesP(edges, 1, np.pi / 180, threshold=40,
                            minLineLength=int(0.12 * min(h, w)), maxLineGap=10)
    if lines is None:
        return np.zeros((0, 4), np.float32)
    segs = lines.reshape(-1, 4).astype(np.float32)
    segs = segs[np.argsort(-np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]))]
    kept: list[np.ndarray] = []
    keys: list[tuple[float, float]] = []
    for s in segs:
        theta = float(np.arctan2(s[3] - s[1], s[2] - s[0])) % np.pi
        n = np.array([-np.sin(theta), np.cos(theta)])
        rho = float(n @ s[:2])
        dup = False
        for t0, r0 in keys:
            dt = min(abs(theta - t0), np.pi - abs(theta - t0))
            if dt < np.deg2rad(2.5) and abs(rho - (r0 if abs(theta - t0) < np.pi / 2 else -r0)) < 4:
                dup = True
                break
        if not dup:
            kept.append(s)
            keys.append((theta, rho))
        if len(kept) >= POOL_LINES:
            break
    return np.array(kept, np.float32).reshape(-1, 4)


def _distinct(scored: list[tuple[float, str, np.ndarray]], n: int
              ) -> list[tuple[float, str, np.ndarray]]:
    """The best ``n`` candidates that differ by more than a few pixels in some corner."""
    out: list[tuple[float, str, np.ndarray]] = []
    for c in scored:
        if all(np.max(np.linalg.norm(c[2] - o[2], axis=1)) > 6 for o in out):
            out.append(c)
        if len(out) == n:
            break
    return out


def _improve_sides(q: np.ndarray, score: float, pool: np.ndarray, near: np.ndarray,
                   lab: np.ndarray, grad: tuple[np.ndarray, np.ndarray]
                   ) -> tuple[np.ndarray, float]:
    """Coordinate ascent over the sides: each side may move to a straight edge line of
    similar direction (a band's outer edge instead of its inner one, the face's edge
    instead of a tile seam or the crease instead of a neighbouring face's far edge) when
    the whole quad then scores better. Candidates that start on the wrong line but share
    three right sides with the face are fixed this way."""
    if len(pool) == 0:
        return q, score
    diag = float(np.hypot(*near.shape))
    seg_dir = pool[:, 2:] - pool[:, :2]
    seg_ang = np.arctan2(seg_dir[:, 1], seg_dir[:, 0])
    mids = (pool[:, :2] + pool[:, 2:]) / 2
    for _round in range(3):
        moved = False
        for i in range(4):
            sides = [np.r_[q[j], q[(j + 1) % 4]] for j in range(4)]
            a, b = q[i], q[(i + 1) % 4]
            ang = float(np.arctan2(b[1] - a[1], b[0] - a[0]))
            dang = np.abs((seg_ang - ang + np.pi / 2) % np.pi - np.pi / 2)
            d = b - a
            nrm = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6)
            off = np.abs((mids - a) @ nrm)
            for j in np.nonzero((dang < np.deg2rad(15)) & (off < 0.3 * diag) & (off > 2))[0]:
                trial_sides = list(sides)
                trial_sides[i] = pool[j]
                pts = [_intersect(trial_sides[m - 1], trial_sides[m]) for m in range(4)]
                if any(p is None for p in pts):
                    continue
                trial = np.array(pts, np.float32)
                s = _score(trial, near, lab, grad, floor=score * 1.002)
                if s > score * 1.002:
                    q, score, moved = trial, s, True
                    sides = [np.r_[q[m], q[(m + 1) % 4]] for m in range(4)]
        if not moved:
            break
    return q, score


def detect_face_quad_rgb(rgb: np.ndarray) -> Quad:
    """:func:`detect_face_quad` on a decoded upright RGB image (quad in its pixels)."""
    h0, w0 = rgb.shape[:2]
    k = DETECT_LONG_SIDE / max(h0, w0)
    img = cv2.resize(rgb, (round(w0 * k), round(h0 * k)), interpolation=cv2.INTER_AREA) \
        if k < 1 else rgb
    k = min(k, 1.0)
    h, w = img.shape[:2]
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    edges = cv2.bitwise_or(_edges(gray), _colour_edges(img))
    m = FRAME_MARGIN
    edges[:m], edges[-m:], edges[:, :m], edges[:, -m:] = 0, 0, 0, 0
    near = cv2.dilate(edges, np.ones((5, 5), np.uint8))
    lab = cv2.cvtColor(cv2.GaussianBlur(img, (7, 7), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    cands: list[tuple[str, np.ndarray]] = []
    cands += [("regions", q) for q in _region_candidates(edges)]
    cands += [("segmentation", q) for q in _grabcut_candidates(img)]
    cands += [("lines", q) for q in _line_candidates(edges)]
    # shortlist on a loose edge support (a region's outline runs a few pixels inside the
    # edge, a segmentation's wobbles), refine the shortlisted sides onto the edges, then
    # score them strictly
    wide = cv2.dilate(edges, np.ones((11, 11), np.uint8))
    short: list[tuple[float, str, np.ndarray]] = []
    for method, q in cands:
        q = order_corners(q)
        area = abs(cv2.contourArea(q)) / (h * w)
        if not MIN_AREA_FRAC <= area <= MAX_AREA_FRAC or not _angles_ok(q):
            continue
        short.append((_support(q, wide) ** 2 * np.sqrt(area), method, q))
    short.sort(key=lambda t: -t[0])
    # the best few of every cue (hundreds of line quads must not crowd the others out)
    picked = [c for m in ("regions", "segmentation", "lines")
              for c in [c for c in short if c[1] == m][:SHORTLIST]]
    scored: list[tuple[float, str, np.ndarray]] = []
    for _pre, method, q in picked:
        q = order_corners(_refine(q, edges))
        score = _score(q, near, lab)
        if score > 0:
            scored.append((score, method, q))
    if not scored:
        # nothing quad-like: the whole frame (the exporter adjusts the corners)
        q = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
        return Quad.from_points(q / k, 0.0, "frame", evidence=0.0)
    scored.sort(key=lambda t: -t[0])
    pool = _line_pool(edges)
    best: tuple[float, str, np.ndarray] | None = None
    grad = _gradients(lab)
    for _s, method, q in _distinct(scored, IMPROVE_TOP):
        q, score = _improve_sides(q, _score(q, near, lab, grad), pool, near, lab, grad)
        if best is None or score > best[0]:
            best = (score, method, q)
    assert best is not None
    evidence, method, q = best
    q = _extend_over_bands(q, near, lab)
    q = order_corners(_refine(q, edges))
    return Quad.from_points(q / k, float(min(1.0, _support(q, near))), method, evidence)


def detect_face_quad(image_bytes: bytes) -> Quad:
    """Corners of the carton face in a filed reference photo, in upright original pixels.

    Raises :class:`~vision.schema.VisionInputError` for bytes that are not a photo."""
    decoded = decode_photo(image_bytes, long_side=DETECT_LONG_SIDE * 2)
    quad = detect_face_quad_rgb(decoded.rgb)
    return replace(quad, corners=tuple((x / decoded.scale, y / decoded.scale)
                                       for x, y in quad.corners))


def rectify_rgb(rgb: np.ndarray, quad: np.ndarray, long_side: int = RECTIFIED_LONG_SIDE,
                aspect: float | None = None) -> np.ndarray:
    """Warp the quad (tl, tr, br, bl in ``rgb`` pixels) to a flat rectangle. ``aspect`` =
    width / height of the real face when known (from the filed dimensions); otherwise it is
    estimated from the mean lengths of opposite sides."""
    q = order_corners(np.asarray(quad, np.float32))
    if aspect is None:
        top, bottom = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])
        left, right = np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])
        aspect = float((top + bottom) / max(1e-6, left + right))
    if aspect >= 1:
        w, h = long_side, max(8, round(long_side / aspect))
    else:
        w, h = max(8, round(long_side * aspect)), long_side
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(q, dst)
    return cv2.warpPerspective(rgb, m, (w, h), flags=cv2.INTER_AREA)


def rectify_face(image_bytes: bytes, quad: Quad | object, long_side: int = RECTIFIED_LONG_SIDE,
                 aspect: float | None = None) -> bytes:
    """The rectified face as PNG bytes (the reference face stored with the filing).

    ``quad``: a :class:`Quad` or four (x, y) corners in upright original pixels."""
    corners = quad.array() if isinstance(quad, Quad) else np.asarray(quad, np.float32)
    if corners.shape != (4, 2) or not np.isfinite(corners).all():
        raise VisionInputError("bad_quad", "The face outline needs four corners (x, y).")
    decoded = decode_photo(image_bytes, long_side=max(RECTIFIED_LONG_SIDE * 2, 2000))
    flat = rectify_rgb(decoded.rgb, corners * decoded.scale, long_side, aspect)
    ok, data = cv2.imencode(".png", cv2.cvtColor(flat, cv2.COLOR_RGB2BGR))
    if not ok:
        raise VisionInputError("encode_failed", "The rectified face could not be encoded.")
    return data.tobytes()
