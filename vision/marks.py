"""Marks and labels: the lithium battery mark (red hatched border) with its UN numbers and
telephone number (obsolete design), the class 9 / 9A label and the Cargo Aircraft Only label.

Detection is colour and shape based on a ~1000-px copy of the photo; OCR runs only on the
rectified crop of the mark taken from the 2000-px working image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import cv2
import numpy as np

from vision import ocr
from vision.imageio import resize_long

DETECT_LONG_SIDE = 1000


@dataclass
class Found:
    kind: str  # 'lithium_mark' | 'class9' | 'class9a' | 'cargo_aircraft_only'
    quad: np.ndarray  # (4, 2) in working-image pixels, tl tr br bl
    text: str = ""
    un_numbers: list[str] = field(default_factory=list)
    phone: bool = False
    score: float = 0.0


def order_quad(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl: clockwise by angle around the centre, from the corner nearest the
    top-left (a sum/difference rule collapses two corners of a square turned 45 degrees)."""
    pts = pts.reshape(-1, 2).astype(np.float32)
    c = pts.mean(0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))]
    return np.roll(pts, -int(np.argmin(pts.sum(1))), axis=0)


def scaled_quad(quad: np.ndarray, factor: float) -> np.ndarray:
    """``quad`` grown (or shrunk) by ``factor`` about its centre."""
    centre = quad.mean(0)
    return (quad - centre) * factor + centre


def quad_side(quad: np.ndarray) -> float:
    """The square root of the quad's area: its side, whatever its shape and turn."""
    return float(np.sqrt(abs(cv2.contourArea(quad.astype(np.float32)))))


# a class 9 label and a lithium battery mark are both at least 100 mm (IMDG 5.2.2.2.1.1.1,
# 5.2.1.10.2; the reduced mark 105 x 74 mm), so on one face a 'class 9 label' under half the
# side of the mark found beside it is print: a QR code or a barcode's end (seen on reference
# faces of source B and photos of source A, where it held clean shipments)
CLASS9_TO_MARK = 0.5


# a class 9 candidate on the centre of a lithium mark and the size of the mark's white
# inside is the mark, taken for a diamond when it is turned about 45 degrees, with its
# pictogram's outlines for stripes (the inside is 1/1.15 = 0.87 of the mark's side; seen:
# 0.73-0.84, centre within 0.06 of the side). Not larger: on a reddish carton the mark
# detector also fires on a real 9A label, concentric and of the label's size (seen: 0.92
# and 1.02). A mark outline grown over the 9A label beside it is off the label's centre
# (seen: 0.33-0.64 of its side) and leaves it be.
CLASS9_IN_MARK = (0.7, 0.88)
CLASS9_IN_MARK_OFFSET = 0.15


def face_labels(rgb: np.ndarray) -> list[Found]:
    """The lithium marks (not read) and class 9 labels on a flattened reference face."""
    all9 = find_class9_labels(rgb)
    lith = lithium_marks_among(find_lithium_marks(rgb, rgb, read=False), all9)
    return [*lith, *class9_beside_marks(all9, lith)]


def marks_of_label_size(lith: list[Found]) -> list[Found]:
    """The lithium mark candidates not under ``CLASS9_TO_MARK`` of the side of the largest
    mark on the same face: marks are printed at one size (100 x 100 mm, or 105 x 74 mm on a
    small package), so a smaller 'mark' is print. Filing B18484-005: a QR code on the
    flattened reference face was filed as a second mark, and every clean photo of the filing
    was held as a damaged label. Class 9 labels are left out of the comparison: they may be
    larger than the mark (source B 15353 #685, a wrong UN number on a mark cut by the frame:
    0.48 of the 9A label's side)."""
    if not lith:
        return lith
    largest = max(quad_side(m.quad) for m in lith)
    return [m for m in lith if quad_side(m.quad) >= CLASS9_TO_MARK * largest]


