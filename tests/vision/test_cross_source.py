"""What must carry across photo sources: a softer camera, other light and JPEG do not
change the verdict on a clean carton; local damage or a covered label still does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import cv2
import numpy as np
import pytest

from vision import DeclaredData, FilingReference, check
from vision.params import DEFAULT_PARAMS
from vision.quality import blur_width
from vision.registration import layout_agreement
from vision.synth.design import CartonDesign, FaceVariant, render_face
from vision.synth.scene import encode_jpeg, render_photo

AFTER = date(2027, 1, 15)
SIZE = (2000, 1500)


def _other_camera(rgb: np.ndarray, sigma: float = 2.4,
                  gain: tuple[float, float, float] = (0.8, 0.8, 0.95), quality: int = 65
                  ) -> bytes:
    """The same scene through a softer lens, a cooler, darker exposure and harder JPEG."""
    x = cv2.GaussianBlur(rgb, (0, 0), sigma).astype(np.float32) * np.array(gain, np.float32)
    return encode_jpeg(np.clip(x, 0, 255).astype(np.uint8), quality)


@pytest.fixture(scope="module")
def soft_photos(design: CartonDesign) -> Callable[[FaceVariant], bytes]:
    cache: dict[str, bytes] = {}

    def make(variant: FaceVariant) -> bytes:
        if repr(variant) not in cache:
            rgb, _ = render_photo(design, variant, 7, size=SIZE)
            cache[repr(variant)] = _other_camera(rgb)
        return cache[repr(variant)]

    return make


def test_same_carton_from_a_softer_camera_in_other_light_is_released(
        soft_photos: Callable[[FaceVariant], bytes], filing: FilingReference,
        declared: DeclaredData) -> None:
    result = check(soft_photos(FaceVariant()), filing, declared, today=AFTER)
    assert result.decision == "release", result.to_dict()
    # soft but usable: edges about 1 px wide at 1000 px, under the blur limit
    assert 0.3 < result.scores["quality_blur_px"] < DEFAULT_PARAMS.max_blur_px
    assert result.scores["design_layout"] >= DEFAULT_PARAMS.min_design_layout


@pytest.mark.parametrize("variant", [FaceVariant(cover="mark"), FaceVariant(damage=True)],
                         ids=["covered_mark", "damaged_carton"])
def test_local_damage_or_cover_still_raises_appearance_through_a_softer_camera(
        soft_photos: Callable[[FaceVariant], bytes], filing: FilingReference,
        declared: DeclaredData, variant: FaceVariant) -> None:
    result = check(soft_photos(variant), filing, declared, today=AFTER)
    codes = {r.code for r in result.reasons}
    assert result.decision == "inspect"
    assert "appearance_anomaly" in codes
    assert "design_mismatch" not in codes  # still recognised as the filed design
    clean = check(soft_photos(FaceVariant()), filing, declared, today=AFTER)
    assert result.scores["anomaly"] > clean.scores["anomaly"] + 0.15


def test_shaken_photo_asks_for_a_retake(make_photo: Callable[..., bytes],
                                        filing: FilingReference,
                                        declared: DeclaredData) -> None:
    rgb = cv2.imdecode(np.frombuffer(make_photo(), np.uint8), cv2.IMREAD_COLOR)
    k = 41  # a 41-px streak on a 2000-px photo (about 80 px at 12 MP)
    kernel = np.zeros((k, k), np.float32)
    kernel[k // 2] = 1.0
    kernel = cv2.warpAffine(kernel, cv2.getRotationMatrix2D((k / 2, k / 2), 30, 1), (k, k))
    shaken = cv2.filter2D(rgb, -1, kernel / kernel.sum())
    _ok, jpeg = cv2.imencode(".jpg", shaken, [cv2.IMWRITE_JPEG_QUALITY, 90])
    result = check(jpeg.tobytes(), filing, declared, today=AFTER)
    assert result.decision == "retake_photo"
    assert "blurred" in {r.code for r in result.reasons}


def test_blur_width_measures_the_blur_whatever_the_contrast() -> None:
    rng = np.random.default_rng(3)
    img = np.full((600, 800), 90, np.float32)
    for _ in range(40):  # random rectangles: straight edges in every direction
        x, y = rng.integers(0, 700), rng.integers(0, 500)
        cv2.rectangle(img, (int(x), int(y)), (int(x + rng.integers(30, 120)),
                                              int(y + rng.integers(30, 120))),
                      float(rng.integers(0, 255)), -1)
    for sigma in (1.5, 3.0):
        blurred = cv2.GaussianBlur(img, (0, 0), sigma)
        for contrast in (1.0, 0.3):
            low = (blurred - 90) * contrast + 90
            assert abs(blur_width(low.astype(np.uint8)) - sigma) < 0.5


def test_layout_agreement_tells_another_design_from_the_same_one_in_other_light(
        design: CartonDesign) -> None:
    face = cv2.cvtColor(render_face(design, 1.0), cv2.COLOR_RGB2GRAY)
    other = CartonDesign.random(99, un_numbers=("UN3480",), transport_mode="sea",
                                requires_9a=True)
    other_face = cv2.resize(cv2.cvtColor(render_face(other, 1.0), cv2.COLOR_RGB2GRAY),
                            face.shape[::-1])
    ramp = np.linspace(0.6, 1.1, face.shape[1], dtype=np.float32)[None, :]
    relit = np.clip(cv2.GaussianBlur(face, (0, 0), 1.5) * ramp, 0, 255).astype(np.uint8)
    mask = np.ones(face.shape, bool)
    assert layout_agreement(relit, face, mask) > 0.85
    assert layout_agreement(other_face, face, mask) < 0.6
