"""OCR with RapidOCR (PP-OCR ONNX weights bundled in the wheel), loaded once per process."""

from __future__ import annotations

import logging
import re
from threading import Lock
from typing import Any

import numpy as np

_engine: Any = None
_lock = Lock()
UN_RE = re.compile(r"U\s*N\s*[-:]?\s*([0-9OIlSB]{4})")
PHONE_RE = re.compile(r"(?:\+|\b00)?\d[\d\s\-()]{6,}\d")
PHONE_WORDS = ("CALL", "TEL", "PHONE", "INFORMATION")
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
