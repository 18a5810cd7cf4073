"""Perceptual hash (DCT pHash, 64 bits) for the reuse stage."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from vision.imageio import decode_photo


def phash_rgb(rgb: np.ndarray) -> str:
    """64-bit DCT hash of an RGB array, as 16 hex digits."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(gray, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    dct = cv2.dct(small)[:8, :8].flatten()
    bits = dct[1:] > np.median(dct[1:])
    bits = np.concatenate([[dct[0] > 0], bits])
    value = 0
    for b in bits:
        value = (value << 1) | int(b)
    return f"{value:016x}"


def perceptual_hash(image_bytes: bytes) -> str:
    """pHash of an encoded photo (EXIF orientation applied). Raises VisionInputError."""
    return phash_rgb(decode_photo(image_bytes, long_side=512).rgb)


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def nearest(hash_: str, others: Iterable[str]) -> tuple[int, str | None]:
    """Smallest Hamming distance to ``others`` (64 and None when there are none)."""
    best, best_hash = 64, None
    for other in others:
        try:
            d = hamming(hash_, other)
        except ValueError:
            continue
        if d < best:
            best, best_hash = d, other
    return best, best_hash
