"""Bad uploads get a clear 4xx and leave neither a file nor a row behind."""

import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image
from sqlmodel import Session, func, select

from customs.storage import BlobStore
from models import FilingPhoto, PackingPhoto
from tests.api.conftest import World, make_settings, running_app
from tests.api.images import jpeg_bytes


def huge_png_header(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny file that claims 30000×30000 pixels: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


BAD_UPLOADS = {
    "empty file": (b"", 422, "empty"),
    "truncated jpeg": (jpeg_bytes()[:2000], 422, "damaged or incomplete"),
    "text named .jpg": (b"hello, this is not a photo\n" * 10, 415, "not a readable"),
    "30000x30000 png": (huge_png_header(), 422, "pixels"),
}


def _counts(world: World) -> tuple[int, int, int]:
    with Session(world.engine) as session:
        packing = session.exec(select(func.count()).select_from(PackingPhoto)).one()
        filing = session.exec(select(func.count()).select_from(FilingPhoto)).one()
    return packing, filing, BlobStore(world.settings.blob_dir).count()


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_packing_photo_is_refused_and_leaves_nothing(world: World, name: str) -> None:
    data, status, words = BAD_UPLOADS[name]
    declaration = world.submitted()
    before = _counts(world)
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                     files={"file": ("photo.jpg", data, "image/jpeg")})
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert _counts(world) == before
    after = world.exporter_a.get(f"/declarations/{declaration['id']}").json()
    assert after["status"] == "SUBMITTED"


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_reference_photo_is_refused_and_leaves_nothing(world: World, name: str) -> None:
    data, status, words = BAD_UPLOADS[name]
    filing = world.exporter_a.post("/filings", json={
        "title": "box", "un_numbers": ["UN3480"], "packing_instruction": "P903"}).json()
    before = _counts(world)
    response = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                     files={"file": ("photo.jpg", data, "image/jpeg")})
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert _counts(world) == before


def test_one_byte_over_the_size_cap_is_refused(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]


    photo = jpeg_bytes()
    settings = make_settings(database_url, tmp_path / "data", max_upload_bytes=len(photo) - 1)
    with running_app(settings) as client:
        world = World(client, settings)
        declaration = world.submitted()
        before = _counts(world)
        response = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                         files={"file": ("p.jpg", photo, "image/jpeg")})
        assert response.status_code == 413
        assert f"{len(photo) - 1:,}-byte limit" in response.json()["detail"]
        assert _counts(world) == before
        exact = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                      files={"file": ("p.jpg", photo[:-1] + b"", "image/jpeg")})
        assert exact.status_code != 413


def test_the_same_photo_twice_is_stored_once(world: World) -> None:
    photo = jpeg_bytes(seed=3)
    first = world.submitted()
    second = world.submitted()
    for declaration in (first, second):
        response = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                         files={"file": ("p.jpg", photo, "image/jpeg")})
        assert response.status_code == 202
    packing, _, blobs = _counts(world)
    assert packing == 2
    shas = {world.exporter_a.get(f"/declarations/{d['id']}/photos").json()[0]["sha256"]
            for d in (first, second)}
    assert len(shas) == 1
    assert BlobStore(world.settings.blob_dir).path_for(shas.pop()).exists()
    assert blobs >= 1


def test_an_uploaded_photo_can_be_read_back_by_its_owner(world: World) -> None:
    photo = jpeg_bytes(seed=5)
    declaration = world.submitted()
    world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                          files={"file": ("p.jpg", photo, "image/jpeg")})
    listed = world.exporter_a.get(f"/declarations/{declaration['id']}/photos").json()
    url = f"/declarations/{declaration['id']}/photos/{listed[0]['id']}"
    response = world.exporter_a.get(url)
    assert response.status_code == 200
    # stored re-encoded without metadata (tests/api/test_security_owasp.py), same picture
    assert hashlib.sha256(response.content).hexdigest() == listed[0]["sha256"]
    assert Image.open(io.BytesIO(response.content)).size == Image.open(io.BytesIO(photo)).size
    assert response.headers["content-type"] == "image/jpeg"
    assert world.exporter_b.get(url).status_code == 404
