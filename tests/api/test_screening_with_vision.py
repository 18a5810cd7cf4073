"""End to end with the real vision engine: photo → screening → released, or inspection task."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from customs.vision_screener import vision_screener
from tests.api.conftest import FILING, World, make_settings, running_app
from vision.synth.design import CartonDesign, FaceVariant, render_face
from vision.synth.scene import encode_jpeg, render_photo

DESIGN = CartonDesign.random(4242, un_numbers=("UN3480",), transport_mode="sea",
                             requires_9a=True)


def _reference() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(render_face(DESIGN, 2.0)).save(buffer, "PNG")
    return buffer.getvalue()


def _photo(variant: FaceVariant, seed: int = 7) -> bytes:
    rgb, _ = render_photo(DESIGN, variant, seed, size=(2000, 1500))
    return encode_jpeg(rgb, 90)


@pytest.fixture
def vision_world(database_url: str, tmp_path: Path) -> Iterator[World]:
    settings = make_settings(database_url, tmp_path / "data", screening_engine="vision",
                             sampling_rate_advanced=0.0)
    with running_app(settings) as client:
        worker = client.app.state.in_process_worker  # type: ignore[attr-defined]
        assert worker.context.screener is vision_screener
        yield World(client, settings)


def _declare_with_photo(world: World, photo: bytes) -> dict:  # type: ignore[type-arg]
    filing = world.exporter_a.post("/filings", json=FILING).json()
    face = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                 files={"file": ("front.png", _reference(), "image/png")}).json()
    # a flat design file: the whole image is the face (the exporter drags the corners there)
    w, h = face["width"], face["height"]
    whole = world.exporter_a.post(f"/filings/{filing['id']}/photos/{face['id']}/quad",
                                  json={"corners": [[0, 0], [w, 0], [w, h], [0, h]]})
    assert whole.status_code == 200, whole.text
    world.officer.post(f"/filings/{filing['id']}/approve", json={"photo_ids": [face["id"]]})
    declaration = world.submitted(filing_id=filing["id"])
    response = world.upload_packing_photo(declaration["id"], photo)
    assert response.status_code == 202, response.text
    return world.exporter_a.get(f"/declarations/{declaration['id']}").json()


def test_clean_packing_photo_is_released_in_seconds_with_a_certificate(
        vision_world: World) -> None:
    declaration = _declare_with_photo(vision_world, _photo(FaceVariant()))
    screening = vision_world.exporter_a.get(
        f"/declarations/{declaration['id']}/screening").json()
    assert screening["vision_decision"] == "release", screening["reasons"]
    assert declaration["status"] == "RELEASED"
    assert screening["channel"] == "green"
    links = vision_world.exporter_a.get(f"/declarations/{declaration['id']}/certificate").json()
    assert vision_world.anonymous.get(f"/certificates/{links['certificate_no']}/verify"
                                      ).json()["valid"] is True


def test_wrong_un_number_on_the_mark_goes_to_inspection_with_evidence(
        vision_world: World) -> None:
    declaration = _declare_with_photo(vision_world,
                                      _photo(FaceVariant(mark_un_numbers=("UN3481",))))
    assert declaration["status"] == "INSPECTION_REQUIRED"
    screening = vision_world.exporter_a.get(
        f"/declarations/{declaration['id']}/screening").json()
    codes = [r["code"] for r in screening["reasons"]]
    assert "un_number_mismatch" in codes
    evidence = vision_world.exporter_a.get(screening["evidence_urls"][0])
    assert evidence.status_code == 200 and evidence.content.startswith(b"\x89PNG")
    task = vision_world.officer.get("/inspections").json()["items"][0]
    assert any("UN3481" in reason for reason in task["reasons"])


def test_reused_photo_for_another_declaration_is_flagged(vision_world: World) -> None:
    photo = _photo(FaceVariant())
    _declare_with_photo(vision_world, photo)
    second = _declare_with_photo(vision_world, photo)
    screening = vision_world.exporter_a.get(f"/declarations/{second['id']}/screening").json()
    assert second["status"] == "INSPECTION_REQUIRED"
    assert any("reuse" in r["code"] for r in screening["reasons"]), screening["reasons"]


def _cropped_copy(photo: bytes) -> bytes:
    """The photo cropped on three sides, scaled down and saved again: another file whose hash
    is 60+ bits away."""
    image = Image.open(io.BytesIO(photo))
    w, h = image.size
    buffer = io.BytesIO()
    image.crop((int(w * 0.1), int(h * 0.02), w, int(h * 0.92))).resize(
        (int(w * 0.54), int(h * 0.54))).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def test_a_cropped_and_resaved_copy_of_another_declarations_photo_is_flagged(
        vision_world: World) -> None:
    """Not the same file (the exact-file check misses it) and a hash 60+ bits away: the
    screening fetches the nearest earlier photos from storage and compares the pixels."""
    photo = _photo(FaceVariant())
    _declare_with_photo(vision_world, photo)
    second = _declare_with_photo(vision_world, _cropped_copy(photo))
    screening = vision_world.exporter_a.get(f"/declarations/{second['id']}/screening").json()
    assert second["status"] == "INSPECTION_REQUIRED"
    reused = [r for r in screening["reasons"] if r["code"] == "reused_photo"]
    assert reused and "copy" in reused[0]["message"], screening["reasons"]


def test_a_screening_still_decides_when_the_earlier_photo_is_gone_from_storage(
        vision_world: World, tmp_path: Path) -> None:
    """The pixel check fetches earlier photos outside the transaction; one swept meanwhile
    leaves the hash to decide instead of failing the screening."""
    photo = _photo(FaceVariant())
    first = _declare_with_photo(vision_world, photo)
    [earlier] = vision_world.exporter_a.get(f"/declarations/{first['id']}/photos").json()
    next((tmp_path / "data").rglob(earlier["sha256"])).unlink()
    second = _declare_with_photo(vision_world, _cropped_copy(photo))
    screening = vision_world.exporter_a.get(f"/declarations/{second['id']}/screening").json()
    assert second["status"] in {"RELEASED", "INSPECTION_REQUIRED"}
    codes = {r["code"] for r in screening["reasons"]}
    assert not codes & {"vision_error", "check_failed"}, screening["reasons"]
