"""Crafted packing photos for the vision tests, rendered on the fly with a fixed seed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import cv2
import pytest
from PIL import Image

from vision.schema import DeclaredData, FilingReference
from vision.synth.design import CartonDesign, FaceVariant, render_face
from vision.synth.scene import encode_jpeg, render_photo

SIZE = (2000, 1500)
SEED = 4242


@pytest.fixture(autouse=True)
def _opencv_rng() -> None:
    """OpenCV's global RNG (sensor noise in the renders, GrabCut's k-means) is reset per
    test, so that a test's outcome does not depend on how many photos earlier tests drew."""
    cv2.setRNGSeed(12345)


@pytest.fixture(scope="session")
def design() -> CartonDesign:
    return CartonDesign.random(SEED, un_numbers=("UN3480",), transport_mode="sea",
                               requires_9a=True)


@pytest.fixture(scope="session")
def reference_png(design: CartonDesign) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(render_face(design, 2.0)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def filing(design: CartonDesign, reference_png: bytes) -> FilingReference:
    return FilingReference(id="F-TEST", un_numbers=("UN3480",), transport_mode="sea",
                           requires_9a=True, packing_instruction="P903",
                           reference_photos={"front": reference_png})


@pytest.fixture(scope="session")
def declared() -> DeclaredData:
    return DeclaredData(un_numbers=("UN3480",), transport_mode="sea", package_count=10,
                        gross_weight_kg=240.0)


PhotoMaker = Callable[..., bytes]


@pytest.fixture(scope="session")
def make_photo(design: CartonDesign) -> PhotoMaker:
    cache: dict[tuple, bytes] = {}

    def make(variant: FaceVariant | None = None, seed: int = 7, blur: float | None = None,
             other_design: CartonDesign | None = None, exif_rotate: bool = False) -> bytes:
        v = variant or FaceVariant()
        key = (repr(v), seed, blur, repr(other_design), exif_rotate)
        if key not in cache:
            rgb, _ = render_photo(other_design or design, v, seed, size=SIZE, blur_sigma=blur)
            cache[key] = encode_jpeg(rgb, 90, exif_rotate=exif_rotate)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def clean_photo(make_photo: PhotoMaker) -> bytes:
    return make_photo()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def _write(name: str, data: bytes) -> Path:
        p = tmp_path / name
        p.write_bytes(data)
        return p

    return _write
