"""Fonts for rendering: DejaVu when the system has it, Pillow's bundled font otherwise."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_CANDIDATES = {
    True: ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
    False: ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
}


@lru_cache(maxsize=256)
def font(size_px: int, bold: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    size_px = max(6, int(size_px))
    for candidate in _CANDIDATES[bold]:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size_px)
    return ImageFont.load_default(size=size_px)
