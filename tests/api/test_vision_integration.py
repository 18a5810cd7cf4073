"""The vision engine in the product: label regime on the filing, rectified reference faces,
declaration-level verdicts with versions, and calibration from labelled inspections."""

import io
import json
import re
from typing import Any

import pytest
from PIL import Image
from sqlmodel import Session, select

from customs import calibration
from customs.screening import DeclarationVerdict, PhotoFinding, ScreeningRequest
from models import CalibrationVersion, FilingPhoto, VisionDecision
from tests.api.conftest import FILING, PASSWORD, World
from tests.api.images import jpeg_bytes
from vision.params import MODEL_VERSION
from vision.synth.dataset import make_filing
from vision.synth.design import FaceVariant, render_face


def test_the_filing_lists_the_marks_its_regime_expects_with_sources(world: World) -> None:
    small = world.exporter_a.post("/filings", json={**FILING, "provision": "small_battery"})
    assert small.status_code == 201, small.text
    regime = small.json()["expected_marks"]
    assert regime["required"] == ["lithium_battery_mark"]
    assert regime["forbidden"] == ["class9a_label"]
    item = regime["items"][0]
    assert "SP188" in " ".join(item["sources"]) or "188" in " ".join(item["sources"])
    assert item["explanation"]["zh-CN"] and item["explanation"]["en"]
    full = world.exporter_a.post("/filings", json=FILING).json()["expected_marks"]
    assert "class9a_label" in full["required"] and "un_number_marking" in full["required"]


def test_cargo_aircraft_only_is_expected_for_batteries_alone_by_air(world: World) -> None:
    filing = world.exporter_a.post("/filings", json={**FILING, "transport_mode": "air"}).json()
    assert "cargo_aircraft_only" in filing["expected_marks"]["required"]


def test_a_regime_the_regulations_forbid_is_refused_with_what_to_change(world: World) -> None:
    response = world.exporter_a.post("/filings", json={
        **FILING, "transport_mode": "air", "provision": "small_battery"})
    assert response.status_code == 422, response.text
    assert "Section II" in response.text


def test_a_face_photo_gets_a_quad_and_a_rectified_face_the_exporter_can_correct(
        world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()
    photo = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                  files={"file": ("f.jpg", jpeg_bytes(seed=3), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    body = photo.json()
    assert len(body["quad"]["corners"]) == 4 and body["rectified_sha256"]
    w, h = body["width"], body["height"]
    corners = [[w * 0.1, h * 0.1], [w * 0.8, h * 0.1], [w * 0.8, h * 0.9], [w * 0.1, h * 0.9]]
    fixed = world.exporter_a.post(f"/filings/{filing['id']}/photos/{body['id']}/quad",
                                  json={"corners": corners})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["quad"]["method"] == "exporter"
    assert fixed.json()["rectified_sha256"] != body["rectified_sha256"]
    face = world.officer.get(f"/filings/{filing['id']}/photos/{body['id']}/rectified")
    assert face.status_code == 200 and face.headers["content-type"] == "image/png"


def test_corners_outside_the_photo_are_refused(world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()
    photo = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                  files={"file": ("f.jpg", jpeg_bytes(seed=3), "image/jpeg")})
    response = world.exporter_a.post(
        f"/filings/{filing['id']}/photos/{photo.json()['id']}/quad",
        json={"corners": [[0, 0], [99999, 0], [99999, 99999], [0, 99999]]})
    assert response.status_code == 422
    assert "outside" in response.text


def test_the_screener_judges_the_rectified_reference_faces(world: World) -> None:
    seen: list[ScreeningRequest] = []

    def screener(request: ScreeningRequest) -> DeclarationVerdict:
        seen.append(request)
        return DeclarationVerdict(VisionDecision.release, [],
                                  [PhotoFinding(p.id, "cd" * 8) for p in request.photos])

    world.use_screener(screener)
    filing_id = world.approved_filing()
    declaration = world.submitted(filing_id=filing_id)
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=5))
    with Session(world.engine) as session:
        face = session.exec(select(FilingPhoto).where(FilingPhoto.filing_id == filing_id)).one()
    rectified = world.client.app.state.store.get(face.rectified_sha256)  # type: ignore[attr-defined]
    assert seen and seen[-1].filing is not None
    assert seen[-1].filing.reference_photos["front"] == rectified
    assert seen[-1].filing.provision == "fully_regulated"


def _two_face_screener(request: ScreeningRequest) -> DeclarationVerdict:
    """The mark is on one face and missing from the other: the reason names the second."""
    first, second = request.photos[0].id, request.photos[-1].id
    return DeclarationVerdict(
        VisionDecision.inspect,
        [{"code": "missing_9a_label", "message": "no 9A label", "photo_ids": [second]}],
        [PhotoFinding(first, "ab" * 8), PhotoFinding(second, "ba" * 8)],
        model_version="m-1", calibration_version="c-1")


def test_one_verdict_over_all_photos_whose_reasons_name_their_photo(world: World) -> None:
    world.use_screener(_two_face_screener)
    worker = world.client.app.state.in_process_worker  # type: ignore[attr-defined]
    worker.stop()
    declaration = world.submitted(filing_id=world.approved_filing())
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=11), settle=False)
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=12), settle=False)
    worker.run_pending()
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert len(screening["photo_ids"]) == 2
    assert screening["model_version"] == "m-1" and screening["calibration_version"] == "c-1"
    (reason,) = [r for r in screening["reasons"] if r["code"] == "missing_9a_label"]
    assert reason["photo_ids"] == [screening["photo_ids"][1]]


