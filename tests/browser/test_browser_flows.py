"""Each role's main job, end to end, in headless Chromium against a real uvicorn server.

The server runs in a thread on a free localhost port with a fresh SQLite database holding the
demo data plus a few on-site inspection tasks (so the route map has somewhere to go). Each main
page is saved to docs/screenshots/ as it is visited.

Run: `.venv/bin/pytest tests/browser -m browser`. Without /usr/bin/chromium these tests skip,
except in CI (CI=true), where they fail.
"""

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from customs import certificates, declarations, filings, packing_photos
from customs.db import make_engine, session_scope
from customs.demo import DEMO_PASSWORD, load, packing_photo
from customs.inprocess_worker import InProcessWorker
from customs.screening import ScreeningContext
from customs.settings import Settings
from customs.storage import BlobStore
from customs.uploads import check_image
from models import (
    ContainerBase,
    Declaration,
    DeclarationCreate,
    FilingCreate,
    FilingPhoto,
    GoodsCategory,
    GoodsLineBase,
    User,
)
from routes.app import create_app
from tests.api.images import jpeg_bytes

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Server:
    url: str
    engine: Engine
    settings: Settings
    tmp: Path
    app: FastAPI


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _user(session: Session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def add_onsite_task(engine: Engine, settings: Settings, username: str, container: str,
                    lat: float, lon: float, category: GoodsCategory = GoodsCategory.general
                    ) -> str:
    """A declaration that screening sends to on-site inspection (no vision engine here)."""
    store = BlobStore(settings.blob_dir)
    photo = packing_photo(seed=sum(map(ord, container)))
    with session_scope(engine) as session:
        user = _user(session, username)
        declaration = declarations.create_declaration(session, user, DeclarationCreate(
            goods_category=category, remote_inspection_ok=False, vessel="COSCO XIAMEN",
            voyage="051E", inspection_address=f"Warehouse at {lat:.3f},{lon:.3f}",
            inspection_latitude=lat, inspection_longitude=lon,
            goods=[GoodsLineBase(hs_code="85076000", description="battery packs",
                                 quantity=40, gross_weight_kg=800)],
            containers=[ContainerBase(container_no=container)]))
        declarations.submit(session, user, declaration)
        assert declaration.id is not None
        packing_photos.accept_packing_photo(session, settings, store, user, declaration.id,
                                            photo)
    InProcessWorker(ScreeningContext(engine, settings, store, screener=None)).run_pending()
    return declaration.declaration_no


def add_pending_filing(engine: Engine, settings: Settings) -> int:
    store = BlobStore(settings.blob_dir)
    with session_scope(engine) as session:
        user = _user(session, "exporter")
        filing = filings.create_filing(session, user, FilingCreate(
            title="12V starter battery, 4G box", un_numbers=["UN3481"],
            proper_shipping_name="LITHIUM ION BATTERIES PACKED WITH EQUIPMENT",
            packing_instruction="P966", package_type="fibreboard box"))
        for face in ("front", "left", "top"):
            photo = packing_photo(seed=300 + len(face))
            image = check_image(photo, max_bytes=settings.max_upload_bytes,
                                max_pixels=settings.max_image_pixels, min_side=1)
            filings.add_photo(session, filing, face, image, store.put(photo)[0])
        return filing.id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, port_morning: datetime
           ) -> Iterator[Server]:
    """The demo day plus three on-site tasks, served by uvicorn in a thread, with the clock of
    the planner and the demo at 09:00 port time (`port_morning`)."""
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    settings = Settings(environment="test", data_dir=tmp / "data",
                        secret_key="browser-test-secret-0123456789abcdef0123456789",
                        screening_engine="none", dispatch_time_limit_s=1.0,
                        public_base_url=f"http://127.0.0.1:{port}")
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.resolved_database_url)
    SQLModel.metadata.create_all(engine)
    load(engine, settings)
    for container, lat, lon in (("OOLU7000001", 24.5300, 118.1100),
                                ("HLXU1234562", 24.4500, 118.0800),
                                ("MSCU1234560", 24.5800, 118.0200)):
        add_onsite_task(engine, settings, "exporter", _valid(container), lat, lon)
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", engine, settings, tmp, app)
    uvicorn_server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def _valid(prefix_and_digits: str) -> str:
    """Fixes the ISO 6346 check digit of a made-up container number."""
    from customs.containers import check_digit

    return prefix_and_digits[:10] + str(check_digit(prefix_and_digits[:10]))


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make browser)"
        if IN_CI:
            pytest.fail(message + " (browser tests are required in CI)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server: Server):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport=VIEWPORT, base_url=server.url,
                                   accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
           and not msg.text.startswith("Failed to load resource") else None)
    yield tab
    context.close()
    assert not errors, f"JavaScript errors or CSP violations: {errors}"


