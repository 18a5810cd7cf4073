"""Source B artwork: carton faces and dangerous-goods labels drawn with OpenCV primitives
and its Hershey vector fonts (source A draws with Pillow and DejaVu), other layouts,
other proportions within the specifications, other pictograms.

Sizes in millimetres, drawn at ``ppm`` pixels per millimetre:
- lithium battery mark 100 x 100 mm (or 100 x 70 mm on small packages), red hatching
  >= 5 mm, UN number(s), a cell pictogram with a flame;
- the obsolete mark (120 x 110 mm, with a telephone line);
- class 9 / 9A diamond (100 mm side along the axes: 7 stripes, underlined 9);
- Cargo Aircraft Only (120 x 110 mm orange, aircraft and text).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import cv2
import numpy as np

RED = (200, 16, 30)
BLACK = (18, 18, 22)
WHITE = (246, 246, 240)
ORANGE = (238, 118, 22)
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX,
         cv2.FONT_HERSHEY_COMPLEX)


def _text(img: np.ndarray, text: str, centre: tuple[float, float], height: float,
          colour: tuple[int, int, int], font: int = cv2.FONT_HERSHEY_DUPLEX,
          max_width: float | None = None, thick: float = 0.12) -> None:
    scale = height / 22.0
    (tw, th), _ = cv2.getTextSize(text, font, scale, 1)
    if max_width and tw > max_width:
        scale *= max_width / tw
    t = max(1, round(scale * 22 * thick))
    (tw, th), _ = cv2.getTextSize(text, font, scale, t)
    org = (round(centre[0] - tw / 2), round(centre[1] + th / 2))
    cv2.putText(img, text, org, font, scale, colour, t, cv2.LINE_AA)


def lithium_mark(un: list[str], ppm: float, obsolete: bool = False, small: bool = False,
                 r: random.Random | None = None) -> np.ndarray:
    r = r or random.Random(0)
    w_mm, h_mm = (120.0, 110.0) if obsolete else ((100.0, 70.0) if small else (100.0, 100.0))
    w, h = round(w_mm * ppm), round(h_mm * ppm)
    img = np.full((h, w, 3), WHITE, np.uint8)
    hatch = r.uniform(5.5, 8.0) * ppm
    period = hatch * r.uniform(1.6, 2.2)
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = ((xx - yy) % period) < period / 2 if r.random() < 0.5 else \
        ((xx + yy) % period) < period / 2
    border = (xx < hatch) | (yy < hatch) | (xx >= w - hatch) | (yy >= h - hatch)
    img[stripes & border] = RED
    font = r.choice(FONTS)
    # cell pictogram: two cells, one with a flame
    cx, cy = w * 0.5, h * (0.32 if not small else 0.35)
    cell_w, cell_h = 14 * ppm, 22 * ppm * (0.7 if small else 1)
    for k, dx in enumerate((-cell_w * 0.8, cell_w * 0.8)):
        x0, y0 = int(cx + dx - cell_w / 2), int(cy - cell_h / 2)
        cv2.rectangle(img, (x0, y0), (int(x0 + cell_w), int(y0 + cell_h)), BLACK,
                      max(1, round(1.2 * ppm)))
        cv2.rectangle(img, (int(x0 + cell_w * 0.3), int(y0 - 2.5 * ppm)),
                      (int(x0 + cell_w * 0.7), y0), BLACK, -1)
        if k == 1:
            flame = np.array([[x0 + cell_w * 0.5, y0 + cell_h * 0.15],
                              [x0 + cell_w * 0.85, y0 + cell_h * 0.7],
                              [x0 + cell_w * 0.5, y0 + cell_h * 0.9],
                              [x0 + cell_w * 0.15, y0 + cell_h * 0.7]], np.int32)
            cv2.fillPoly(img, [flame], RED)
    lines = [" ".join(un)]
    if obsolete:
        lines += ["CALL +86 592 " + "".join(str(r.randint(0, 9)) for _ in range(7))]
    y = h * (0.66 if not small else 0.72)
    for line in lines:
        _text(img, line, (w / 2, y), (11 if len(lines) == 1 else 8) * ppm, BLACK, font,
              max_width=w - 2.6 * hatch)
        y += 13 * ppm
    return img


def class9_diamond(ppm: float, lithium: bool, r: random.Random | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(RGB, alpha) of a class 9 / 9A label, 100 mm square turned 45 degrees."""
    r = r or random.Random(0)
    side = 100 * ppm
    d = round(side * np.sqrt(2))
    img = np.full((d, d, 3), WHITE, np.uint8)
    c = d / 2
    outer = np.array([[c, 0], [d - 1, c], [c, d - 1], [0, c]], np.float32)
    alpha = np.zeros((d, d), np.uint8)
    cv2.fillConvexPoly(alpha, outer.astype(np.int32), 255)
    inner = ((outer - c) * 0.92 + c).astype(np.int32)
    cv2.polylines(img, [inner], True, BLACK, max(1, round(0.8 * ppm)), cv2.LINE_AA)
    # seven vertical stripes in the top half, clipped to the diamond
    top = np.zeros((d, d), np.uint8)
    cv2.fillConvexPoly(top, inner, 255)
    top[int(c):] = 0
    sw = d * 0.5 / 13
    x0 = c - 6.5 * sw
    for k in range(7):
        xs = int(x0 + 2 * k * sw)
        band = np.zeros_like(top)
        band[:, xs:int(xs + sw)] = 255
        img[(band > 0) & (top > 0)] = BLACK
    if lithium:
        # battery group: three cells and a broken cell, in the lower half
        y0 = int(c + 0.06 * d)
        cw = int(0.07 * d)
        for k in range(3):
            x = int(c - 0.17 * d + k * 1.3 * cw)
            cv2.rectangle(img, (x, y0), (x + cw, y0 + int(0.14 * d)), BLACK, -1)
            cv2.rectangle(img, (x + cw // 3, y0 - int(0.02 * d)), (x + 2 * cw // 3, y0), BLACK,
                          -1)
        bx = int(c + 0.12 * d)
        cv2.rectangle(img, (bx, y0 + int(0.02 * d)), (bx + cw, y0 + int(0.14 * d)), BLACK,
                      max(1, round(ppm)))
        flame = np.array([[bx + cw // 2, y0 - int(0.03 * d)], [bx + cw, y0 + int(0.05 * d)],
                          [bx, y0 + int(0.05 * d)]], np.int32)
        cv2.fillPoly(img, [flame], RED)
    font = r.choice(FONTS)
    _text(img, "9", (c, d * 0.86), 0.1 * d, BLACK, font, thick=0.16)
    cv2.line(img, (int(c - 0.03 * d), int(d * 0.915)), (int(c + 0.03 * d), int(d * 0.915)),
             BLACK, max(1, round(0.9 * ppm)))
    return img, alpha


def cargo_aircraft_only(ppm: float, r: random.Random | None = None) -> np.ndarray:
    r = r or random.Random(0)
    w, h = round(120 * ppm), round(110 * ppm)
    img = np.full((h, w, 3), ORANGE, np.uint8)
    font = r.choice(FONTS)
    _text(img, "DANGER", (w / 2, h * 0.12), 11 * ppm, BLACK, font, max_width=0.9 * w)
    plane = np.array([[0.5, 0.22], [0.55, 0.35], [0.85, 0.45], [0.85, 0.5], [0.55, 0.45],
                      [0.53, 0.6], [0.62, 0.66], [0.62, 0.7], [0.5, 0.67], [0.38, 0.7],
                      [0.38, 0.66], [0.47, 0.6], [0.45, 0.45], [0.15, 0.5], [0.15, 0.45],
                      [0.45, 0.35]]) * [w, h]
    cv2.fillPoly(img, [plane.astype(np.int32)], BLACK)
    cv2.line(img, (int(0.2 * w), int(0.7 * h)), (int(0.8 * w), int(0.25 * h)), BLACK,
             max(2, round(3 * ppm)))
    _text(img, "CARGO AIRCRAFT ONLY", (w / 2, h * 0.8), 8 * ppm, BLACK, font, max_width=0.92 * w)
    _text(img, "FORBIDDEN IN PASSENGER AIRCRAFT", (w / 2, h * 0.92), 5 * ppm, BLACK, font,
          max_width=0.92 * w)
    return img


@dataclass(frozen=True)
class DesignB:
    """A source-B packaging design (one labelled face)."""

    seed: int
    un_numbers: tuple[str, ...]
    transport_mode: str
    provision: str
    face_mm: tuple[float, float]
    board_rgb: tuple[int, int, int]
    print_rgb: tuple[int, int, int]
    panel_rgb: tuple[int, int, int] | None
    brand: str
    font: int
    label_row_y: float  # mm from top of the label row
    label_order: tuple[str, ...]
    label_x0: float
    has_mark: bool
    has_9a: bool
    has_cao: bool
    graphics: int
    class9_x: float | None = None  # a class 9 label stuck beside the row (not in the filing)

    @classmethod
    def random(cls, seed: int, un_numbers: tuple[str, ...], transport_mode: str,
               provision: str) -> DesignB:
        r = random.Random(seed * 31 + 7)
        fw = r.choice([400.0, 450.0, 600.0])
        fh = fw * r.uniform(0.55, 0.8)
        white = r.random() < 0.3
        board = (r.randint(225, 240), r.randint(225, 240), r.randint(220, 235)) if white else (
            r.randint(160, 200), r.randint(120, 155), r.randint(75, 105))
        ink = r.choice([(30, 30, 30), (0, 60, 120), (110, 0, 40), (0, 90, 60)])
        panel = r.choice([None, (20, 70, 150), (180, 30, 40), (30, 120, 60), (230, 180, 0)])
        syll = ["KA", "RO", "VEN", "TIX", "LO", "MER", "SUN", "DA", "PIX", "OR", "ELI", "FU"]
        brand = "".join(r.choice(syll) for _ in range(r.randint(2, 3)))
        full = provision in ("fully_regulated", "section_ib")
        has_mark = provision in ("small_battery", "section_ib") or r.random() < 0.5
        needs_cao = transport_mode == "air" and bool({"UN3480", "UN3090"} & set(un_numbers))
        order = [k for k, on in (("mark", has_mark), ("class9", full), ("cao", needs_cao)) if on]
        r.shuffle(order)
        widths = {"mark": 100.0, "class9": 141.0, "cao": 120.0}
        total = sum(widths[k] for k in order) + 10 * (len(order) - 1)
        x0 = r.uniform(15, max(16, fw - 15 - total))
        return cls(seed, un_numbers, transport_mode, provision, (fw, fh), board, ink, panel,
                   brand, r.choice(FONTS), fh - r.uniform(150, 160), tuple(order), x0, has_mark,
                   full, needs_cao, r.randint(0, 3))


@dataclass
class FaceState:
    """What the photographed face really carries (truth for the anomalies)."""

    mark: str | None = "current"  # 'current' | 'obsolete' | None
    mark_un: tuple[str, ...] | None = None
    class9: str | None = "9A"  # '9A' | '9' | None
    cao: bool = True
    cover: str | None = None
    torn: str | None = None
    damage: bool = False
    seed: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def default_state(design: DesignB) -> FaceState:
    return FaceState(mark="current" if design.has_mark else None,
                     class9="9A" if design.has_9a else None, cao=design.has_cao)


def label_boxes(design: DesignB, state: FaceState) -> dict[str, tuple[float, float, float,
                                                                        float]]:
    x = design.label_x0
    out = {}
    for key in design.label_order:
        w = {"mark": 120.0 if state.mark == "obsolete" else 100.0, "class9": 141.0,
             "cao": 120.0}[key]
        h = {"mark": 110.0 if state.mark == "obsolete" else 100.0, "class9": 141.0,
             "cao": 110.0}[key]
        y = design.label_row_y + (141.0 - h) / 2 - 10
        if key == "class9" and design.class9_x is not None:
            out[key] = (design.class9_x, y, w, h)  # stuck on beside the row
            continue
        out[key] = (x, y, w, h)
        x += w + 10
    return out


def render_face_b(design: DesignB, ppm: float, state: FaceState | None = None) -> np.ndarray:
    state = state or default_state(design)
    r = random.Random(design.seed)
    fw, fh = design.face_mm
    w, h = round(fw * ppm), round(fh * ppm)
    rng = np.random.default_rng(design.seed)
    base = np.array(design.board_rgb, np.float32)
    # corrugated board: faint vertical flutes and fibre noise
    flutes = 3.0 * np.sin(np.arange(w, dtype=np.float32) * 2 * np.pi / max(2.0, 4.5 * ppm))
    noise = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 0.8 * ppm)
    img = np.clip(base[None, None] + (flutes[None, :] + noise)[..., None], 0, 255).astype(
        np.uint8)

    def mm(v: float) -> int:
        return round(v * ppm)

    if design.panel_rgb is not None:
        cv2.rectangle(img, (0, 0), (w, mm(fh * 0.22)), design.panel_rgb, -1)
        _text(img, design.brand, (w * 0.5, mm(fh * 0.11)), mm(fh * 0.12), (250, 250, 250),
              design.font, max_width=0.8 * w, thick=0.16)
    else:
        _text(img, design.brand, (w * 0.42, mm(fh * 0.12)), mm(fh * 0.13), design.print_rgb,
              design.font, max_width=0.6 * w, thick=0.16)
    g = design.graphics
    gx, gy = mm(fw * 0.82), mm(fh * 0.3)
    if g == 0:
        cv2.circle(img, (gx, gy), mm(22), design.print_rgb, mm(4))
    elif g == 1:
        pts = np.array([[gx, gy - mm(25)], [gx + mm(25), gy + mm(18)], [gx - mm(25), gy + mm(18)]])
        cv2.polylines(img, [pts.astype(np.int32)], True, design.print_rgb, mm(3))
    elif g == 2:
        for k in range(4):
            cv2.line(img, (0, mm(fh * 0.36) + k * mm(5)), (w, mm(fh * 0.3) + k * mm(5)),
                     design.print_rgb, mm(1.5))
    _text(img, f"MODEL {r.choice('ABCXYZ')}{r.randint(10, 99)}-{r.randint(100, 999)}  "
               f"{r.randint(2, 48)} x {r.choice(['18650', '21700', 'LP503562'])}",
          (w * 0.4, mm(fh * 0.4)), mm(7), design.print_rgb, design.font, max_width=0.7 * w)
    # handling: umbrella-free 'this way up' arrows and a QR-like block
    ax = mm(fw - 40)
    for k in range(2):
        x0 = ax - k * mm(18)
        pts = np.array([[x0, mm(fh * 0.48)], [x0 + mm(6), mm(fh * 0.42)],
                        [x0 + mm(12), mm(fh * 0.48)]], np.int32)
        cv2.fillPoly(img, [pts], design.print_rgb)
        cv2.rectangle(img, (x0 + mm(4), mm(fh * 0.48)), (x0 + mm(8), mm(fh * 0.55)),
                      design.print_rgb, -1)
    qr = (rng.random((12, 12)) < 0.5).astype(np.uint8) * 255
    qr = cv2.resize(qr, (mm(30), mm(30)), interpolation=cv2.INTER_NEAREST)
    qy, qx = mm(fh * 0.45), mm(15)
    img[qy:qy + qr.shape[0], qx:qx + qr.shape[1]][qr == 0] = (20, 20, 20)
    boxes = label_boxes(design, state)
    un = list(state.mark_un or design.un_numbers)
    if design.has_9a or design.provision == "fully_regulated":
        psn = "LITHIUM ION BATTERIES" if un[0] in ("UN3480", "UN3481") else \
            "LITHIUM METAL BATTERIES"
        y = mm(design.label_row_y - 18)
        _text(img, f"{design.un_numbers[0]} {psn}", (mm(design.label_x0 + 90), y), mm(9),
              BLACK, design.font, max_width=mm(175))
    lr = random.Random(design.seed + 1)
    for key, (x, y, _bw, _bh) in boxes.items():
        px, py = mm(x), mm(y)
        if key == "mark" and state.mark is not None:
            lab = lithium_mark(un, ppm, obsolete=state.mark == "obsolete", r=lr)
            _paste(img, lab, px, py)
        elif key == "class9" and state.class9 is not None:
            lab, alpha = class9_diamond(ppm, state.class9 == "9A", lr)
            _paste(img, lab, px, py, alpha)
        elif key == "cao" and state.cao:
            _paste(img, cargo_aircraft_only(ppm, lr), px, py)
    vr = random.Random(state.seed)
    for key, kind in ((state.cover, "cover"), (state.torn, "torn")):
        if key and key in boxes:
            _spoil(img, boxes[key], ppm, kind, vr, design.board_rgb, diamond=key == "class9")
    if state.damage:
        _damage(img, ppm, vr)
    return img


def _paste(img: np.ndarray, lab: np.ndarray, x: int, y: int,
           alpha: np.ndarray | None = None) -> None:
    h, w = lab.shape[:2]
    ih, iw = img.shape[:2]
    x1, y1 = min(iw, x + w), min(ih, y + h)
    if x1 <= x or y1 <= y:
        return
    sub = lab[: y1 - y, : x1 - x]
    if alpha is None:
        img[y:y1, x:x1] = sub
    else:
        a = (alpha[: y1 - y, : x1 - x] > 127)
        img[y:y1, x:x1][a] = sub[a]


def _spoil(img: np.ndarray, box: tuple[float, ...], ppm: float, kind: str, r: random.Random,
           board: tuple[int, int, int], diamond: bool = False) -> None:
    """A cover over, or a corner torn off, the label in ``box``. A class 9 label is a
    diamond in its box: its corners are the box's edge midpoints, not the box's corners,
    where a tear would take carton and leave the label whole."""
    x, y, bw, bh = (v * ppm for v in box)
    frac = r.uniform(0.5, 0.9)
    if kind == "cover":
        # a shipping label or parcel tape stuck over the mark/label
        colour = r.choice([(245, 245, 245), (200, 160, 100), (250, 240, 160)])
        x0 = int(x + r.uniform(-0.1, 0.2) * bw)
        y0 = int(y + r.uniform(0.0, 1 - frac) * bh)
        cv2.rectangle(img, (x0, y0), (int(x0 + bw * r.uniform(0.8, 1.1)), int(y0 + bh * frac)),
                      colour, -1)
        for k in range(3):
            yy = int(y0 + (k + 1) * bh * frac / 4)
            cv2.line(img, (x0 + int(0.1 * bw), yy), (x0 + int(0.7 * bw), yy), (40, 40, 40),
                     max(1, int(1.5 * ppm)))
    else:
        # a torn-off corner: board shows through a ragged polygon
        u, v = r.choice([0.0, 1.0]), r.choice([0.0, 1.0])
        if diamond:  # (0, 0) top, (1, 0) right, (1, 1) bottom, (0, 1) left
            u, v = {(0.0, 0.0): (0.5, 0.0), (1.0, 0.0): (1.0, 0.5), (1.0, 1.0): (0.5, 1.0),
                    (0.0, 1.0): (0.0, 0.5)}[(u, v)]
        cx, cy = x + u * bw, y + v * bh
        n = 9
        ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
        rad = np.array([r.uniform(0.5, 1.0) for _ in range(n)]) * frac * max(bw, bh) * 0.8
        pts = np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)].astype(np.int32)
        cv2.fillPoly(img, [pts], tuple(int(v * 0.92) for v in board))
        cv2.polylines(img, [pts], True, (235, 235, 225), max(1, int(1.2 * ppm)))


def _damage(img: np.ndarray, ppm: float, r: random.Random) -> None:
    h, w = img.shape[:2]
    cx, cy = r.uniform(0.2, 0.8) * w, r.uniform(0.2, 0.8) * h
    rad = r.uniform(40, 90) * ppm
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / rad
    shade = 1.0 - 0.35 * np.exp(-dist ** 2) * (0.5 + 0.5 * np.sin(3 * (xx - cx) / rad))
    for _ in range(r.randint(2, 4)):
        a = r.uniform(0, np.pi)
        p0 = (int(cx - rad * np.cos(a)), int(cy - rad * np.sin(a)))
        p1 = (int(cx + rad * np.cos(a)), int(cy + rad * np.sin(a)))
        cv2.line(img, p0, p1, (60, 45, 30), max(2, int(2.5 * ppm)), cv2.LINE_AA)
    img[:] = np.clip(img * shade[..., None], 0, 255).astype(np.uint8)
