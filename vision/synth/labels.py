"""Dangerous-goods marks and labels drawn to their specification (sizes in millimetres).

- Lithium battery mark (ADR/IMDG/IATA 5.2.1.9): 100 x 100 mm, red diagonal hatching at least
  5 mm wide around the border, battery pictogram, the UN number(s) in the middle.
- Obsolete lithium battery mark (valid until 31 Dec 2026): 120 x 110 mm with a red hatched
  border, the text block and a telephone number for more information.
- Class 9 label: 100 x 100 mm diamond, seven vertical black stripes in the top half, an
  underlined "9" in the bottom corner. Class 9A (lithium batteries) has a battery group
  pictogram in the bottom half instead of the plain white area.
- "Cargo Aircraft Only" label: 120 x 110 mm, orange with black text and an aircraft.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from vision.synth.fonts import font

RED = (220, 30, 36)
BLACK = (20, 20, 20)
WHITE = (250, 250, 248)
ORANGE = (245, 130, 32)


def _mm(value: float, ppm: float) -> int:
    return max(1, round(value * ppm))


def _text_centered(draw: ImageDraw.ImageDraw, cx: float, cy: float, text: str,
                   size: int, fill: tuple[int, int, int]) -> None:
    f = font(size)
    box = draw.textbbox((0, 0), text, font=f)
    w, h = box[2] - box[0], box[3] - box[1]
    draw.text((cx - w / 2 - box[0], cy - h / 2 - box[1]), text, font=f, fill=fill)


def _fit_size(draw: ImageDraw.ImageDraw, text: str, max_w: float, max_h: float) -> int:
    size = max(6, int(max_h))
    while size > 6:
        box = draw.textbbox((0, 0), text, font=font(size))
        if box[2] - box[0] <= max_w and box[3] - box[1] <= max_h:
            break
        size -= 1
    return size


def _hatched_border(img: Image.Image, width_px: int, ppm: float) -> None:
    """Red diagonal hatching of ``width_px`` around the border (stripes 3 mm, gaps 2 mm)."""
    w, h = img.size
    yy, xx = np.mgrid[0:h, 0:w]
    period = _mm(5, ppm)
    stripe = ((xx + yy) % period) < _mm(3, ppm)
    inner = (xx >= width_px) & (xx < w - width_px) & (yy >= width_px) & (yy < h - width_px)
    arr = np.array(img)
    mask = stripe & ~inner
    arr[mask] = RED
    img.paste(Image.fromarray(arr))


def _battery_icon(draw: ImageDraw.ImageDraw, x: float, y: float, w: float, h: float,
                  flame: bool = True) -> None:
    """Two cells, one damaged with a flame, as in the mark's pictogram."""
    cell_w, cell_h = w * 0.28, h * 0.8
    for i in range(2):
        cx = x + w * 0.12 + i * w * 0.4
        draw.rectangle([cx, y + h * 0.2, cx + cell_w, y + h * 0.2 + cell_h], outline=BLACK,
                       width=max(2, int(w * 0.03)))
        draw.rectangle([cx + cell_w * 0.3, y + h * 0.1, cx + cell_w * 0.7, y + h * 0.2],
                       fill=BLACK)
    if flame:
        fx, fy = x + w * 0.82, y + h * 0.55
        pts = [(fx, fy - h * 0.45), (fx + w * 0.12, fy), (fx, fy + h * 0.3), (fx - w * 0.1, fy)]
        draw.polygon(pts, fill=RED, outline=BLACK)


def lithium_battery_mark(un_numbers: list[str], ppm: float) -> Image.Image:
    """Current mark: 100 x 100 mm, hatched border >= 5 mm, pictogram, UN number(s)."""
    size = _mm(100, ppm)
    img = Image.new("RGB", (size, size), WHITE)
    _hatched_border(img, _mm(6, ppm), ppm)
    draw = ImageDraw.Draw(img)
    _battery_icon(draw, _mm(22, ppm), _mm(14, ppm), _mm(56, ppm), _mm(30, ppm))
    text = " ".join(un_numbers) if un_numbers else ""
    if text:
        s = _fit_size(draw, text, _mm(78, ppm), _mm(13, ppm))
        _text_centered(draw, size / 2, _mm(62, ppm), text, s, BLACK)
    _text_centered(draw, size / 2, _mm(82, ppm), "*", _mm(8, ppm), BLACK)
    return img


