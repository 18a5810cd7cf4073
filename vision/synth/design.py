"""Carton face designs: a seeded layout (brand, logo, text, barcode, marks and labels) drawn
flat at any scale, with the packing anomalies applied on the face itself."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vision.synth import labels
from vision.synth.fonts import font

FACE_MM = (500.0, 350.0)
_WORDS = ["VOLT", "NOVA", "LUMA", "KIRO", "ZEN", "ARC", "PEAK", "ION", "MAX", "CELL", "TERRA",
          "BOLT", "AURA", "ORBI", "XEN", "QUAN", "RIVO", "SOLA"]


@dataclass(frozen=True)
class CartonDesign:
    """The filed packaging design of one exporter's carton face (all positions in mm)."""

    seed: int
    un_numbers: tuple[str, ...]
    transport_mode: str
    requires_9a: bool
    base_rgb: tuple[int, int, int]
    ink_rgb: tuple[int, int, int]
    accent_rgb: tuple[int, int, int]
    brand: str
    model: str
    brand_xy: tuple[float, float]
    logo_kind: int
    band_y: float
    barcode_xy: tuple[float, float]
    labels_left: bool

    @classmethod
    def random(cls, seed: int, un_numbers: tuple[str, ...] = ("UN3480",),
               transport_mode: str = "sea", requires_9a: bool = True) -> CartonDesign:
        r = random.Random(seed)
        white = r.random() < 0.25
        base = (r.randint(232, 246),) * 3 if white else (
            r.randint(180, 210), r.randint(140, 170), r.randint(95, 125))
        ink = r.choice([(20, 40, 110), (15, 15, 15), (120, 20, 20), (10, 80, 40), (70, 30, 90)])
        accent = r.choice([(230, 120, 20), (30, 120, 200), (200, 40, 60), (40, 160, 90),
                           (240, 190, 20)])
        brand = r.choice(_WORDS) + r.choice(_WORDS)
        model = f"{r.choice('ABCDEFGHKMPRSTX')}{r.choice('ABCDEFGHKMPRSTX')}-{r.randint(100, 9999)}"
        return cls(
            seed=seed, un_numbers=un_numbers, transport_mode=transport_mode,
            requires_9a=requires_9a, base_rgb=base, ink_rgb=ink, accent_rgb=accent,
            brand=brand, model=model, brand_xy=(r.uniform(20, 120), r.uniform(18, 40)),
            logo_kind=r.randint(0, 2), band_y=r.uniform(105, 150),
            barcode_xy=(r.uniform(20, 60), r.uniform(175, 200)), labels_left=r.random() < 0.3,
        )


