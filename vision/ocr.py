"""OCR with RapidOCR (PP-OCR ONNX weights bundled in the wheel), loaded once per process."""

from __future__ import annotations

import logging
import re
from threading import Lock
from typing import Any

import numpy as np

_engine: Any = None
_lock = Lock()
UN_RE = re.compile(r"U\s*N\s*[-:]?\s*([0-9OIlSB]{4})(?![0-9])")
PHONE_RE = re.compile(r"(?:\+|\b00)?\d[\d\s\-()]{6,}\d")
PHONE_WORDS = ("CALL", "TEL", "PHONE", "INFORMATION", "CAL +", "ALL +")
_DIGIT_FIX = str.maketrans({"O": "0", "I": "1", "l": "1", "S": "5", "B": "8"})


def engine() -> Any:
    """The process-wide RapidOCR engine (lazy singleton)."""
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _engine = RapidOCR(params={
                "Global.use_cls": False, "Global.log_level": "error",
                "Det.limit_type": "max", "Det.limit_side_len": 320,
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
        return _engine


def read_lines(rgb: np.ndarray) -> list[tuple[str, float]]:
    """Text lines found in a crop, with their confidence."""
    result = engine()(np.ascontiguousarray(rgb))
    txts = getattr(result, "txts", None) or ()
    scores = getattr(result, "scores", None) or ()
    return [(str(t), float(s)) for t, s in zip(txts, scores, strict=False)]


def read_line(rgb: np.ndarray) -> tuple[str, float]:
    """Recognise one already-cropped text line (no detection pass: about 5x cheaper)."""
    result = engine()(np.ascontiguousarray(rgb), use_det=False, use_cls=False, use_rec=True)
    txts = getattr(result, "txts", None) or ("",)
    scores = getattr(result, "scores", None) or (0.0,)
    return str(txts[0]), float(scores[0])


def read_line_batch(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Recognise several cropped lines in one batched recogniser pass."""
    if not crops:
        return []
    crops = [np.ascontiguousarray(c) for c in crops]
    eng = engine()
    try:
        out = eng.recognize_txt(crops)
        return [(str(t), float(s)) for t, s in zip(out.txts, out.scores, strict=False)]
    except AttributeError:  # older/newer RapidOCR without the batch entry point
        return [read_line(c) for c in crops]


def line_bands(rgb: np.ndarray, max_height_frac: float = 0.2) -> list[np.ndarray]:
    """Crops of the dark text lines of a label (row profile of unsaturated dark ink),
    skipping bands taller than a text line (pictograms)."""
    import cv2

    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    thr = min(140, int(np.percentile(gray, 60)) - 40)
    ink = (gray < thr) & (hsv[..., 1] < 110)
    h, w = ink.shape
    rows = ink.sum(1) >= max(2, int(0.01 * w))
    bands: list[np.ndarray] = []
    y = 0
    while y < h:
        if not rows[y]:
            y += 1
            continue
        y0 = y
        gap = 0
        while y < h and gap <= 1:
            gap = 0 if rows[y] else gap + 1
            y += 1
        y1 = y - gap
        cols = np.flatnonzero(ink[y0:y1].any(0))
        # under 12 px: the rest of a border or a rule, not text (text is >= 5 mm = 15 px
        # of a 300-px mark); a thin wide strip also costs the recogniser a 1000-px line
        if 12 <= y1 - y0 <= max_height_frac * h and cols[-1] - cols[0] > 0.15 * w:
            x0, x1 = max(0, cols[0] - 6), min(w, cols[-1] + 7)
            p = max(3, (y1 - y0) // 4)
            bands.append(rgb[max(0, y0 - p):min(h, y1 + p), x0:x1])
    return bands


def un_numbers(text: str) -> list[str]:
    """UN numbers written in ``text`` ('UN 3480', 'UN3O90' -> 'UN3090')."""
    return [f"UN{m.translate(_DIGIT_FIX)}" for m in UN_RE.findall(text.upper())]


def has_phone_number(text: str) -> bool:
    """A telephone number (7+ digits apart from UN numbers) or a 'call ...' line."""
    upper = text.upper()
    without_un = UN_RE.sub(" ", upper)
    for m in PHONE_RE.findall(without_un):
        if sum(ch.isdigit() for ch in m) >= 7:
            return True
    return any(w in upper for w in PHONE_WORDS)
