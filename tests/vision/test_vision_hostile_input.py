"""Corrupt, truncated and hostile uploads give a clear answer and never crash."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from vision import DeclaredData, FilingReference, VisionInputError, check, perceptual_hash


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 900), (120, 100, 80)).save(buf, "GIF")
    return buf.getvalue()


def _tiny_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 100, 80)).save(buf, "JPEG")
    return buf.getvalue()


HOSTILE = {
    "empty": b"",
    "text": b"definitely not an image",
    "random": bytes(range(256)) * 40,
    "png_bomb_header": _png_header(200_000, 200_000),
    "gif": _gif(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bytes_ask_for_a_new_photo(name: str, filing: FilingReference,
                                           declared: DeclaredData) -> None:
    result = check(HOSTILE[name], filing, declared)
    assert result.decision == "retake_photo"
    assert result.reasons and result.reasons[0].code in {
        "empty_image", "corrupt_image", "image_too_large", "unsupported_format"}
    assert result.evidence_png is None


def test_truncated_jpeg_is_a_clear_retake(clean_photo: bytes, filing: FilingReference,
                                          declared: DeclaredData) -> None:
    result = check(clean_photo[: len(clean_photo) // 3], filing, declared)
    assert result.decision in {"retake_photo", "inspect"}
    assert result.decision != "release"


def test_too_small_photo_asks_for_full_resolution(filing: FilingReference,
                                                  declared: DeclaredData) -> None:
    result = check(_tiny_jpeg(), filing, declared)
    assert result.decision == "retake_photo"
    assert "low_resolution" in [r.code for r in result.reasons]


@pytest.mark.parametrize("name", ["empty", "text", "png_bomb_header"])
def test_perceptual_hash_raises_a_typed_error(name: str) -> None:
    with pytest.raises(VisionInputError) as info:
        perceptual_hash(HOSTILE[name])
    assert info.value.code


def test_hamming_distance() -> None:
    from vision import hamming

    assert hamming("ffff0000ffff0000", "ffff0000ffff0000") == 0
    assert hamming("0000000000000000", "000000000000000f") == 4
    assert hamming("0" * 64, "f" * 64) == 256