def shot(page, name: str, tall: bool = False) -> None:  # type: ignore[no-untyped-def]
    """A 1280×800 PNG of the page (`tall`: down to 1600 px, for pages that need it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if tall:
        height = min(page.evaluate("document.documentElement.scrollHeight"), 1600)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
    else:
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


# --- public ---


def test_anonymous_visitor_verifies_a_certificate(page, server: Server) -> None:
    with Session(server.engine) as session:
        released = session.exec(select(Declaration).where(
            Declaration.status == "RELEASED")).first()
        assert released is not None
        certificate = certificates.for_declaration(session, released.id)
    qr_target = certificates.qr_verify_url(BlobStore(server.settings.blob_dir), certificate)
    page.goto(qr_target)  # the QR code's target, with its token: the full contents
    verdict = page.get_by_test_id("verdict")
    assert "证书有效" in verdict.inner_text()
    assert released.declaration_no in page.content()
    shot(page, "verify-valid")
    page.goto("/verify/CLC2099010100000000")
    assert "无效" in page.get_by_test_id("verdict").inner_text()
    assert "从未签发过该编号的证书" in page.content()
    shot(page, "verify-invalid")


def test_login_page_defaults_to_chinese_and_switches_to_english(page) -> None:
    page.goto("/")
    assert page.url.endswith("/login")
    assert page.locator("h1").inner_text() == "登录 ClearLane 通关快线"
    shot(page, "login")
    page.click("a[hreflang=en]")
    assert page.locator("h1").inner_text() == "Log in to ClearLane"
    page.fill("input[name=username]", "exporter")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "Wrong username or password." in page.inner_text("[role=alert]")
    page.click("a[hreflang=zh-CN]")
    assert "Asia/Shanghai" in page.inner_text("footer")


# --- exporter ---


def test_exporter_files_declares_uploads_and_sees_the_outcome(page, server: Server) -> None:
    login(page, "exporter")
    assert page.url.endswith("/exporter")
    shot(page, "exporter-dashboard")

    # a packaging filing with a reference photo per face, each upload with its progress bar
    page.goto("/exporter/filings")
    page.fill("input[name=title]", "24V battery module, 4G box")
    page.fill("input[name=un_numbers]", "UN3480")
    page.fill("input[name=packing_instruction]", "P903")
    page.click("#new button[type=submit]")
    assert re.search(r"/exporter/filings/\d+", page.url)
    photos = server.tmp / "photos"
    photos.mkdir(exist_ok=True)
    for face in ("front", "left"):
        path = photos / f"{face}.jpg"
        path.write_bytes(packing_photo(seed=400 + len(face)))
        page.get_by_test_id(f"drop-{face}").locator("input[type=file]").set_input_files(
            [str(path)])
    page.wait_for_selector(".face[data-face=front] .uploads li[data-result=ok]")
    page.wait_for_selector(".face[data-face=left] .uploads li[data-result=ok]")
    assert page.locator(".face[data-face=front] progress").get_attribute("value") == "100"
    page.locator(".faces").scroll_into_view_if_needed()
    shot(page, "exporter-filing-photos")

    # a declaration: the container number is checked as it is typed
    page.goto("/exporter/declarations/new")
    page.fill("input[name=vessel]", "COSCO XIAMEN")
    page.fill("input[name=voyage]", "061E")
    page.fill("input[name=hs_code]", "8507600090")
    page.fill("input[name=description]", "lithium-ion battery packs")
    page.fill("input[name=un_number]", "UN3480")
    page.fill("input[name=quantity]", "100")
    page.fill("input[name=gross_weight_kg]", "2100")
    container = page.locator("input.container-no").first
    good = _valid("CSQU7777770")  # the demo's containers are on live declarations already
    container.fill(good[:10] + str((int(good[10]) + 1) % 10))
    result = page.locator(".check-result").first
    assert f"校验码应为 {good[10]}" in result.inner_text()
    assert "invalid" in (container.get_attribute("class") or "")
    container.fill(good)
    assert "校验码正确" in result.inner_text()
    page.click("button.add-row[data-table=containers]")
    page.locator("input.container-no").nth(1).fill(_valid("TCNU7654320"))
    assert "校验码正确" in page.locator(".check-result").nth(1).inner_text()
    shot(page, "exporter-declaration-form")
    page.click("button[value=submit]")
    assert re.search(r"/exporter/declarations/\d+", page.url)
    assert "已提交" in page.inner_text("#status-badge")

    # a packing photo: screening runs, the page updates itself and shows the outcome
    path = photos / "packing.jpg"
    path.write_bytes(packing_photo(seed=500))
    page.get_by_test_id("packing-drop").locator("input[type=file]").set_input_files(str(path))
    outcome = page.get_by_test_id("outcome")
    outcome.wait_for()
    assert "需要查验" in page.inner_text("#status-badge")
    assert "未进行自动照片比对" in outcome.inner_text()  # the reason, translated
    shot(page, "exporter-inspection-required")

    # a released declaration: the certificate downloads
    with Session(server.engine) as session:
        released = session.exec(select(Declaration).where(
            Declaration.status == "RELEASED")).first()
    page.goto(f"/exporter/declarations/{released.id}")
    assert "已放行" in page.get_by_test_id("outcome").inner_text()
    shot(page, "exporter-released")
    with page.expect_download() as download:
        page.click("text=下载证书（PDF）")
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"


def test_exporter_sees_a_clean_packing_photo_released_by_the_vision_check(
        page, server: Server) -> None:
    """The Xiamen path: photo of the filed design, no anomaly, released without inspection."""
    from customs.vision_screener import vision_screener

    server.app.state.in_process_worker.context.screener = vision_screener
    server.settings.sampling_rate_advanced = 0.0  # no random sampling draw for this shipment
    try:
        with session_scope(server.engine) as session:
            user = _user(session, "exporter")
            declaration = declarations.create_declaration(session, user, DeclarationCreate(
                filing_id=1, vessel="COSCO XIAMEN", voyage="061E",
                goods=[GoodsLineBase(hs_code="8507600090", description="lithium-ion packs",
                                     un_number="UN3480", quantity=60, gross_weight_kg=1200)],
                containers=[ContainerBase(container_no=_valid("TRLU5550000"))]))
            declarations.submit(session, user, declaration)
            declaration_id = declaration.id
        login(page, "exporter")
        page.goto(f"/exporter/declarations/{declaration_id}")
        path = server.tmp / "packing-clean.jpg"
        path.write_bytes(packing_photo(seed=21))
        page.get_by_test_id("packing-drop").locator("input[type=file]").set_input_files(
            str(path))
        page.get_by_test_id("outcome").wait_for(timeout=90_000)  # first photo loads models
        assert "已放行" in page.inner_text("#status-badge")
        shot(page, "exporter-green-release")
    finally:
        server.app.state.in_process_worker.context.screener = None
        server.settings.sampling_rate_advanced = 0.01


def _phone_photos_of_one_carton() -> tuple[bytes, bytes, tuple[str, ...]]:
    """A phone photo of the carton's front face for the filing (floor around it, off-axis,
    other light) and a later packing photo of the same carton, from the second synthetic
    source (not the one the check was tuned on)."""
    from vision.synth2.artwork import default_state
    from vision.synth2.dataset import _photo, make_design

    design = make_design(5, 8)  # UN3481 by sea, fully regulated
    reference, _ = _photo(design, default_state(design), 19, (2000, 1500), reference=True)
    packing, _ = _photo(design, default_state(design), 109, (2000, 1500))
    return reference, packing, tuple(design.un_numbers)


def test_a_filing_from_phone_photos_then_a_clean_packing_photo_is_released(
        page, server: Server) -> None:
    """Issue 8's 'done when': the face photo is rectified on the filing page, the officer
    approves the flattened face, and a packing photo of the same carton is released."""
    from customs.vision_screener import vision_screener

    reference, packing, un_numbers = _phone_photos_of_one_carton()
    photos = server.tmp / "phone"
    photos.mkdir(exist_ok=True)
    (photos / "front.jpg").write_bytes(reference)
    (photos / "packing.jpg").write_bytes(packing)
    login(page, "exporter")
    page.goto("/exporter/filings")
    page.fill("input[name=title]", "UN3481 packs in equipment, 4G box")
    page.fill("input[name=un_numbers]", ",".join(un_numbers))
    page.fill("input[name=packing_instruction]", "P903")
    page.select_option("select[name=transport_mode]", "air")
    page.select_option("select[name=provision]", "small_battery")
    preview = page.get_by_test_id("regime-preview")
    preview.locator("li:has-text('锂电池标记')").wait_for()  # Section II by air: the mark only
    assert "正确运输名称" not in preview.inner_text()
    page.select_option("select[name=transport_mode]", "sea")
    page.select_option("select[name=provision]", "fully_regulated")
    preview.locator("li:has-text('正确运输名称')").wait_for()
    shot(page, "exporter-filing-regime-preview")
    page.click("#new button[type=submit]")
    filing_id = int(re.search(r"/exporter/filings/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert "第9类锂电池危险性标签" in page.get_by_test_id("expected-marks").inner_text()
    page.get_by_test_id("drop-front").locator("input[type=file]").set_input_files(
        str(photos / "front.jpg"))
    page.wait_for_selector(".face[data-face=front] .uploads li[data-result=ok]", timeout=60_000)
    page.reload()
    corners = page.get_by_test_id("face-corners")
    assert corners.locator("circle").count() == 4
    corners.scroll_into_view_if_needed()
    shot(page, "exporter-filing-face-corners")

    page.context.clear_cookies()
    login(page, "officer")
    page.goto(f"/officer/filings/{filing_id}")
    assert page.get_by_test_id("rectified-front").is_visible()
    assert "锂电池" in page.get_by_test_id("expected-marks").inner_text()
    assert page.get_by_test_id("labels-missing").count() == 0  # the 9A label is on the face
    shot(page, "officer-filing-rectified-faces")
    page.click("button[value=approve]")
    assert "已批准" in page.inner_text("h1")

    server.app.state.in_process_worker.context.screener = vision_screener
    server.settings.sampling_rate_advanced = 0.0
    try:
        with session_scope(server.engine) as session:
            user = _user(session, "exporter")
            declaration = declarations.create_declaration(session, user, DeclarationCreate(
                filing_id=filing_id, vessel="COSCO XIAMEN", voyage="071E",
                goods=[GoodsLineBase(hs_code="8507600090", description="packs in equipment",
                                     un_number=un_numbers[0], quantity=20,
                                     gross_weight_kg=300)],
                containers=[ContainerBase(container_no=_valid("TRLU5551110"))]))
            declarations.submit(session, user, declaration)
            declaration_id = declaration.id
        page.context.clear_cookies()
        login(page, "exporter")
        page.goto(f"/exporter/declarations/{declaration_id}")
        page.get_by_test_id("packing-drop").locator("input[type=file]").set_input_files(
            str(photos / "packing.jpg"))
        page.get_by_test_id("outcome").wait_for(timeout=120_000)
        assert "已放行" in page.inner_text("#status-badge"), page.inner_text("main")
        shot(page, "exporter-released-from-phone-filing")
    finally:
        server.app.state.in_process_worker.context.screener = None
        server.settings.sampling_rate_advanced = 0.01


def _filing_with_a_front_photo(page, server: Server, title: str, photo: bytes) -> int:
    """The exporter files a design and uploads its front face; the filing page is reloaded
    with the face's outline on it. Returns the filing's id."""
    path = server.tmp / f"{title.replace(' ', '-')}-front.jpg"
    path.write_bytes(photo)
    login(page, "exporter")
    page.goto("/exporter/filings")
    page.fill("input[name=title]", title)
    page.fill("input[name=un_numbers]", "UN3481")
    page.fill("input[name=packing_instruction]", "P967")
    page.click("#new button[type=submit]")
    filing_id = int(re.search(r"/exporter/filings/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.get_by_test_id("drop-front").locator("input[type=file]").set_input_files(str(path))
    page.wait_for_selector(".face[data-face=front] .uploads li[data-result=ok]", timeout=60_000)
    page.reload()
    return filing_id


def test_exporter_drags_a_face_corner_and_the_face_is_flattened_again(
        page, server: Server) -> None:
    reference, _, _ = _phone_photos_of_one_carton()
    filing_id = _filing_with_a_front_photo(page, server, "corner drag", reference)
    with Session(server.engine) as session:
        before = session.exec(select(FilingPhoto).where(
            FilingPhoto.filing_id == filing_id)).one()
    handle = page.locator(".quad-editor circle").first
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 20, box["y"] + 15, steps=5)
    page.mouse.up()
    page.wait_for_selector(".quad-state.ok")
    with Session(server.engine) as session:
        after = session.exec(select(FilingPhoto).where(
            FilingPhoto.filing_id == filing_id)).one()
    assert after.quad["method"] == "exporter"
    assert after.quad["corners"][0] != before.quad["corners"][0]
    assert after.rectified_sha256 != before.rectified_sha256


def test_exporter_confirms_an_outline_the_photo_check_was_unsure_of(page, server: Server
                                                                    ) -> None:
    # rectangles of every colour: no clear carton face
    _filing_with_a_front_photo(page, server, "outline check", jpeg_bytes(seed=5))
    notice = page.get_by_test_id("outline-to-check")
    notice.scroll_into_view_if_needed()
    notice.locator("button.confirm-outline").click()
    page.wait_for_selector(".quad-state.ok")
    assert notice.count() == 0
    page.reload()
    assert page.get_by_test_id("outline-to-check").count() == 0


# --- officer ---


def test_officer_builds_a_plan_merges_a_task_and_records_a_result(page, server: Server
                                                                  ) -> None:
    login(page, "officer")
    assert page.url.endswith("/officer")
    shot(page, "officer-dashboard")

    page.click("nav >> text=今日派单")
    if page.locator("text=生成今日派单计划").count():
        page.click("text=生成今日派单计划")
    else:
        page.click("text=重新生成计划")
    page.wait_for_url(re.compile(r"/officer/dispatch/\d+"))
    assert page.locator("svg[data-testid=route-map] polyline").count() >= 1
    assert page.locator("section.route").count() >= 2
    shot(page, "officer-dispatch", tall=True)

    # a task arrives after the plan: merge it and see the vehicle and the detour. It lies in
    # Sanming, where the officer has room: the Xiamen officer's battery day is full.
    add_onsite_task(server.engine, server.settings, "exporter", _valid("CMAU5551110"),
                    26.2500, 117.6300)
    page.reload()
    page.click("button:has-text('合并追加新任务')")
    merged = page.get_by_test_id("merge-result")
    merged.wait_for()
    text = merged.inner_text()
    assert "闽D-C1234" in text or "闽G-C5678" in text or "无车辆" in text
    assert "绕行 +" in page.get_by_test_id("detour").first.inner_text()
    merged.scroll_into_view_if_needed()
    shot(page, "officer-dispatch-merged")
    page.click("text=打印清单")
    assert page.locator("section.route").count() >= 1
    shot(page, "officer-dispatch-print")

    # filing review: reference photos side by side, approve
    filing_id = add_pending_filing(server.engine, server.settings)
    page.goto("/officer/filings")
    page.click(f"a[href='/officer/filings/{filing_id}']")
    assert page.locator(".side-by-side img").count() == 3
    shot(page, "officer-filing-review")
    page.fill("textarea[name=note]", "marks as filed")
    page.click("button[value=approve]")
    assert "已批准" in page.inner_text("h1")

    # an inspection result: pass → released, with the full audit trail
    page.goto("/officer/inspections?status=scheduled")
    # a battery shipment (the port test expects the demo's fruit to be still on hold)
    page.get_by_test_id("task-row").filter(has_text="危险货物").locator(
        "a.button:has-text('登记结果')").first.click()
    shot(page, "officer-inspection-form")
    page.check("input[value=pass]")
    page.fill("textarea[name=notes]", "packing and marks match the filing")
    page.click("[data-testid=result-form] button[type=submit]")
    assert re.search(r"/officer/declarations/\d+", page.url)
    assert "已放行" in page.inner_text("h1")
    assert "查验结果已登记" in page.inner_text("[role=status]")
    assert page.locator(".timeline li").count() >= 6
    shot(page, "officer-audit-trail")

    page.click("nav >> text=统计")
    assert page.locator("svg[data-testid=share-chart] circle").count() >= 2
    assert "免检直放" in page.inner_text("main")
    shot(page, "officer-statistics", tall=True)


def test_a_status_change_appears_on_the_exporters_page_without_a_reload(
        page, server: Server) -> None:
    with session_scope(server.engine) as session:
        user = _user(session, "exporter")
        declaration = declarations.create_declaration(session, user, DeclarationCreate(
            filing_id=1, vessel="COSCO XIAMEN", voyage="071E",
            goods=[GoodsLineBase(hs_code="8507600090", description="lithium-ion packs",
                                 un_number="UN3480", quantity=10, gross_weight_kg=200)],
            containers=[ContainerBase(container_no=_valid("LIVU7710000"))]))
        number = declaration.declaration_no
    login(page, "exporter")
    page.wait_for_timeout(500)  # the page has asked for its starting point
    with session_scope(server.engine) as session:
        user = _user(session, "exporter")
        mine = session.exec(select(Declaration).where(Declaration.declaration_no == number)).one()
        declarations.submit(session, user, mine)
    item = page.locator("#live-events li", has_text=number)
    item.wait_for(timeout=10_000)
    assert "已提交" in item.inner_text()
    shot(page, "exporter-live-event")


# --- port operator ---


def test_port_operator_looks_up_containers_and_records_loading(page, server: Server) -> None:
    login(page, "port")
    assert page.url.endswith("/port")
    csv_file = server.tmp / "containers.csv"
    csv_file.write_text("container,note\nTGHU9876542,first\nCAIU2345678,fruit\n",
                        encoding="utf-8")
    page.fill("textarea[name=numbers]", "CSQU3054383\nMSKU1234566")
    page.set_input_files("input[name=csv_file]", str(csv_file))
    page.click("button:has-text('查询')")
    rows = page.get_by_test_id("lookup-results").locator("tbody tr")
    assert rows.count() == 4
    bad = page.locator("tr[data-query=MSKU1234566]")
    assert "暂扣" in bad.inner_text() and "校验码" in bad.inner_text()
    released = page.locator("tr[data-query=TGHU9876542]")
    assert "可装船" in released.inner_text()
    assert "暂扣" in page.locator("tr[data-query=CAIU2345678]").inner_text()
    shot(page, "port-lookup")
    released.locator("button:has-text('登记装船')").click()
    assert "已登记" in page.inner_text("[role=status]")
    row = page.locator("tr[data-query=TGHU9876542]")
    assert "已装船" in row.inner_text() and "暂扣" not in row.inner_text(), \
        "a loaded container never shows as hold"
    shot(page, "port-loaded")


def test_port_operator_sees_the_vessel_list_and_loads_by_scanning(page, server: Server
                                                                  ) -> None:
    """The per-vessel direct-loading list: statuses, then loading by scanning a number."""
    login(page, "port")
    page.click("nav a:has-text('船舶直装清单')")
    page.fill("input[name=vessel]", "COSCO XIAMEN")
    page.fill("input[name=voyage]", "041E")
    page.click("button:has-text('显示清单')")
    held = page.get_by_test_id("vessel-list").locator("tbody tr[data-load-status=hold]")
    assert held.count() >= 1
    assert "海关查检尚未完成" in held.first.inner_text()
    shot(page, "port-vessel-list")

    page.goto("/port/vessel?vessel=COSCO+XIAMEN&voyage=042E")
    released = page.locator("tr[data-container=TGHU9876542]")
    if released.get_attribute("data-load-status") == "released":  # not loaded by another test
        page.fill("textarea[name=scanned]", "TGHU9876542\n")
        page.click("form[action='/port/vessel/load'] button")
        assert "已装船 1 个" in page.get_by_test_id("load-result").inner_text()
    row = page.locator("tr[data-container=TGHU9876542]")
    assert row.get_attribute("data-load-status") == "loaded"
    assert "暂扣" not in row.inner_text()
    assert page.locator("[data-count=loaded]").inner_text() == "1"
    shot(page, "port-vessel-loaded")


# --- administration ---


def test_admin_sees_the_calibration_in_force_and_what_the_field_outcomes_propose(page) -> None:
    login(page, "admin")
    assert page.url.endswith("/admin")
    section = page.get_by_test_id("calibration")
    assert "视觉模型校准" in section.inner_text()
    assert page.get_by_test_id("calibration-in-force").inner_text()
    labelled = page.get_by_test_id("proposal").count() == 1
    assert labelled or "尚无标注为确认或误报的查验结果" in section.inner_text()
    shot(page, "admin-calibration")


# --- access control ---


@pytest.mark.parametrize(("username", "foreign"), [
    ("exporter", "/officer/dispatch"),
    ("officer", "/exporter/declarations"),
    ("port", "/officer/stats"),
])
def test_a_role_cannot_open_another_roles_pages(page, username: str, foreign: str) -> None:
    login(page, username)
    response = page.goto(foreign)
    assert response is not None and response.status == 403
    assert "您的角色无权访问此页面" in page.inner_text("h1")
    if username == "exporter":
        shot(page, "forbidden")


def test_anonymous_visitors_are_sent_to_the_login_page(page) -> None:
    page.goto("/officer/inspections")
    assert "/login?next=" in page.url
    login_url = page.url
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith("/officer/inspections"), login_url
    page.click("text=退出登录")
    assert page.url.endswith("/login")
    page.goto("/officer")
    assert "/login" in page.url
