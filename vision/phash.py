"""Perceptual hash for the reuse stage: DCT pHash with 256 bits (the 16x16 lowest
frequencies of a 64x64 thumbnail). On the calibration split the 64-bit pHash could not tell a
re-encoded, cropped copy (up to 10 bits) from another photo of the same carton (from 10 bits);
256 bits separate them (copies <= 50, other photos >= 68)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


def ranked(variants: Sequence[str], others: Iterable[str]) -> list[tuple[int, str]]:
    """The ``others`` with their smallest Hamming distance to any of ``variants`` (one photo
    turned or mirrored), nearest first. A hash of another kind or length, or not hex, is not
    comparable and left out."""
    out = []
    for other in set(others):
        if len(other) != len(variants[0]):
            continue
        try:
            out.append((min(hamming(v, other) for v in variants), other))
        except ValueError:
            continue
    return sorted(out)