def _anomaly_screener(scores: dict[int, float], seen: list[ScreeningRequest],
                      model_version: str = MODEL_VERSION) -> Any:
    def screen(request: ScreeningRequest) -> DeclarationVerdict:
        seen.append(request)
        limit = float((request.calibration.params if request.calibration else {})
                      .get("max_anomaly_score", 0.9))
        findings, reasons = [], []
        for photo in request.photos:
            score = scores[len(seen)]
            findings.append(PhotoFinding(photo.id, f"{len(seen):016x}", {"anomaly": score}))
            if score > limit:
                reasons.append({"code": "appearance_anomaly", "message": "unusual",
                                "photo_ids": [photo.id]})
        decision = VisionDecision.inspect if reasons else VisionDecision.release
        return DeclarationVerdict(decision, reasons, findings, model_version,
                                  request.calibration.version if request.calibration else "d")
    return screen


def _inspect(world: World, outcome: str, labels: dict[str, str]) -> None:
    task = next(t for t in world.officer.get("/inspections").json()["items"]
                if t["status"] == "open")
    response = world.officer.post(f"/inspections/{task['id']}/result",
                                  json={"outcome": outcome, "reason_labels": labels})
    assert response.status_code == 200, response.text


def test_labelled_inspections_propose_a_calibration_an_admin_applies(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[ScreeningRequest] = []
    world.use_screener(_anomaly_screener({1: 1.2, 2: 3.0, 3: 1.2}, seen))
    filing_id = world.approved_filing()
    for index, (outcome, label) in enumerate((("pass", "false_alarm"), ("fail", "confirmed"))):
        declaration = world.submitted(filing_id=filing_id)
        world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=40 + index))
        _inspect(world, outcome, {"appearance_anomaly": label})
    proposal = world.admin.get("/calibration/proposal")
    assert proposal.status_code == 200, proposal.text
    report = proposal.json()
    assert report["n_good"] == 1 and report["n_bad"] == 1
    assert report["false_releases_proposed"] == 0
    assert report["clean_release_gain"] == 1.0
    assert 1.2 < report["params"]["max_anomaly_score"] < 3.0
    applied = world.admin.post("/calibration/versions", json={"version": "field-1"})
    assert applied.status_code == 201, applied.text
    declaration = world.submitted(filing_id=filing_id)
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=50))
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert screening["calibration_version"] == "field-1"
    assert screening["vision_decision"] == "release"
    # the same proposal from the command line, now measured against the applied version
    monkeypatch.setenv("CLEARLANE_DATABASE_URL", world.settings.resolved_database_url)
    calibration.main(["propose"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["current_version"] == "field-1"
    assert printed["false_releases_current"] == 0 and "false_release_upper_95" in printed


def _design_screener(bad_reference: int) -> Any:
    """Photos of filing ``bad_reference`` disagree with its (wrongly rectified) reference
    face; the other filing's photos match theirs but show an appearance anomaly."""
    def screen(request: ScreeningRequest) -> DeclarationVerdict:
        assert request.filing is not None
        wrong = str(request.filing.id) == str(bad_reference)
        scores = {"design_inliers": 300.0, "design_coverage": 0.5, "design_ncc": 0.9,
                  "design_layout": 0.2 if wrong else 0.95, "anomaly": 0.2 if wrong else 3.0}
        code = "design_mismatch" if wrong else "appearance_anomaly"
        photo = request.photos[0]
        return DeclarationVerdict(
            VisionDecision.inspect, [{"code": code, "message": code, "photo_ids": [photo.id]}],
            [PhotoFinding(photo.id, "ab" * 8, scores)], MODEL_VERSION, "d")
    return screen


def _a_filing_with_a_wrong_reference(world: World, seed: int) -> int:
    """Three filings, each with clean shipments inspected and passed: the first filing's
    photos all fail the design check (its reference face is wrong), the others' pass it."""
    wrong, right, other = (world.approved_filing() for _ in range(3))
    world.use_screener(_design_screener(wrong))
    for filing_id, offset in ((wrong, 0), (wrong, 1), (right, 2), (other, 3)):
        declaration = world.submitted(filing_id=filing_id)
        world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=seed + offset))
        code = "design_mismatch" if filing_id == wrong else "appearance_anomaly"
        _inspect(world, "pass", {code: "false_alarm"})
    return wrong


