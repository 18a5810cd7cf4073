"""Reference photos an exporter can act on: a filing photo whose face outline lies on the
photo's edge asks for the photo again, an outline the photo check was unsure of is shown to
the exporter (and the officer) until the exporter checks it, and an approved (locked) filing
whose reference face turned out wrong is filed again from its page, the new filing naming the
one it replaces."""

import re
from typing import Any

from tests.api.conftest import FILING, World
from tests.api.images import carton_face_jpeg, jpeg_bytes
from tests.api.test_chinese_pages import browser_as


def _front_photo(world: World, filing: int, photo: bytes) -> dict[str, Any]:
    """Exporter A files ``photo`` as the filing's front face; the stored photo as returned."""
    return world.exporter_a.post(f"/filings/{filing}/photos", data={"face": "front"},
                                 files={"file": ("f.jpg", photo, "image/jpeg")}).json()


def test_exporter_files_a_locked_design_again_from_its_page(world: World) -> None:
    old = world.approved_filing()
    browser = browser_as(world, world.exporter_a, "en")
    page = browser.get(f"/exporter/filings/{old}").text
    assert 'data-testid="file-again"' in page and f"/exporter/filings?again={old}" in page
    form = browser.get(f"/exporter/filings?again={old}").text
    assert f'name="replaces_filing_id" value="{old}"' in form
    assert f'value="{FILING["title"]}"' in form and 'value="UN3480"' in form
    created = browser.post("/exporter/filings", follow_redirects=False, data={
        "title": FILING["title"], "un_numbers": "UN3480", "packing_instruction": "P903",
        "transport_mode": "sea", "provision": "fully_regulated",
        "replaces_filing_id": str(old)})
    assert created.status_code == 303, created.text
    new = int(re.search(r"/exporter/filings/(\d+)", created.headers["location"]).group(1))  # type: ignore[union-attr]
    assert world.exporter_a.get(f"/filings/{new}").json()["replaces_filing_id"] == old
    assert f'href="/exporter/filings/{old}"' in browser.get(f"/exporter/filings/{new}").text


def test_a_pending_filing_is_edited_not_filed_again(world: World) -> None:
    pending = world.exporter_a.post("/filings", json=FILING).json()["id"]
    page = browser_as(world, world.exporter_a, "en").get(f"/exporter/filings/{pending}").text
    assert 'data-testid="file-again"' not in page


def test_an_exporter_cannot_prefill_a_filing_from_another_exporters(world: World) -> None:
    theirs = world.approved_filing(world.exporter_b)
    page = browser_as(world, world.exporter_a, "en").get(f"/exporter/filings?again={theirs}")
    assert page.status_code == 404


def test_an_outline_on_the_photos_edge_asks_for_the_photo_again(world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()["id"]
    photo = _front_photo(world, filing, jpeg_bytes(seed=5))
    url = f"/filings/{filing}/photos/{photo['id']}/quad"
    w, h = photo["width"], photo["height"]
    # the face's left side on the frame: it may run past the photo
    cut = world.exporter_a.post(url, json={"corners": [[0, h * 0.2], [w * 0.7, h * 0.2],
                                                       [w * 0.7, h * 0.8], [0, h * 0.8]]})
    assert cut.status_code == 200 and cut.json()["outline_at_edge"] is True
    page = browser_as(world, world.exporter_a, "en").get(f"/exporter/filings/{filing}").text
    assert 'data-testid="outline-at-edge"' in page
    inside = world.exporter_a.post(url, json={"corners": [[w * 0.1, h * 0.2], [w * 0.7, h * 0.2],
                                                          [w * 0.7, h * 0.8], [w * 0.1, h * 0.8]]})
    assert inside.json()["outline_at_edge"] is False
    page = browser_as(world, world.exporter_a, "en").get(f"/exporter/filings/{filing}").text
    assert 'data-testid="outline-at-edge"' not in page


def test_an_outline_the_photo_check_was_unsure_of_waits_for_the_exporter_to_check_it(
        world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()["id"]
    # rectangles of every colour: no outline stands out as the carton face
    unsure = _front_photo(world, filing, jpeg_bytes(seed=5))
    assert unsure["outline_to_check"] is True and unsure["quad"]["check"] is True

    def pages() -> tuple[str, str]:  # the exporter's and the officer's page of the filing
        return (browser_as(world, world.exporter_a, "en").get(f"/exporter/filings/{filing}").text,
                browser_as(world, world.officer, "en").get(f"/officer/filings/{filing}").text)

    exporter_page, officer_page = pages()
    assert 'data-testid="outline-to-check"' in exporter_page
    assert f'data-testid="outline-unchecked-{unsure["id"]}"' in officer_page
    # "the outline is right": the same corners saved as the exporter's
    confirmed = world.exporter_a.post(f"/filings/{filing}/photos/{unsure['id']}/quad",
                                      json={"corners": unsure["quad"]["corners"]})
    assert confirmed.status_code == 200 and confirmed.json()["outline_to_check"] is False
    exporter_page, officer_page = pages()
    assert 'data-testid="outline-to-check"' not in exporter_page
    assert "outline-unchecked" not in officer_page


def test_a_clearly_found_outline_asks_nothing_of_the_exporter(world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()["id"]
    photo = _front_photo(world, filing, carton_face_jpeg())
    assert photo["quad"]["method"] != "exporter" and photo["outline_to_check"] is False
    page = browser_as(world, world.exporter_a, "en").get(f"/exporter/filings/{filing}").text
    assert 'data-testid="outline-to-check"' not in page