# a lithium mark candidate centred inside a class 9 label and under its size is part of the
# label: the 9A pictogram's red flame in its black battery outline, or the stripes' colour
# fringes (source B: 3 of 156 development shots, 0.3-0.65 of the label's side, each read as
# a mark with no UN number and held as "UN number unreadable"). A real mark is as large as
# the label and beside it; a mark taken for a diamond is larger than its phantom label.
MARK_IN_CLASS9 = 0.8


def marks_outside_class9(lith: list[Found], class9: list[Found]) -> list[Found]:
    """The lithium mark candidates that are not part of a class 9 label candidate."""
    def inside(mark: Found, label: Found) -> bool:
        centre = tuple(float(v) for v in mark.quad.mean(0))
        return (quad_side(mark.quad) <= MARK_IN_CLASS9 * quad_side(label.quad)
                and cv2.pointPolygonTest(label.quad.astype(np.float32).reshape(-1, 1, 2),
                                         centre, False) >= 0)

    return [m for m in lith if not any(inside(m, c) for c in class9)]


def lithium_marks_among(candidates: list[Found], class9: list[Found]) -> list[Found]:
    """The lithium mark candidates that are marks: not part of a class 9 label candidate,
    and of a label's size."""
    return marks_of_label_size(marks_outside_class9(candidates, class9))


def class9_beside_marks(labels: list[Found], lith: list[Found]) -> list[Found]:
    """The class 9 candidates of a label's size next to the lithium marks found on the same
    face, and not one of those marks (all of them when no mark was found)."""
    if not lith:
        return labels
    side = max(quad_side(m.quad) for m in lith)
    return [f for f in labels if quad_side(f.quad) >= CLASS9_TO_MARK * side
            and not any(_is_the_mark(f, m) for m in lith)]


def _is_the_mark(label: Found, mark: Found) -> bool:
    side = quad_side(mark.quad)
    offset = float(np.linalg.norm(label.quad.mean(0) - mark.quad.mean(0)))
    lo, hi = CLASS9_IN_MARK
    return (offset <= CLASS9_IN_MARK_OFFSET * side
            and lo <= quad_side(label.quad) / side <= hi)


def _quad_mask(quad: np.ndarray) -> tuple[int, int, np.ndarray]:
    """(x0, y0, mask): the quad filled in its bounding box (2 px margin), as a 0/1 mask."""
    x0, y0 = (max(0, int(v) - 2) for v in quad.min(0))
    x1, y1 = (int(v) + 3 for v in quad.max(0))
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, (quad - (x0, y0)).astype(np.int32), 1)
    return x0, y0, mask


_COMBOS: dict[int, np.ndarray] = {}