def test_a_proposal_points_at_the_filing_whose_clean_photos_all_fail_the_design_check(
        world: World) -> None:
    wrong = _a_filing_with_a_wrong_reference(world, 80)
    report = world.admin.get("/calibration/proposal").json()
    assert report["reference_problems"] == {str(wrong): 2}
    # the design floors are not opened for that filing's photos
    assert "min_design_layout" not in report["changes"]
    assert report["reference_filings"] == [{"filing_id": wrong, "title": FILING["title"],
                                            "held": 2, "filed_again": None}]
    _admin_page(world)
    page = world.client.get("/admin").text
    assert 'data-testid="reference-problems"' in page and f"filing #{wrong}" in page
    assert "not filed again yet" in page


def test_the_proposal_shows_when_the_exporter_has_filed_a_wrong_reference_again(
        world: World) -> None:
    wrong = _a_filing_with_a_wrong_reference(world, 84)
    again = world.exporter_a.post("/filings", json={**FILING, "replaces_filing_id": wrong})
    assert again.status_code == 201, again.text
    assert again.json()["replaces_filing_id"] == wrong
    report = world.admin.get("/calibration/proposal").json()
    assert report["reference_filings"][0]["filed_again"] == {"filing_id": again.json()["id"],
                                                             "status": "pending"}
    # the old filing's photos still stay out of the fit
    assert report["reference_problems"] == {str(wrong): 2}
    _admin_page(world)
    assert f"filed again as #{again.json()['id']}" in world.client.get("/admin").text


def _scripted_screener(script: list[tuple[list[str], dict[str, float]]]) -> Any:
    """The n-th screening gets the n-th (reason codes, scores) of ``script``."""
    calls: list[int] = []

    def screen(request: ScreeningRequest) -> DeclarationVerdict:
        codes, scores = script[len(calls)]
        calls.append(1)
        photo = request.photos[0]
        reasons = [{"code": c, "message": c, "photo_ids": [photo.id]} for c in codes]
        return DeclarationVerdict(VisionDecision.inspect, reasons,
                                  [PhotoFinding(photo.id, f"{len(calls):016x}", scores)],
                                  MODEL_VERSION, "d")
    return screen


