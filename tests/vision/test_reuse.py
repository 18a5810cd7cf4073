"""The reuse stage: a copy of an earlier photo, cropped, rescaled, turned, mirrored or
re-encoded, is told apart from another photo of the same carton by comparing the two pixel
by pixel once aligned, where the hash alone cannot."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from vision import DeclaredData, FilingReference, check, hamming, perceptual_hash
from vision.calibrate import replay
from vision.cli import main
from vision.imageio import load_rgb
from vision.params import DEFAULT_PARAMS
from vision.reuse import copy_match
from vision.thresholds import MAX_REUSE_HAMMING, MIN_COPY_AGREEMENT

PhotoMaker = Callable[..., bytes]
AFTER = date(2027, 1, 15)
CARTONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "cartons"


def _copy(photo: bytes, crop: tuple[float, float, float, float], scale: float, gamma: float,
          turns: int, mirror: bool, quality: int) -> bytes:
    """What a re-user does to an earlier photo: crops each side, scales, brightens, turns,
    mirrors and saves it again."""
    img = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
    h, w = img.shape[:2]
    left, top, right, bottom = crop
    img = img[int(h * top):int(h * (1 - bottom)), int(w * left):int(w * (1 - right))]
    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    img = np.clip(255 * (img / 255.0) ** gamma, 0, 255).astype(np.uint8)
    img = np.ascontiguousarray(np.rot90(img, turns))
    if mirror:
        img = np.ascontiguousarray(img[:, ::-1])
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def _reasons(result: object) -> dict[str, str]:
    return {r.code: r.message for r in result.reasons}  # type: ignore[attr-defined]


def test_a_cropped_rescaled_reencoded_copy_is_flagged_though_its_hash_moved_away(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    copy = _copy(clean_photo, (0.10, 0.02, 0.0, 0.08), 0.6, 0.8, 0, False, 70)
    earlier = perceptual_hash(clean_photo)
    assert hamming(perceptual_hash(copy), earlier) > MAX_REUSE_HAMMING  # the hash misses it
    result = check(copy, filing, declared, history_hashes=[earlier], today=AFTER,
                   history_photo={earlier: clean_photo}.get)
    assert result.decision == "inspect"
    assert "copy" in _reasons(result)["reused_photo"]
    assert result.scores["reuse_copy_agreement"] >= MIN_COPY_AGREEMENT


def test_a_turned_and_mirrored_copy_is_flagged(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    copy = _copy(clean_photo, (0.0, 0.05, 0.05, 0.0), 0.8, 1.2, 1, True, 80)
    earlier = perceptual_hash(clean_photo)
    result = check(copy, filing, declared, history_hashes=[earlier], today=AFTER,
                   history_photo={earlier: clean_photo}.get)
    assert "reused_photo" in _reasons(result)


def test_another_photo_of_the_same_carton_is_not_a_copy(
        make_photo: PhotoMaker, clean_photo: bytes, filing: FilingReference,
        declared: DeclaredData) -> None:
    other = make_photo(seed=8)
    earlier = perceptual_hash(other)
    result = check(clean_photo, filing, declared, history_hashes=[earlier], today=AFTER,
                   history_photo={earlier: other}.get)
    assert "reused_photo" not in _reasons(result)
    assert result.scores["reuse_copy_agreement"] < MIN_COPY_AGREEMENT


def test_without_the_earlier_photo_the_hash_alone_decides(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    copy = _copy(clean_photo, (0.10, 0.02, 0.0, 0.08), 0.6, 0.8, 0, False, 70)
    earlier = perceptual_hash(clean_photo)
    result = check(copy, filing, declared, history_hashes=[earlier], today=AFTER,
                   history_photo=lambda _hash: None)  # swept from storage meanwhile
    assert "reuse_copy_agreement" not in result.scores
    assert "reused_photo" not in _reasons(result)


def test_a_near_hash_is_not_a_reuse_when_the_pixels_disagree(
        make_photo: PhotoMaker, clean_photo: bytes, filing: FilingReference,
        declared: DeclaredData) -> None:
    # the nearest earlier photo by hash is another photo of the same carton (held-out source B
    # renders them as near as 36 bits; the hash limit is 59)
    near = perceptual_hash(clean_photo)
    result = check(clean_photo, filing, declared, history_hashes=[near], today=AFTER,
                   history_photo={near: make_photo(seed=8)}.get)
    assert "reused_photo" not in _reasons(result)
    assert result.scores["reuse_hamming"] <= MAX_REUSE_HAMMING


def test_calibration_replay_lets_the_pixel_check_decide_where_it_ran() -> None:
    def reused(scores: dict[str, float]) -> bool:
        return "reused_photo" in replay(scores, ["reused_photo"], DEFAULT_PARAMS)[1]

    assert reused({"reuse_hamming": 110.0, "reuse_copy_agreement": 0.99})
    assert not reused({"reuse_hamming": 110.0, "reuse_copy_agreement": 0.8})
    assert not reused({"reuse_hamming": 40.0, "reuse_copy_agreement": 0.8})
    assert reused({"reuse_hamming": 40.0})  # the earlier photo was gone: the hash decides


@pytest.mark.parametrize(("first", "second"), [
    ("PXL_20201101_154110239", "PXL_20201101_154113387"),  # 3 s apart, same carton and floor
    ("PXL_20201107_191145720", "PXL_20201107_191147238"),
])
def test_two_real_photos_of_the_same_carton_seconds_apart_are_not_copies(
        first: str, second: str) -> None:
    if not CARTONS.exists():
        pytest.skip("shared/data/cartons is not available")
    a, b = (load_rgb(next(CARTONS.glob(f"{name}*.jpg")), 1000) for name in (first, second))
    assert copy_match(a, b).agreement < MIN_COPY_AGREEMENT


def test_a_copy_of_a_real_photo_agrees_pixel_for_pixel() -> None:
    if not CARTONS.exists():
        pytest.skip("shared/data/cartons is not available")
    path = next(CARTONS.glob("IMG_6820*.jpg"))
    copy = _copy(path.read_bytes(), (0.04, 0.11, 0.07, 0.01), 0.45, 1.3, 2, False, 60)
    original = load_rgb(path, 1000)
    match = copy_match(load_rgb(copy, 1000), original)
    assert match.agreement >= MIN_COPY_AGREEMENT and match.overlap > 0.9


def test_cli_batch_finds_a_cropped_copy_among_the_history_files(
        tmp_path: Path, clean_photo: bytes, reference_png: bytes,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "front.png").write_bytes(reference_png)
    (tmp_path / "old.jpg").write_bytes(clean_photo)
    (tmp_path / "new.jpg").write_bytes(
        _copy(clean_photo, (0.10, 0.02, 0.0, 0.08), 0.6, 0.8, 0, False, 70))
    case = {"photo": "new.jpg", "history": ["old.jpg"],
            "filing": {"id": "F1", "un_numbers": ["UN3480"], "transport_mode": "sea",
                       "provision": "fully_regulated", "reference_photos": {"front": "front.png"}},
            "declared": {"un_numbers": ["UN3480"], "transport_mode": "sea"}}
    (tmp_path / "cases.jsonl").write_text(json.dumps(case) + "\n")
    assert main(["check", "--batch", str(tmp_path / "cases.jsonl"), "--today", "2027-01-15"]) == 0
    result = json.loads(capsys.readouterr().out)
    reason = next(r for r in result["reasons"] if r["code"] == "reused_photo")
    assert "copy" in reason["message"]