def obsolete_lithium_battery_mark(un_numbers: list[str], ppm: float,
                                  phone: str = "+86 592 555 0134") -> Image.Image:
    """The pre-2017 design (120 x 110 mm) with a telephone number; invalid after 2026."""
    w, h = _mm(120, ppm), _mm(110, ppm)
    img = Image.new("RGB", (w, h), WHITE)
    _hatched_border(img, _mm(6, ppm), ppm)
    draw = ImageDraw.Draw(img)
    lines = ["LITHIUM ION BATTERIES", " ".join(un_numbers), "CAUTION! DAMAGED PACKAGE",
             "FOR INFORMATION CALL", phone]
    heights = [8, 12, 7, 7, 9]
    y = _mm(18, ppm)
    for line, hh in zip(lines, heights, strict=True):
        s = _fit_size(draw, line, _mm(100, ppm), _mm(hh, ppm))
        _text_centered(draw, w / 2, y, line, s, BLACK)
        y += _mm(hh + 8, ppm)
    return img


def _diamond_mask(size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2
    return (np.abs(xx - c) + np.abs(yy - c)) <= c


def class9_label(ppm: float, lithium: bool) -> Image.Image:
    """Class 9 (lithium=False) or 9A (lithium=True) label, 100 x 100 mm, RGBA."""
    size = _mm(100, ppm)
    arr = np.zeros((size, size, 4), np.uint8)
    mask = _diamond_mask(size)
    arr[mask] = (*WHITE, 255)
    yy, xx = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2
    border_in = (np.abs(xx - c) + np.abs(yy - c)) <= c - _mm(5, ppm)
    border_line = mask & ~((np.abs(xx - c) + np.abs(yy - c)) <= c - _mm(6, ppm)) & border_in
    arr[border_line] = (*BLACK, 255)
    stripe_w = size / 16
    stripes = ((xx // stripe_w) % 2 == 1) & (yy < c) & border_in & (xx > size * 0.06)
    stripes &= (xx < size * 0.94)
    arr[stripes] = (*BLACK, 255)
    img = Image.fromarray(arr, "RGBA")
    draw = ImageDraw.Draw(img)
    _text_centered(draw, c, size * 0.84, "9", _mm(14, ppm), BLACK)
    draw.line([c - _mm(4, ppm), size * 0.92, c + _mm(4, ppm), size * 0.92], fill=BLACK,
              width=max(1, _mm(1.2, ppm)))
    if lithium:
        _battery_icon(draw, c - _mm(22, ppm), c + _mm(3, ppm), _mm(44, ppm), _mm(20, ppm))
    return img


def cargo_aircraft_only_label(ppm: float) -> Image.Image:
    w, h = _mm(120, ppm), _mm(110, ppm)
    img = Image.new("RGB", (w, h), ORANGE)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, w - 1, h - 1], outline=BLACK, width=_mm(2, ppm))
    # aircraft silhouette
    cx, cy = w / 2, _mm(38, ppm)
    draw.polygon([(cx - _mm(35, ppm), cy), (cx + _mm(35, ppm), cy - _mm(4, ppm)),
                  (cx + _mm(35, ppm), cy + _mm(4, ppm))], fill=BLACK)
    draw.polygon([(cx, cy), (cx - _mm(10, ppm), cy - _mm(22, ppm)),
                  (cx + _mm(4, ppm), cy)], fill=BLACK)
    draw.polygon([(cx, cy), (cx - _mm(10, ppm), cy + _mm(22, ppm)),
                  (cx + _mm(4, ppm), cy)], fill=BLACK)
    for i, line in enumerate(["CARGO AIRCRAFT", "ONLY"]):
        s = _fit_size(draw, line, _mm(104, ppm), _mm(12, ppm))
        _text_centered(draw, w / 2, _mm(74 + i * 17, ppm), line, s, BLACK)
    return img


def rotate_rgba(img: Image.Image, degrees: float) -> Image.Image:
    if abs(degrees) < 1e-3:
        return img
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True)