def test_the_admin_sees_a_limit_kept_closed_because_opening_it_would_expose_anomalies(
        world: World) -> None:
    # two clean shipments held just over the appearance limit (0.5) ...
    clean = (["appearance_anomaly"], {"anomaly": 0.55, "label_integrity": 0.9})
    # ... and a torn label in the same band, caught by both the label and appearance checks
    torn = (["label_damaged_or_covered", "appearance_anomaly"],
            {"anomaly": 0.53, "label_integrity": 0.3})
    world.use_screener(_scripted_screener([clean, clean, torn]))
    filing_id = world.approved_filing()
    for index, (outcome, labels) in enumerate((
            ("pass", {"appearance_anomaly": "false_alarm"}),
            ("pass", {"appearance_anomaly": "false_alarm"}),
            ("fail", {"label_damaged_or_covered": "confirmed",
                      "appearance_anomaly": "confirmed"}))):
        declaration = world.submitted(filing_id=filing_id)
        world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=90 + index))
        _inspect(world, outcome, labels)
    report = world.admin.get("/calibration/proposal").json()
    assert report["kept_closed"] == {"max_anomaly_score": [2, 1]}
    assert "max_anomaly_score" not in report["changes"]
    _admin_page(world)
    page = world.client.get("/admin").text
    assert 'data-testid="kept-closed"' in page
    assert "<code>max_anomaly_score</code>: 2 clean photos held, 1 anomaly exposed" in page


def test_an_exporter_cannot_file_again_in_place_of_another_exporters_filing(
        world: World) -> None:
    theirs = world.approved_filing(world.exporter_b)
    before = world.exporter_a.get("/filings").json()["total"]
    response = world.exporter_a.post("/filings", json={**FILING, "replaces_filing_id": theirs})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_replaced_filing"
    assert "not one of your filings" in response.json()["detail"]
    assert world.exporter_a.get("/filings").json()["total"] == before


def _screen_under_calibration(world: World, version: str, fitted_for: str, seed: int
                              ) -> tuple[dict[str, Any], ScreeningRequest]:
    """A photo scoring 1.2 on appearance, screened with a calibration that allows 5.0 (fitted
    for engine `fitted_for`) applied: the declaration, and what the screener was given."""
    with Session(world.engine) as session:
        session.add(CalibrationVersion(version=version, params={"max_anomaly_score": 5.0},
                                       report={"model_version": fitted_for}))
        session.commit()
    seen: list[ScreeningRequest] = []
    world.use_screener(_anomaly_screener({1: 1.2}, seen))
    declaration = world.submitted(filing_id=world.approved_filing())
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=seed))
    return declaration, seen[-1]


@pytest.mark.parametrize("fitted_for", ["vision-2.3", "vision-2.14", "vision-2.15"])
def test_a_calibration_fitted_for_an_earlier_photo_check_is_not_used(world: World,
                                                                     fitted_for: str) -> None:
    # its appearance limit is on an old scale: vision-2.4 made the score a peak above the
    # face's level, vision-2.15 added creases as new lines, vision-2.16 finds them whole
    declaration, request = _screen_under_calibration(world, "field-2023", fitted_for, 70)
    assert request.calibration is None  # the engine's defaults
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert screening["vision_decision"] == "inspect"
    _admin_page(world)
    page = world.client.get("/admin").text
    assert "field-2023" in page and "not used" in page and MODEL_VERSION in page


def test_a_calibration_for_an_earlier_check_on_the_same_scales_stays_in_force(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # a later engine that moves no score lists the earlier one as on its scales (as 2.5 to
    # 2.14 did 2.4, when 2.5 added the pixel check for copied photos)
    monkeypatch.setattr("vision.params.SAME_SCALES", frozenset({MODEL_VERSION, "vision-earlier"}))
    _declaration, request = _screen_under_calibration(world, "field-2024", "vision-earlier", 72)
    assert request.calibration is not None and request.calibration.version == "field-2024"
    _admin_page(world)
    assert "not used" not in world.client.get("/admin").text


def test_outcomes_of_an_earlier_photo_check_do_not_feed_a_proposal(world: World) -> None:
    world.use_screener(_anomaly_screener({1: 3.0}, [], model_version="vision-2.3"))
    declaration = world.submitted(filing_id=world.approved_filing())
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=71))
    _inspect(world, "pass", {"appearance_anomaly": "false_alarm"})
    response = world.admin.get("/calibration/proposal")
    assert response.status_code == 409
    assert MODEL_VERSION in response.text


def test_a_label_for_a_reason_the_screening_did_not_give_is_refused(world: World) -> None:
    world.use_screener(_anomaly_screener({1: 3.0}, []))
    declaration = world.submitted(filing_id=world.approved_filing())
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=60))
    task = world.officer.get("/inspections").json()["items"][0]
    response = world.officer.post(f"/inspections/{task['id']}/result", json={
        "outcome": "pass", "reason_labels": {"missing_lithium_mark": "false_alarm"}})
    assert response.status_code == 422
    assert "appearance_anomaly" in response.text