def _quad_of(contour: np.ndarray) -> np.ndarray:
    """The quadrilateral of a blob: the largest-area quadrilateral on its convex hull's
    vertices (a square seen at 45 degrees is a sheared quad whose obtuse corners
    Douglas-Peucker merges into a triangle; the hull is first cut to 16 vertices by
    dropping those whose removal loses least area)."""
    pts = cv2.convexHull(contour).reshape(-1, 2).astype(np.float64)
    if len(pts) < 4:
        return order_quad(cv2.boxPoints(cv2.minAreaRect(contour)))
    while len(pts) > 16:
        prev, nxt = np.roll(pts, 1, axis=0), np.roll(pts, -1, axis=0)
        loss = np.abs((pts[:, 0] - prev[:, 0]) * (nxt[:, 1] - prev[:, 1])
                      - (nxt[:, 0] - prev[:, 0]) * (pts[:, 1] - prev[:, 1]))
        pts = np.delete(pts, int(np.argmin(loss)), axis=0)
    n = len(pts)
    if n not in _COMBOS:
        _COMBOS[n] = np.array(list(combinations(range(n), 4)), np.int64)
    q = pts[_COMBOS[n]]  # (C, 4, 2), hull order kept
    x, y = q[..., 0], q[..., 1]
    area = np.abs((x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(1))
    return order_quad(q[int(np.argmax(area))])


def rectify(rgb: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(rgb, m, (w, h), flags=cv2.INTER_AREA)


def _local_white(v: np.ndarray) -> np.ndarray:
    """The brightness of white paper around each pixel (uneven light): a large max filter
    of V, smoothed; computed on a ~250-px copy (it varies slowly) and scaled back."""
    h, w = v.shape[:2]
    f = max(1, max(h, w) // 250)
    low = cv2.resize(v, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    k = max(5, (max(low.shape) // 25) | 1)
    env = cv2.dilate(low, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    env = cv2.GaussianBlur(env, (0, 0), k / 2).astype(np.float32)
    return cv2.resize(env, (w, h), interpolation=cv2.INTER_LINEAR)


def _red_mask(hsv: np.ndarray, min_sat: int = 90) -> np.ndarray:
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (((h <= 8) | (h >= 168)) & (s >= min_sat) & (v >= 40)).astype(np.uint8)


def _white_mask(hsv: np.ndarray) -> np.ndarray:
    """Unsaturated and bright relative to the local white (works in dim or uneven light)."""
    s, v = hsv[..., 1], hsv[..., 2].astype(np.float32)
    return ((s < 60) & (v > np.maximum(60.0, 0.72 * _local_white(hsv[..., 2])))).astype(
        np.uint8)


# hatching gaps are up to ~13 % of the mark's side (stripes 5-9 mm, gaps as wide, seen
# along the diagonal); a closing kernel bridges gaps up to its size, so each kernel serves
# marks from ~4 to ~14 kernels wide; small marks are searched on the working image too
CLOSE_KERNELS = (7, 13, 25)
# thin stripes seen small blend with the white between them (pink): a lower saturation
HATCH_MIN_SAT = 60
# inside of the hatched ring -> outside: 100 mm / (100 - 2 x 6.5 mm)
HOLE_TO_OUTER = 1.15
SMALL_MARK_KERNELS = (5, 9)


def _hatch_mask(hsv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(red, white, hatch): hatching = red pixels with white close by; solid red (logos,
    bands, a red background) is left out so that it cannot merge with the mark."""
    red = _red_mask(hsv, HATCH_MIN_SAT)
    white = _white_mask(hsv)
    red_f = cv2.boxFilter(red.astype(np.float32), -1, (9, 9))
    white_f = cv2.boxFilter(white.astype(np.float32), -1, (9, 9))
    hatch = (red.astype(bool) & (red_f < 0.85) & (white_f > 0.08)).astype(np.uint8)
    return red, white, hatch


def _mark_candidates(img: np.ndarray, kernels: tuple[int, ...], min_side: float,
                     max_side: float) -> list[tuple[np.ndarray, float]]:
    """Quads (image pixels) of red hatched squares with a white inside, with their ring
    score; each closing kernel only proposes marks of the sizes it can close."""
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    red, white, hatch = _hatch_mask(hsv)
    out: list[tuple[np.ndarray, float]] = []
    for k in kernels:
        closed = cv2.morphologyEx(hatch, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
        # a thin closed ring along a diagonal comes out of the closing as a staircase with
        # pinholes at its steps; a little dilation joins them (and moves the outline by
        # under a pixel or two)
        closed = cv2.dilate(closed, np.ones((max(3, k // 3),) * 2, np.uint8))
        # the photo's edge closes the ring of a mark it cuts (a one-pixel frame of hatching
        # around the mask): the mark's white inside is then a hole like any other
        framed = cv2.copyMakeBorder(closed, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1)
        contours, tree = cv2.findContours(framed, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE,
                                          offset=(-1, -1))
        lo, hi = max(min_side, 3.5 * k), min(max_side, 16.0 * k)
        for c, (_n, _p, _child, parent) in zip(contours, tree[0] if tree is not None else [],
                                               strict=False):
            x, y, w, h = cv2.boundingRect(c)
            if min(w, h) < 0.8 * lo or max(w, h) > 1.5 * hi or not 0.45 < w / h < 2.2:
                continue
            quad = _quad_of(c)
            cut = x <= 0 or y <= 0 or x + w >= img.shape[1] or y + h >= img.shape[0]
            if parent >= 0:
                # a hole: the white inside of a closed hatched ring; its outline does not
                # move when print next to the mark merges with the ring, the outer one does
                quad = scaled_quad(quad, HOLE_TO_OUTER)
            if not plausible_label_quad(quad, img.shape, max_side_ratio=2.4,
                                        on_frame_edge=cut and parent >= 0):
                continue
            x0, y0, mask = _quad_mask(quad)
            y1, x1 = min(img.shape[0], y0 + mask.shape[0]), min(img.shape[1], x0 + mask.shape[1])
            mask = mask[:y1 - y0, :x1 - x0]  # a mark cut by the frame: its part in the photo
            area = float(mask.sum())
            if area < lo * lo:
                continue
            # ring width from the quad's side, not its bounding box (a turned mark has a
            # wider box)
            inner = cv2.erode(mask, np.ones((3, 3), np.uint8),
                              iterations=max(2, int(0.1 * np.sqrt(area))))
            ring = mask & (1 - inner)
            r_roi, w_roi = red[y0:y1, x0:x1], white[y0:y1, x0:x1]
            ring_red = float((r_roi & ring).sum()) / max(1.0, float(ring.sum()))
            inner_white = float((w_roi & inner).sum()) / max(1.0, float(inner.sum()))
            if 0.03 < ring_red < 0.9 and inner_white > 0.4 and _striped_border(img, quad):
                out.append((quad, ring_red))
    return out


# A mark's white inside carries black print (the battery outline and the UN number): a
# white letter on a red brand band has a red ring, a white inside and a border its strokes
# make alternate red / not red, but no ink (source-B development shots: true marks 0.036 or
# more of the inside dark, n = 95; letters 0.0)
MIN_MARK_INK = 0.015


def inside_ink(work: np.ndarray, quad: np.ndarray) -> float:
    """The share of dark, unsaturated pixels in the middle 65 % of the rectified mark."""
    hsv = cv2.cvtColor(rectify(work, quad, (160, 160))[28:132, 28:132], cv2.COLOR_RGB2HSV)
    v = hsv[..., 2].astype(np.float32)
    return float(((v < 0.55 * np.percentile(v, 90)) & (hsv[..., 1] < 110)).mean())


def _redness(rgb: np.ndarray) -> np.ndarray:
    f = rgb.astype(np.float32)
    return f[..., 0] - np.maximum(f[..., 1], f[..., 2])


def _striped_border(img: np.ndarray, quad: np.ndarray, n: int = 160) -> bool:
    """The border of the rectified candidate alternates red / not red along at least three
    of its sides (the hatching); a red panel with white print, a red logo in a white box or
    a red line do not."""
    canon = _redness(rectify(img, quad, (n, n)))
    sides_ok = 0
    for inset in (0.025, 0.045):
        i = max(1, round(inset * n))
        paths = (canon[i, i:n - i], canon[i:n - i, n - 1 - i], canon[n - 1 - i, i:n - i],
                 canon[i:n - i, i])
        ok = 0
        for p in paths:
            lo, hi = float(np.percentile(p, 10)), float(np.percentile(p, 90))
            if hi - lo < 25:
                continue
            mid, band = (lo + hi) / 2, 0.15 * (hi - lo)
            state, flips = p[0] > mid, 0
            for v in p:
                if state and v < mid - band:
                    state, flips = False, flips + 1
                elif not state and v > mid + band:
                    state, flips = True, flips + 1
            ok += flips >= 4
        sides_ok = max(sides_ok, ok)
    return sides_ok >= 3


def find_lithium_marks(small: np.ndarray, work: np.ndarray, read: bool = True) -> list[Found]:
    """Red hatched squares with a white inside, searched at two scales (the ~1000-px copy
    for most sizes, the working image for marks a few per cent of the photo wide); OCR'd
    for UN numbers and a phone number."""
    k = work.shape[1] / small.shape[1]
    long_small = max(small.shape[:2])
    cands = [(q * k, s) for q, s in _mark_candidates(small, CLOSE_KERNELS,
                                                      0.025 * long_small, 0.45 * long_small)]
    if k > 1.2:
        long_work = max(work.shape[:2])
        cands += _mark_candidates(work, SMALL_MARK_KERNELS, 0.012 * long_work,
                                  0.07 * long_work)
    found: list[Found] = []
    for wq, ring_red in _dedupe_quads(cands):
        if inside_ink(work, wq) < MIN_MARK_INK:
            continue
        text = read_mark_text_any_rotation(rectify(work, wq, (300, 300))) if read else ""
        found.append(Found("lithium_mark", wq, text, ocr.un_numbers(text),
                           ocr.has_phone_number(text), ring_red))
    return found


def _dedupe_quads(cands: list[tuple[np.ndarray, float]]) -> list[tuple[np.ndarray, float]]:
    """One quad per mark: the largest of those whose centres fall inside each other."""
    out: list[tuple[np.ndarray, float]] = []
    for q, s in sorted(cands, key=lambda c: -cv2.contourArea(c[0].astype(np.float32))):
        c = tuple(float(v) for v in q.mean(0))
        if all(cv2.pointPolygonTest(o.astype(np.float32).reshape(-1, 1, 2), c, False) < 0
               for o, _ in out):
            out.append((q, s))
    return out


def read_mark_text_any_rotation(crop: np.ndarray) -> str:
    """The mark may be stuck on at any angle: the crop's corner order only fixes it to a
    multiple of 90 degrees. The recogniser also reads text upside down or sideways, badly
    but with a UN number now and then, so a read is taken at once only when it is sure
    (every line >= SURE_READ); otherwise the other quarter turns are read too and the
    most confident reading with a UN number wins."""
    best: tuple[bool, float, str] = (False, -1.0, "")
    for k in (0, 2, 1, 3):
        lines = _read_lines(np.ascontiguousarray(np.rot90(crop, k)))
        text = " | ".join(t for t, _ in lines)
        has_un = bool(ocr.un_numbers(text))
        conf = float(np.mean([sc for _, sc in lines])) if lines else 0.0
        if has_un and min(sc for _, sc in lines) >= SURE_READ:
            return text
        best = max(best, (has_un, conf, text))
    return best[2]


SURE_READ = 0.9


def _read_lines(crop: np.ndarray) -> list[tuple[str, float]]:
    """Lines of a rectified 300-px mark: line-by-line recognition first (fast); the full
    detect-and-recognise pass only when no UN number came out of it."""
    inner = crop[22:-22, 22:-22]
    lines = [(t, sc) for t, sc in ocr.read_line_batch(ocr.line_bands(inner)) if sc > 0.5]
    if ocr.un_numbers(" | ".join(t for t, _ in lines)):
        return lines
    return ocr.read_lines(inner)


def _diamond_ok(canon: np.ndarray) -> tuple[bool, float]:
    """Stripes in the top half of a rectified (canonical, 160 px) diamond; returns
    (is class 9 label, pictogram ink in the lower half)."""
    gray = cv2.cvtColor(canon, cv2.COLOR_RGB2GRAY)
    n = gray.shape[0]
    row = gray[int(0.36 * n), int(0.25 * n):int(0.75 * n)]
    dark = row < (int(row.max()) + int(row.min())) / 2
    runs = int(np.count_nonzero(np.diff(dark.astype(np.int8)) == 1))
    contrast = float(row.max()) - float(row.min())
    lower = canon[int(0.52 * n):int(0.72 * n), int(0.3 * n):int(0.7 * n)]
    lg = cv2.cvtColor(lower, cv2.COLOR_RGB2GRAY).astype(np.float32)
    hsv = cv2.cvtColor(lower, cv2.COLOR_RGB2HSV)
    paper = float(np.percentile(gray, 90))  # the label's white under this photo's light
    ink = float(((lg < 0.55 * paper) | ((hsv[..., 1] > 100) & (hsv[..., 2] > 60))).mean())
    # the white paper left and right of the pictogram, inside the diamond
    sides = np.concatenate([gray[int(0.55 * n):int(0.65 * n), int(0.2 * n):int(0.28 * n)].ravel(),
                            gray[int(0.55 * n):int(0.65 * n), int(0.72 * n):int(0.8 * n)].ravel()])
    paper_ok = float((sides > 0.75 * paper).mean()) > 0.7
    dark_frac = float(dark.mean())
    # a lithium mark turned 45 degrees is a diamond too, with its pictogram's outlines
    # for stripes: its border is red-hatched, a class 9 label's is white with a black line
    yy, xx = np.mgrid[0:n, 0:n]
    rim = np.abs(xx - n / 2) + np.abs(yy - n / 2)
    red = _red_mask(cv2.cvtColor(canon, cv2.COLOR_RGB2HSV), HATCH_MIN_SAT)
    red_rim = max(float(red[(rim >= lo) & (rim < lo + 0.03 * n)].mean())
                  for lo in np.arange(0.38, 0.5, 0.03) * n)
    ok = (runs >= 4 and contrast > max(60.0, 0.45 * paper) and 0.25 < dark_frac < 0.75
          and red_rim < 0.12)
    return ok and paper_ok and ink < 0.6, ink


def find_class9_labels(work: np.ndarray) -> list[Found]:
    """Diamonds (squares on a point) with black stripes in the top half; 9A when the lower
    half carries the battery pictogram."""
    img = resize_long(work, DETECT_LONG_SIDE)
    k = work.shape[1] / img.shape[1]
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 40, 120)
    edges = cv2.dilate(edges, np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    min_side = 0.03 * max(img.shape[:2])
    found: list[Found] = []
    for c in contours:
        _x, _y, w, h = cv2.boundingRect(c)
        if w < min_side or h < min_side or not 0.45 < w / h < 2.2:
            continue
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.05 * cv2.arcLength(hull, True), True)
        if len(approx) != 4:
            continue
        pts = approx.reshape(4, 2).astype(np.float32)
        if cv2.contourArea(approx) < 0.35 * w * h or not plausible_label_quad(pts, img.shape):
            continue
        # any in-plane rotation: vertices clockwise, each one tried as the label's top
        cx, cy = pts.mean(0)
        pts = pts[np.argsort(np.arctan2(pts[:, 1] - cy, pts[:, 0] - cx))]
        n = 160
        dst = np.array([[n / 2, 0], [n, n / 2], [n / 2, n], [0, n / 2]], np.float32)
        for start in _tops_first(pts):
            quad = np.roll(pts, -start, axis=0) * k
            m = cv2.getPerspectiveTransform(quad, dst)
            canon = cv2.warpPerspective(work, m, (n, n), flags=cv2.INTER_AREA)
            ok, ink = _diamond_ok(canon)
            if ok:
                kind = "class9a" if ink > 0.08 else "class9"
                found.append(Found(kind, quad, kind.upper().replace("CLASS", "CLASS "),
                                   score=ink))
                break
    return _dedupe(found)


MAX_LABEL_FRAC = 0.45  # labels are 3-25 % of the photo width; the margin covers close-ups


def plausible_label_quad(pts: np.ndarray, shape: tuple[int, ...],
                         max_side_ratio: float = 2.4, on_frame_edge: bool = False) -> bool:
    """A square label seen at up to ~45 degrees: sides within a factor 2.4, corner angles
    50-130 degrees, not larger than MAX_LABEL_FRAC of the photo, not on the frame border
    (the frame's own corners otherwise make a 'diamond' of the whole photo) unless
    ``on_frame_edge`` (a label found by its colour, cut by the frame)."""
    h, w = shape[:2]
    q = order_quad(pts)
    sides = [float(np.linalg.norm(q[(i + 1) % 4] - q[i])) for i in range(4)]
    if min(sides) <= 0 or max(sides) > max_side_ratio * min(sides):
        return False
    if max(sides) > MAX_LABEL_FRAC * max(h, w):
        return False
    for i in range(4):
        u, v = q[i - 1] - q[i], q[(i + 1) % 4] - q[i]
        cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-6))
        if abs(cos) > 0.643:  # outside 50-130 degrees
            return False
    if on_frame_edge:
        return True
    margin = 2
    return bool((q[:, 0] > margin).all() and (q[:, 0] < w - 1 - margin).all()
                and (q[:, 1] > margin).all() and (q[:, 1] < h - 1 - margin).all())


def _tops_first(pts: np.ndarray) -> list[int]:
    """Vertex indexes ordered by how nearly straight up they point (upright labels are
    accepted on the first try)."""
    c = pts.mean(0)
    up = [float(-(p[1] - c[1]) / (np.linalg.norm(p - c) + 1e-6)) for p in pts]
    return sorted(range(4), key=lambda i: -up[i])


# Cargo Aircraft Only label (IATA DGR 7.2.4.2, Figure 7.2.C): an orange rectangle of at
# least 120 x 110 mm with black print (aircraft symbol and "CARGO AIRCRAFT ONLY"). Judged on
# the grey-world balanced photo, so a colour cast neither makes kraft board orange nor the
# label red or yellow; saturation (max - min) / max does not change with the light's
# strength, so shading and exposure do not move it either.
CAO_HUE = (6, 21)  # OpenCV hue (0-180): orange ~13; red <= 5 or >= 170, yellow >= 23
CAO_MIN_SAT = 180  # label orange ~0.87-0.9 (222-233); kraft board 0.4-0.63, wood ~0.63
CAO_MIN_BRIGHT = 0.45  # orange V is near the paper white (V = max channel); shadows aside
CAO_PRINT = (0.04, 0.55)  # dark print share of the label (aircraft + text lines)
CAO_MIN_ORANGE = 0.4  # orange share of the label quad
CAO_MAX_AROUND = 0.3  # orange share of the ring around the label
CAO_MIN_SOLID = 0.8  # the blob fills its fitted quad (a rectangle, not a ragged blob)
_GAIN_LIMITS = (0.75, 1.33)
WHITE_MAX_TINT = 1.5


def grey_gains(rgb: np.ndarray) -> np.ndarray:
    """Per-channel gains that make the photo's white grey. The white is the brightest 2 %
    of the unclipped pixels when they are nearly neutral (label paper, white board: a cast
    tints them by well under 1.5x between channels; kraft, wood or the orange label itself
    are further off), else the shades-of-grey mean (Minkowski p = 4) of the mid-tones. The
    gains are clipped to 0.75-1.33, so a photo mostly of one colour (a wooden floor, a kraft
    carton) is not turned inside out. Removes colour casts and white balance errors well
    enough to tell the label's orange from kraft, red and yellow."""
    f = rgb[::4, ::4].reshape(-1, 3).astype(np.float32)
    mid = f[(f.mean(1) > 20) & (f.max(1) < 250)]
    if len(mid) < 100:
        return np.ones(3, np.float32)
    lum = mid.mean(1)
    white = mid[lum >= np.percentile(lum, 98)].mean(0) + 1e-3
    if float(white.max() / white.min()) > WHITE_MAX_TINT:
        white = (mid ** 4).mean(0) ** 0.25 + 1e-3
    return np.clip(white.mean() / white, *_GAIN_LIMITS).astype(np.float32)


def _balance(rgb: np.ndarray, gains: np.ndarray) -> np.ndarray:
    return cv2.convertScaleAbs(rgb.astype(np.float32) * gains)


def _orange_mask(hsv: np.ndarray, white: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2].astype(np.float32)
    return ((h >= CAO_HUE[0]) & (h <= CAO_HUE[1]) & (s >= CAO_MIN_SAT)
            & (v >= np.maximum(40.0, CAO_MIN_BRIGHT * white))).astype(np.uint8)


def find_cargo_aircraft_only(small: np.ndarray, work: np.ndarray,
                             min_side_px: float) -> list[Found]:
    """Orange rectangles with black print whose square root of area is at least
    ``min_side_px`` (small-image pixels), at any in-plane turn and up to ~45 degrees of
    perspective: an orange blob (holes from the print filled) fitted with the largest
    quad on its hull, which it must fill; then the rectified candidate must be mostly
    orange with a share of dark print inside it (not only along its edge). A brand band is
    refused by its side ratio, kraft board by its saturation, a plain orange patch by the
    missing print."""
    gains = grey_gains(small)
    hsv = cv2.cvtColor(_balance(small, gains), cv2.COLOR_RGB2HSV)
    white = _local_white(hsv[..., 2])
    orange = _orange_mask(hsv, white)
    # one-pixel gaps (JPEG chroma, print touching the label's edge) closed; labels stuck
    # 10 mm apart are only a few pixels apart at the smallest sizes, so no more than that
    closed = cv2.morphologyEx(orange, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    k = work.shape[1] / small.shape[1]
    min_area = max(64.0, min_side_px ** 2)
    found: list[Found] = []
    for c in contours:
        blob_area = cv2.contourArea(c)
        if blob_area < 0.6 * min_area:
            continue
        quad = _quad_of(c)
        qa = float(cv2.contourArea(quad.astype(np.float32)))
        # a label cut by the frame is still there (the quad then runs along the frame)
        if qa < min_area or not plausible_label_quad(quad, small.shape, on_frame_edge=True):
            continue
        x0, y0, qmask = _quad_mask(quad)
        blob = np.zeros_like(qmask)
        cv2.drawContours(blob, [c - np.array([x0, y0], np.int32)], -1, 1, -1)
        inside = float((blob & qmask).sum())
        if inside < CAO_MIN_SOLID * qa or float(blob.sum()) > 1.2 * qa:
            continue
        # a label is a patch on something else: the ring just outside it is not orange
        # (a wooden floor or an orange panel is orange all around any piece of it)
        ring = np.zeros(orange.shape, np.uint8)
        cv2.fillConvexPoly(ring, scaled_quad(quad, 1.25).astype(np.int32), 1)
        cv2.fillConvexPoly(ring, scaled_quad(quad, 1.08).astype(np.int32), 0)
        if float((orange & ring).sum()) > CAO_MAX_AROUND * max(1.0, float(ring.sum())):
            continue
        score = _cao_print_ok(work, quad * k, gains)
        if score is not None:
            found.append(Found("cargo_aircraft_only", quad * k, "CARGO AIRCRAFT ONLY",
                               score=score))
    return _dedupe(found)


def _cao_print_ok(work: np.ndarray, quad: np.ndarray, gains: np.ndarray, n: int = 96
                  ) -> float | None:
    """The rectified candidate (turn unknown: a square canvas) is mostly orange and carries
    dark print inside it: the share of print (darker than half the label's own orange,
    whatever the exposure) in the label and in its middle. Returns the print share or
    None."""
    canon = _balance(rectify(work, quad, (n, n)), gains)
    hsv = cv2.cvtColor(canon, cv2.COLOR_RGB2HSV)
    v = hsv[..., 2].astype(np.float32)
    orange = _orange_mask(hsv, np.zeros(v.shape, np.float32))
    if float(orange.mean()) < CAO_MIN_ORANGE:
        return None
    level = float(np.median(v[orange > 0]))
    dark = v < 0.5 * level
    share = float(dark.mean())
    m = n // 6
    middle = float(dark[m:-m, m:-m].mean())
    if CAO_PRINT[0] <= share <= CAO_PRINT[1] and middle >= 0.6 * CAO_PRINT[0]:
        return share
    return None


def _dedupe(found: list[Found]) -> list[Found]:
    out: list[Found] = []
    for f in sorted(found, key=lambda f: -cv2.contourArea(f.quad)):
        c = f.quad.mean(0)
        if all(np.linalg.norm(c - g.quad.mean(0)) > 0.3 * np.ptp(g.quad[:, 0]) for g in out):
            out.append(f)
    return out