@dataclass
class FaceVariant:
    """What the photographed face actually carries (the truth used to make anomalies)."""

    mark: str | None = "current"  # 'current' | 'obsolete' | None
    mark_un_numbers: tuple[str, ...] | None = None
    class_label: str | None = "9A"  # '9A' | '9' | None
    cargo_aircraft_only: bool | None = None
    cover: str | None = None  # 'mark' | 'class_label' covered by tape/foreign label
    torn: str | None = None  # 'mark' | 'class_label' partly torn off
    damage: bool = False
    rng_seed: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def _kraft(w: int, h: int, base: tuple[int, int, int], rng: np.random.Generator) -> np.ndarray:
    # texture at half resolution, upsampled (fast at 6 px/mm)
    hw, hh = max(8, w // 2), max(8, h // 2)
    low = cv2.resize(rng.normal(0, 1, (8, 12)).astype(np.float32), (hw, hh),
                     interpolation=cv2.INTER_CUBIC)
    fine = rng.standard_normal((hh, hw), dtype=np.float32)
    fibres = cv2.GaussianBlur(rng.standard_normal((hh, hw), dtype=np.float32), (0, 0),
                              sigmaX=3, sigmaY=0.4)
    shade = cv2.resize(5 * low + 2.5 * fine + 6 * fibres, (w, h),
                       interpolation=cv2.INTER_LINEAR)
    arr = cv2.merge([np.clip(shade + float(c), 0, 255).astype(np.uint8) for c in base])
    return arr


def label_boxes_mm(design: CartonDesign, variant: FaceVariant) -> dict[str, tuple[float, ...]]:
    """Where each label sits on the face: name -> (x, y, w, h) in mm."""
    w_mm, h_mm = FACE_MM
    y = h_mm - 20 - 110
    boxes: dict[str, tuple[float, ...]] = {}
    order = ["mark", "class_label"]
    if _needs_cao(design, variant):
        order.append("cao")
    sizes = {"mark": (120.0, 110.0) if variant.mark == "obsolete" else (100.0, 100.0),
             "class_label": (100.0, 100.0), "cao": (120.0, 110.0)}
    x = 20.0 if design.labels_left else w_mm - 20 - sum(sizes[k][0] + 12 for k in order) + 12
    for key in order:
        bw, bh = sizes[key]
        boxes[key] = (x, y + (110 - bh), bw, bh)
        x += bw + 12
    return boxes


def _needs_cao(design: CartonDesign, variant: FaceVariant) -> bool:
    if variant.cargo_aircraft_only is not None:
        return variant.cargo_aircraft_only
    return design.transport_mode == "air" and bool({"UN3480", "UN3090"} & set(design.un_numbers))


def render_face(design: CartonDesign, ppm: float, variant: FaceVariant | None = None
                ) -> np.ndarray:
    """Draw the face at ``ppm`` pixels per millimetre; returns RGB uint8."""
    variant = variant or FaceVariant()
    rng = np.random.default_rng(design.seed * 7919 + 13)
    w, h = round(FACE_MM[0] * ppm), round(FACE_MM[1] * ppm)
    img = Image.fromarray(_kraft(w, h, design.base_rgb, rng))
    draw = ImageDraw.Draw(img)

    def mm(v: float) -> int:
        return round(v * ppm)

    bx, by = design.brand_xy
    logo = mm(50)
    lx, ly = mm(bx), mm(by)
    if design.logo_kind == 0:
        draw.ellipse([lx, ly, lx + logo, ly + logo], fill=design.accent_rgb)
        draw.ellipse([lx + logo // 4, ly + logo // 4, lx + 3 * logo // 4, ly + 3 * logo // 4],
                     fill=design.base_rgb)
    elif design.logo_kind == 1:
        draw.polygon([(lx + logo / 2, ly), (lx + logo, ly + logo), (lx, ly + logo)],
                     fill=design.accent_rgb)
    else:
        draw.rectangle([lx, ly, lx + logo, ly + logo], fill=design.accent_rgb)
        draw.line([lx, ly, lx + logo, ly + logo], fill=design.ink_rgb, width=mm(4))
    draw.text((lx + mm(60), ly + mm(2)), design.brand, font=font(mm(38)), fill=design.ink_rgb)
    draw.text((lx + mm(62), ly + mm(47)), "POWER SYSTEMS CO., LTD", font=font(mm(9), False),
              fill=design.ink_rgb)
    band_y = mm(design.band_y)
    draw.rectangle([0, band_y, w, band_y + mm(14)], fill=design.accent_rgb)
    draw.text((mm(20), band_y + mm(2)), f"LI-ION BATTERY PACK  {design.model}",
              font=font(mm(9)), fill=(250, 250, 250))
    gx, gy = design.barcode_xy
    r = np.random.default_rng(design.seed)
    x = mm(gx)
    while x < mm(gx + 80):
        bw = int(r.integers(1, 4)) * max(1, mm(0.8))
        draw.rectangle([x, mm(gy), x + bw - 1, mm(gy + 28)], fill=(15, 15, 15))
        x += bw + int(r.integers(1, 4)) * max(1, mm(0.8))
    draw.text((mm(gx), mm(gy + 30)), f"{design.seed:06d}{design.model}", font=font(mm(6), False),
              fill=(15, 15, 15))
    # handling marks: this way up arrows
    ax = mm(400 if not design.labels_left else 260)
    for k in range(2):
        x0 = ax + k * mm(22)
        draw.polygon([(x0, mm(200)), (x0 + mm(8), mm(185)), (x0 + mm(16), mm(200))],
                     fill=design.ink_rgb)
        draw.rectangle([x0 + mm(5), mm(200), x0 + mm(11), mm(215)], fill=design.ink_rgb)
    boxes = label_boxes_mm(design, variant)
    un = list(variant.mark_un_numbers or design.un_numbers)
    first_label_x = min(b[0] for b in boxes.values())
    psn_x = mm(first_label_x)
    draw.text((psn_x, mm(boxes["mark"][1] - 22)), f"{un[0]} LITHIUM ION BATTERIES",
              font=font(mm(9)), fill=(15, 15, 15))
    for key, (x_mm, y_mm, _bw, _bh) in boxes.items():
        pos = (mm(x_mm), mm(y_mm))
        if key == "mark":
            if variant.mark == "current":
                img.paste(labels.lithium_battery_mark(un, ppm), pos)
            elif variant.mark == "obsolete":
                img.paste(labels.obsolete_lithium_battery_mark(un, ppm), pos)
        elif key == "class_label" and variant.class_label is not None:
            lab = labels.class9_label(ppm, lithium=variant.class_label == "9A")
            img.paste(lab, pos, lab)
        elif key == "cao":
            img.paste(labels.cargo_aircraft_only_label(ppm), pos)
    arr = np.array(img)
    vr = random.Random(variant.rng_seed)
    for key, kind in ((variant.cover, "cover"), (variant.torn, "torn")):
        if key and key in boxes:
            arr = _spoil_label(arr, boxes[key], ppm, kind, vr, design.base_rgb,
                               diamond=key == "class_label")
    if variant.damage:
        arr = _damage(arr, ppm, vr)
    return arr


def _spoil_label(arr: np.ndarray, box: tuple[float, ...], ppm: float, kind: str,
                 r: random.Random, base: tuple[int, int, int], diamond: bool = False
                 ) -> np.ndarray:
    x, y, bw, bh = (v * ppm for v in box)
    frac = r.uniform(0.45, 0.85)
    out = arr.copy()
    if kind == "cover":
        colour = r.choice([(238, 236, 230), (205, 170, 120), (225, 225, 120), (190, 200, 210)])
        cw, ch = bw * r.uniform(0.8, 1.2), bh * frac
        cx = x + bw / 2 + r.uniform(-0.1, 0.1) * bw
        cy = y + bh * r.uniform(0.35, 0.65)
        ang = r.uniform(-25, 25)
        rect = ((cx, cy), (cw, ch), ang)
        pts = cv2.boxPoints(rect).astype(np.int32)
        cv2.fillConvexPoly(out, pts, colour)
        if r.random() < 0.6:
            cv2.putText(out, "FRAGILE", (int(cx - cw / 3), int(cy)), cv2.FONT_HERSHEY_SIMPLEX,
                        ppm * 0.4, (60, 60, 60), max(1, int(ppm)))
    else:
        # torn: a ragged polygon of the label is gone, showing kraft and a paper edge
        n = 14
        if diamond:  # tear from a vertex of the diamond, not from an empty box corner
            corner = r.choice([(x + bw / 2, y), (x + bw, y + bh / 2), (x + bw / 2, y + bh),
                               (x, y + bh / 2)])
        else:
            corner = r.choice([(x, y), (x + bw, y), (x, y + bh), (x + bw, y + bh)])
        rad = frac * max(bw, bh) * 1.1
        pts = []
        for i in range(n + 1):
            a = i / n * 2 * np.pi
            rr = rad * r.uniform(0.75, 1.0)
            pts.append((corner[0] + rr * np.cos(a), corner[1] + rr * np.sin(a)))
        poly = np.array(pts, np.int32)
        mask = np.zeros(arr.shape[:2], np.uint8)
        cv2.fillPoly(mask, [poly], 255)
        box_mask = np.zeros_like(mask)
        if diamond:
            pts_d = np.array([(x + bw / 2, y), (x + bw, y + bh / 2), (x + bw / 2, y + bh),
                              (x, y + bh / 2)], np.int32)
            cv2.fillConvexPoly(box_mask, pts_d, 255)
        else:
            cv2.rectangle(box_mask, (int(x), int(y)), (int(x + bw), int(y + bh)), 255, -1)
        mask &= box_mask
        torn_col = np.array(base, np.float32) * 0.82
        out[mask > 0] = torn_col.astype(np.uint8)
        edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((5, 5), np.uint8))
        out[edge > 0] = (245, 245, 240)
    return out


def _damage(arr: np.ndarray, ppm: float, r: random.Random) -> np.ndarray:
    """Crushed or damaged carton: a dent with crease lines, a torn hole, local buckling."""
    h, w = arr.shape[:2]
    out = arr.astype(np.float32)
    cx, cy = r.uniform(0.15, 0.85) * w, r.uniform(0.15, 0.6) * h
    rad = r.uniform(45, 90) * ppm
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / rad
    dent = np.clip(1 - d, 0, 1) ** 1.5
    gx = (xx - cx) / rad
    out *= (1 - 0.45 * dent * (0.6 + 0.4 * np.sign(gx)))[..., None]
    # buckling: displace pixels inside the dent
    disp = 12 * ppm * dent
    mapx = (xx + disp * np.sin(yy / (9 * ppm))).astype(np.float32)
    mapy = (yy + disp * np.cos(xx / (11 * ppm))).astype(np.float32)
    out = cv2.remap(out, mapx, mapy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    for _ in range(r.randint(2, 4)):
        a = r.uniform(0, np.pi)
        length = rad * r.uniform(1.2, 2.2)
        p0 = (int(cx - np.cos(a) * length), int(cy - np.sin(a) * length))
        p1 = (int(cx + np.cos(a) * length), int(cy + np.sin(a) * length))
        cv2.line(out, p0, p1, (50, 35, 20), max(2, int(1.6 * ppm)))
        p0b = (p0[0] + int(2 * ppm), p0[1] + int(2 * ppm))
        p1b = (p1[0] + int(2 * ppm), p1[1] + int(2 * ppm))
        cv2.line(out, p0b, p1b, (235, 215, 180), max(1, int(1.0 * ppm)))
    if r.random() < 0.7:
        hole = []
        hr = rad * r.uniform(0.35, 0.6)
        for i in range(12):
            a = i / 12 * 2 * np.pi
            rr = hr * r.uniform(0.5, 1.0)
            hole.append((cx + rr * np.cos(a), cy + rr * np.sin(a)))
        cv2.fillPoly(out, [np.array(hole, np.int32)], (40, 28, 18))
    return np.clip(out, 0, 255).astype(np.uint8)