def test_calibration_without_labelled_outcomes_says_what_is_missing(world: World) -> None:
    response = world.admin.get("/calibration/proposal")
    assert response.status_code == 409
    assert "confirmed or false alarm" in response.text


def test_only_the_filing_exporter_corrects_corners_and_only_admins_calibrate(
        world: World) -> None:
    filing = world.exporter_a.post("/filings", json=FILING).json()
    photo = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                  files={"file": ("f.jpg", jpeg_bytes(seed=3), "image/jpeg")})
    url = f"/filings/{filing['id']}/photos/{photo.json()['id']}/quad"
    corners = {"corners": [[1, 1], [50, 1], [50, 40], [1, 40]]}
    assert world.exporter_b.post(url, json=corners).status_code == 404
    assert world.officer.post(url, json=corners).status_code == 403
    assert world.officer.get("/calibration/proposal").status_code == 403
    assert world.exporter_a.post("/calibration/versions",
                                 json={"version": "x"}).status_code == 403


def _filing_with_a_random_face(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pending fully regulated filing whose front face is a random picture (no label)."""
    filing = world.exporter_a.post("/filings", json=FILING).json()
    photo = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                  files={"file": ("f.jpg", jpeg_bytes(seed=4), "image/jpeg")}
                                  ).json()
    return filing, photo


def test_approval_is_refused_when_the_corners_were_corrected_after_review(world: World) -> None:
    filing, photo = _filing_with_a_random_face(world)
    reviewed = {"photo_ids": [photo["id"]], "face_sha256s": [photo["rectified_sha256"]]}
    w, h = photo["width"], photo["height"]
    world.exporter_a.post(f"/filings/{filing['id']}/photos/{photo['id']}/quad",
                          json={"corners": [[w * 0.2, h * 0.2], [w * 0.7, h * 0.2],
                                            [w * 0.7, h * 0.8], [w * 0.2, h * 0.8]]})
    refused = world.officer.post(f"/filings/{filing['id']}/approve", json=reviewed)
    assert refused.status_code == 409 and refused.json()["code"] == "filing_changed"
    now = world.officer.get(f"/filings/{filing['id']}").json()["photos"][0]
    approved = world.officer.post(f"/filings/{filing['id']}/approve", json={
        "photo_ids": [now["id"]], "face_sha256s": [now["rectified_sha256"]],
        "accept_missing_labels": True})  # a random picture: it shows no label
    assert approved.status_code == 200, approved.text


def test_faces_that_show_no_required_label_hold_approval_until_the_officer_accepts(
        world: World) -> None:
    filing, photo = _filing_with_a_random_face(world)
    assert photo["labels_seen"] == []
    shown = world.officer.get(f"/filings/{filing['id']}").json()
    assert shown["labels_missing"] == ["class9a_label"]
    refused = world.officer.post(f"/filings/{filing['id']}/approve",
                                 json={"photo_ids": [photo["id"]]})
    assert refused.status_code == 409 and refused.json()["code"] == "filing_labels_missing"
    assert "class9a_label" in refused.json()["detail"]
    assert "correct the corners" in refused.json()["detail"]
    assert world.officer.get(f"/filings/{filing['id']}").json()["status"] == "pending"
    accepted = world.officer.post(f"/filings/{filing['id']}/approve", json={
        "photo_ids": [photo["id"]], "accept_missing_labels": True})
    assert accepted.status_code == 200 and accepted.json()["status"] == "approved"
    assert "approved although the flattened faces do not show class9a_label" in \
        accepted.json()["review_note"]


def test_the_officers_review_page_tells_the_missing_label_and_approves_only_when_accepted(
        world: World) -> None:
    filing, photo = _filing_with_a_random_face(world)
    _page_login(world, "officer")
    html = world.client.get(f"/officer/filings/{filing['id']}").text
    notice = re.search(r'data-testid="labels-missing">(.*?)</p>', html, re.S)
    assert notice is not None and "Class 9A label" in notice.group(1)
    assert 'name="accept_missing_labels"' in html
    form = {"decision": "approve", "photo_ids": [photo["id"]],
            "face_sha256s": [photo["rectified_sha256"]]}
    refused = world.client.post(f"/officer/filings/{filing['id']}/review", data=form)
    assert refused.status_code == 409 and "correct the corners" in refused.text
    approved = world.client.post(f"/officer/filings/{filing['id']}/review",
                                 data={**form, "accept_missing_labels": "true"})
    assert approved.status_code == 200 and "Approved" in approved.text


def test_corners_that_cut_the_label_off_are_told_and_corrected_corners_clear_it(
        world: World) -> None:
    design = make_filing(1, 2)  # fully regulated: the 9A label and the lithium mark
    face = render_face(design, 2.0, FaceVariant(class_label="9A"))
    buffer = io.BytesIO()
    Image.fromarray(face).save(buffer, "PNG")
    filing = world.exporter_a.post("/filings", json=FILING).json()
    photo = world.exporter_a.post(f"/filings/{filing['id']}/photos", data={"face": "front"},
                                  files={"file": ("f.png", buffer.getvalue(), "image/png")}
                                  ).json()
    url = f"/filings/{filing['id']}/photos/{photo['id']}/quad"
    w, h = photo["width"], photo["height"]
    cut = world.exporter_a.post(url, json={"corners": [[w * 0.45, 0], [w, 0], [w, h],
                                                       [w * 0.45, h]]})
    assert cut.status_code == 200 and cut.json()["labels_seen"] == []
    assert world.exporter_a.get(f"/filings/{filing['id']}").json()["labels_missing"] == [
        "class9a_label"]
    _page_login(world, "exporter_a")
    html = world.client.get(f"/exporter/filings/{filing['id']}").text
    assert 'data-testid="labels-missing"' in html and "a face cut short loses its labels" in html
    whole = world.exporter_a.post(url, json={"corners": [[0, 0], [w, 0], [w, h], [0, h]]})
    assert "class9a_label" in whole.json()["labels_seen"]
    assert world.officer.get(f"/filings/{filing['id']}").json()["labels_missing"] == []
    approved = world.officer.post(f"/filings/{filing['id']}/approve",
                                  json={"photo_ids": [photo["id"]]})
    assert approved.status_code == 200, approved.text


def _page_login(world: World, username: str) -> None:
    world.client.get("/lang/en")
    response = world.client.post("/login", data={"username": username, "password": PASSWORD},
                                 follow_redirects=False)
    assert response.status_code == 303, response.text


def _admin_page(world: World) -> None:
    _page_login(world, "admin")


def test_the_admin_page_shows_the_proposal_and_applies_it_as_a_new_version(
        world: World) -> None:
    _admin_page(world)
    empty = world.client.get("/admin")
    assert empty.status_code == 200 and "no inspection outcome is labelled yet" in empty.text
    world.use_screener(_anomaly_screener({1: 1.2, 2: 3.0, 3: 1.2}, []))
    filing_id = world.approved_filing()
    for index, (outcome, label) in enumerate((("pass", "false_alarm"), ("fail", "confirmed"))):
        declaration = world.submitted(filing_id=filing_id)
        world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=70 + index))
        _inspect(world, outcome, {"appearance_anomaly": label})
    page = world.client.get("/admin").text
    assert 'data-testid="proposal"' in page and "max_anomaly_score" in page
    assert re.search(r'data-testid="false-release-bound">\d+\.\d %<', page)
    applied = world.client.post("/admin/calibration", data={"version": "field-1"},
                                follow_redirects=True)
    assert applied.status_code == 200 and "Calibration field-1 is now in force." in applied.text
    assert 'data-testid="calibration-in-force">field-1<' in applied.text
    assert [v["version"] for v in world.admin.get("/calibration/versions").json()] == ["field-1"]
    again = world.client.post("/admin/calibration", data={"version": "field-1"})
    assert again.status_code == 409 and "choose a new name" in again.text
    odd = world.client.post("/admin/calibration", data={"version": "field 2/../x"})
    assert odd.status_code == 422
    assert len(world.admin.get("/calibration/versions").json()) == 1


def test_an_officer_cannot_open_the_admin_page(world: World) -> None:
    world.client.get("/lang/en")
    world.client.post("/login", data={"username": "officer", "password": PASSWORD})
    assert world.client.get("/admin").status_code == 403
    assert world.client.post("/admin/calibration", data={"version": "x"}).status_code == 403
