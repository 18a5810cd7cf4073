"""Corrupt, truncated and hostile uploads give a clear answer and never crash."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vision import DeclaredData, FilingReference, VisionInputError, check, perceptual_hash
from vision.crossbench import PERMISSIVE
from vision.realset import tampar_filing
from vision.registration import plausible_view


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


# the homography MAGSAC fitted between the TAMPAR parcel's face and a phone photo of another
# carton (shared/data/cartons/IMG_6820): it folds the whole face onto a few pixels
FOLDED = np.array([[7.8195e-01, 5.1974e-01, 3.6061e+02],
                   [2.7768e+00, 1.8054e+00, 1.3019e+03],
                   [2.1266e-03, 1.3771e-03, 1.0]])
CARTONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "cartons"


def test_a_homography_that_folds_the_face_onto_a_point_is_no_registration() -> None:
    assert not plausible_view(FOLDED, (400, 400), (600, 800))
    seen_at_an_angle = np.array([[1.1, 0.2, 80.0], [0.05, 0.9, 40.0], [2e-4, 1e-4, 1.0]])
    assert plausible_view(seen_at_an_angle, (400, 400), (600, 800))
    assert not plausible_view(seen_at_an_angle, (400, 400), (6000, 8000))  # a speck


def test_a_photo_of_another_carton_is_screened_without_crashing_the_process() -> None:
    """With OpenCV 5.1 this photo against the TAMPAR filing killed the process under the
    bench's permissive parameters (a segfault in warpPerspective, drawing the heat map with
    the folded homography); a calibration loose enough to locate the face there would have
    killed a screening worker the same way."""
    if not CARTONS.exists():
        pytest.skip("shared/data/cartons is not available")
    filing = tampar_filing(CARTONS.parent / "tampar")
    photo = next(CARTONS.glob("IMG_6820*.jpg")).read_bytes()
    declared = DeclaredData(un_numbers=("UN3481",), transport_mode="road")
    loose = check(photo, filing, declared, (), date(2027, 1, 15), params=PERMISSIVE)
    assert loose.scores["design_inliers"] == 0 and loose.evidence_png
    result = check(photo, filing, declared, (), date(2027, 1, 15))
    assert [r.code for r in result.reasons] == ["design_mismatch"]
