"""Perceptual hash for the reuse stage: DCT pHash with 256 bits (the 16x16 lowest
frequencies of a 64x64 thumbnail). On the calibration split the 64-bit pHash could not tell a
re-encoded, cropped copy (up to 10 bits) from another photo of the same carton (from 10 bits);
256 bits separate them (copies <= 50, other photos >= 68)."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from vision.imageio import decode_photo

HASH_BITS = 256


def phash_rgb(rgb: np.ndarray) -> str:
    """256-bit DCT hash of an RGB array, as 64 hex digits."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(gray, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32)
    dct = cv2.dct(small)[:16, :16].flatten()
    bits = dct > np.median(dct[1:])
    bits[0] = dct[0] > 0
    value = 0
    for b in bits:
        value = (value << 1) | int(b)
    return f"{value:064x}"


def perceptual_hash(image_bytes: bytes) -> str:
    """pHash of an encoded photo (EXIF orientation applied). Raises VisionInputError."""
    return phash_rgb(decode_photo(image_bytes, long_side=512).rgb)


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def nearest(hash_: str, others: Iterable[str]) -> tuple[int, str | None]:
    """Smallest Hamming distance to ``others`` (HASH_BITS and None when there are none)."""
    best, best_hash = HASH_BITS, None
    for other in others:
        if len(other) != len(hash_):
            continue  # a hash of another kind or length is not comparable
        try:
            d = hamming(hash_, other)
        except ValueError:
            continue
        if d < best:
            best, best_hash = d, other
    return best, best_hash
