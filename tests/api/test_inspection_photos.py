"""Photos the officer takes during an inspection are stored as evidence of its result."""

import hashlib
import io
import re

from PIL import Image
from sqlmodel import Session

from customs import cleanup
from tests.api.conftest import PASSWORD, World
from tests.api.images import jpeg_bytes


def _task(world: World) -> tuple[dict, int]:  # type: ignore[type-arg]
    declaration = world.screened(remote_inspection_ok=True)
    task_id = world.officer.get("/inspections").json()["items"][0]["id"]
    return declaration, task_id


def _upload(world: World, task_id: int, data: bytes):  # type: ignore[no-untyped-def]
    return world.officer.post(f"/inspections/{task_id}/photos",
                              files={"file": ("call.jpg", data, "image/jpeg")})


def test_a_result_photo_is_stored_listed_and_audited(world: World) -> None:
    declaration, task_id = _task(world)
    data = jpeg_bytes(seed=41)
    response = _upload(world, task_id, data)
    assert response.status_code == 201, response.text
    sha = response.json()["sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", sha)
    again = _upload(world, task_id, data)
    assert again.json()["evidence_sha256s"] == [sha]  # the same photo is kept once
    assert world.officer.get(f"/inspections/{task_id}").json()["evidence_sha256s"] == [sha]
    photo = world.officer.get(f"/inspections/{task_id}/photos/{sha}")
    # the stored photo is the checked one (metadata stripped), addressed by its own hash
    assert photo.status_code == 200 and hashlib.sha256(photo.content).hexdigest() == sha
    assert Image.open(io.BytesIO(photo.content)).size == Image.open(io.BytesIO(data)).size
    assert photo.headers["content-type"] == "image/jpeg"
    events = world.officer.get(f"/declarations/{declaration['id']}/events").json()
    assert [e["evidence"] for e in events if e["action"] == "inspection_photo"] == [[sha]]


def test_result_photos_survive_the_orphan_sweep(world: World) -> None:
    _, task_id = _task(world)
    sha = _upload(world, task_id, jpeg_bytes(seed=42)).json()["sha256"]
    with Session(world.engine) as session:
        assert sha in cleanup.referenced_blobs(session)


def test_only_the_owning_exporter_and_officers_see_result_photos(world: World) -> None:
    _, task_id = _task(world)
    sha = _upload(world, task_id, jpeg_bytes(seed=43)).json()["sha256"]
    assert world.exporter_a.get(f"/inspections/{task_id}/photos/{sha}").status_code == 200
    assert world.exporter_b.get(f"/inspections/{task_id}/photos/{sha}").status_code == 404
    assert world.officer.get(f"/inspections/{task_id}/photos/{'0' * 64}").status_code == 404
    assert world.exporter_a.post(f"/inspections/{task_id}/photos", files={
        "file": ("x.jpg", jpeg_bytes(seed=44), "image/jpeg")}).status_code == 403


def test_a_file_that_is_not_a_photo_is_refused(world: World) -> None:
    _, task_id = _task(world)
    response = _upload(world, task_id, b"not an image at all")
    assert response.status_code == 415 and response.json()["code"] == "not_an_image"
    assert "JPEG, PNG or WebP" in response.json()["detail"]


def test_no_photos_once_the_result_is_recorded(world: World) -> None:
    _, task_id = _task(world)
    result = world.officer.post(f"/inspections/{task_id}/result", json={"outcome": "fail"})
    assert result.status_code == 200, result.text
    late = _upload(world, task_id, jpeg_bytes(seed=45))
    assert late.status_code == 409 and late.json()["code"] == "inspection_closed"


def test_officer_captures_a_photo_on_the_inspection_page_and_sees_it_on_the_trail(
        world: World) -> None:
    declaration, task_id = _task(world)
    world.client.get("/lang/en")
    login = world.client.post("/login", data={"username": "officer", "password": PASSWORD},
                              follow_redirects=False)
    assert login.status_code == 303
    page = world.client.get(f"/officer/inspections/{task_id}").text
    assert re.search(r'<input type="file" name="file"[^>]*capture="environment"', page)
    saved = world.client.post(f"/officer/inspections/{task_id}/photos",
                              files={"file": ("cam.jpg", jpeg_bytes(seed=46), "image/jpeg")},
                              follow_redirects=True)
    assert saved.status_code == 200 and "Photo saved as evidence of the result." in saved.text
    src = re.search(r'<img src="(/files/inspections/\d+/photos/[0-9a-f]{64})"', saved.text)
    assert src is not None and world.client.get(src.group(1)).status_code == 200
    trail = world.client.get(f"/officer/declarations/{declaration['id']}").text
    assert 'data-testid="inspection-evidence"' in trail and src.group(1) in trail
