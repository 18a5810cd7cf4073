"""Chinese throughout: pages in zh-CN never show a service's English sentence, and API errors
carry the code's Chinese sentence next to the English detail."""

import re

from fastapi.testclient import TestClient

from customs.messages import CATALOGUE
from models import VisionDecision
from routes.pages.forms import VALIDATION_ZH
from tests.api.conftest import Api, World
from tests.api.images import jpeg_bytes
from tests.api.test_release_flow import fake_screener

ENGLISH_SENTENCES = [english for english, _ in CATALOGUE.values()]
SPECIFIC_REASON = "the mark reads UN3481, the declaration says UN3480"


def browser_as(world: World, api: Api, lang: str = "zh-CN") -> TestClient:
    client = world.client
    client.cookies.set("clearlane_token", api.headers["Authorization"].removeprefix("Bearer "))
    client.cookies.set("clearlane_lang", lang)
    return client


def visible_text(html: str) -> str:
    """What a reader sees: tags, scripts, attribute values and collapsed <details> (the audit
    trail's original English record, opened on demand) removed."""
    html = re.sub(r"<(script|style|details)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_no_service_english(html: str, *extra: str) -> None:
    seen = visible_text(html)
    leaked = [s for s in (*ENGLISH_SENTENCES, *extra) if s in seen]
    assert not leaked, f"English service text on a zh-CN page: {leaked}"


def test_screening_reasons_show_in_chinese_on_the_exporters_page(world: World) -> None:
    world.use_screener(fake_screener(VisionDecision.inspect,
                                     ("un_number_mismatch", SPECIFIC_REASON)))
    declaration = world.submitted(filing_id=world.approved_filing())
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=3))
    page = browser_as(world, world.exporter_a).get(
        f"/exporter/declarations/{declaration['id']}")
    assert page.status_code == 200
    assert "包装上的 UN 编号与报关单不一致" in page.text
    assert "装箱照片核查发现异常" in page.text, "the risk rule's reason, translated"
    assert_no_service_english(page.text, SPECIFIC_REASON,
                              "the packing-photo check found an anomaly")


def test_the_same_page_in_english_keeps_the_specific_reason(world: World) -> None:
    world.use_screener(fake_screener(VisionDecision.inspect,
                                     ("un_number_mismatch", SPECIFIC_REASON)))
    declaration = world.submitted(filing_id=world.approved_filing())
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=4))
    page = browser_as(world, world.exporter_a, "en").get(
        f"/exporter/declarations/{declaration['id']}")
    assert SPECIFIC_REASON in page.text


def test_a_refused_action_shows_its_reason_in_chinese(world: World) -> None:
    declaration = world.submitted()
    browser = browser_as(world, world.exporter_a)
    page = browser.post(f"/exporter/declarations/{declaration['id']}/submit")
    assert page.status_code == 409
    assert CATALOGUE["illegal_transition"][1] in page.text
    assert_no_service_english(page.text, "it cannot become SUBMITTED")


def test_form_validation_errors_are_in_chinese(world: World) -> None:
    page = browser_as(world, world.exporter_a).post("/exporter/filings", data={"title": ""})
    assert page.status_code == 422
    assert VALIDATION_ZH["missing"] in page.text or "至少" in page.text
    assert "Field required" not in visible_text(page.text)
    assert "String should have" not in visible_text(page.text)


def test_port_pages_in_chinese_show_no_english_service_text(world: World) -> None:
    world.screened()
    browser = browser_as(world, world.port)
    lookup = browser.post("/port", data={"numbers": "CSQU3054384\nCSQU3054383"})
    assert "集装箱号无效" in lookup.text
    assert_no_service_english(lookup.text, "fails the ISO 6346 check")
    vessel = browser.get("/port/vessel", params={"vessel": "COSCO XIAMEN", "voyage": "041E"})
    assert "海关查检尚未完成" in vessel.text
    assert_no_service_english(vessel.text, "customs inspection not finished")


def test_api_errors_keep_the_english_detail_and_add_chinese(world: World) -> None:
    response = world.port.get("/clearance", params={"container_no": "CSQU3054384"})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid_container_no"
    assert "check digit should be 3" in body["detail"]
    assert body["detail_zh"] == CATALOGUE["invalid_container_no"][1]


def test_every_domain_error_code_in_the_code_has_a_chinese_sentence() -> None:
    """A new `code="..."` in customs/ without an entry in customs/messages.py fails here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "customs"
    codes = set()
    for path in root.glob("*.py"):
        codes |= set(re.findall(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8")))
        codes |= set(re.findall(r'^    code = "([a-z_]+)"', path.read_text(encoding="utf-8"),
                                flags=re.M))
    missing = sorted(codes - set(CATALOGUE))
    assert not missing, f"codes without zh-CN/en text in customs/messages.py: {missing}"
