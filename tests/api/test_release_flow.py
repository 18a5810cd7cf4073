"""The whole path: declaration → screening → inspection or release → loading → certificate."""

from customs.certificate_pdf import extract_envelope
from customs.screening import DeclarationVerdict, PhotoFinding, ScreeningRequest
from models import VisionDecision
from tests.api.conftest import World
from tests.api.images import jpeg_bytes


def fake_screener(decision: VisionDecision, *reasons: tuple[str, str]):  # type: ignore[no-untyped-def]
    """A stand-in vision engine: screening is pluggable, and these tests pin the channel logic."""

    def screen(request: ScreeningRequest) -> DeclarationVerdict:
        ids = [p.id for p in request.photos]
        return DeclarationVerdict(
            decision, [{"code": c, "message": m, "photo_ids": ids} for c, m in reasons],
            [PhotoFinding(i, "ab" * 8, {"design_match": 0.9}, jpeg_bytes()) for i in ids],
            model_version="fake-1", calibration_version="fake-cal")

    return screen


def upload(world: World, declaration_id: int, seed: int = 1) -> None:
    """Uploads a packing photo and waits for its screening to finish."""
    response = world.upload_packing_photo(declaration_id, jpeg_bytes(seed=seed))
    assert response.status_code == 202, response.text


def test_without_a_vision_engine_nothing_is_released_automatically(world: World) -> None:
    declaration = world.screened(filing_id=world.approved_filing())
    assert declaration["status"] == "INSPECTION_REQUIRED"
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert screening["vision_decision"] is None
    assert screening["channel"] == "red"
    assert "no_vision_result" in screening["rule_hits"]
    assert screening["reasons"][0]["code"] == "no_vision_result"
    tasks = world.officer.get("/inspections").json()["items"]
    assert [t["declaration_id"] for t in tasks] == [declaration["id"]]
    assert "no automated packing-photo check ran" in tasks[0]["reasons"][0]


def test_inspection_pass_releases_and_the_port_may_load(world: World) -> None:
    declaration = world.screened()
    task = world.officer.get("/inspections").json()["items"][0]
    result = world.officer.post(f"/inspections/{task['id']}/result",
                                json={"outcome": "pass", "notes": "marks and packing correct"})
    assert result.status_code == 200, result.text
    assert result.json()["status"] == "RELEASED"
    container = declaration["containers"][0]["container_no"]
    clearance = world.port.get("/clearance", params={"container_no": container}).json()
    assert clearance["may_load"] is True
    assert clearance["declaration_no"] == declaration["declaration_no"]
    loaded = world.port.post(f"/clearance/{declaration['declaration_no']}/loaded")
    assert loaded.status_code == 200
    assert loaded.json()["status"] == "LOADED" and loaded.json()["may_load"] is False
    events = world.officer.get(f"/declarations/{declaration['id']}/events").json()
    path = [e["to_status"] for e in events if e["action"] == "transition"]
    assert path == ["SUBMITTED", "SCREENING", "INSPECTION_REQUIRED", "INSPECTION_SCHEDULED",
                    "INSPECTED", "RELEASED", "LOADED"]


def test_inspection_fail_rejects_and_the_port_must_hold(world: World) -> None:
    declaration = world.screened()
    task = world.officer.get("/inspections").json()["items"][0]
    world.officer.post(f"/inspections/{task['id']}/result",
                       json={"outcome": "fail", "notes": "UN3481 mark on UN3480 goods"})
    clearance = world.port.get("/clearance",
                               params={"declaration_no": declaration["declaration_no"]}).json()
    assert clearance["status"] == "REJECTED" and clearance["may_load"] is False
    again = world.officer.post(f"/inspections/{task['id']}/result", json={"outcome": "pass"})
    assert again.status_code == 409


def test_clearance_query_needs_exactly_one_key_and_a_valid_container(world: World) -> None:
    assert world.port.get("/clearance").status_code == 422
    bad = world.port.get("/clearance", params={"container_no": "CSQU3054384"})
    assert bad.status_code == 422 and "check digit" in bad.json()["detail"]
    missing = world.port.get("/clearance", params={"container_no": "MSKU1234565"})
    assert missing.status_code == 404


def test_certificate_verifies_until_the_release_is_revoked(world: World) -> None:
    declaration = world.screened()
    task = world.officer.get("/inspections").json()["items"][0]
    world.officer.post(f"/inspections/{task['id']}/result", json={"outcome": "pass"})
    links = world.exporter_a.get(f"/declarations/{declaration['id']}/certificate").json()
    pdf = world.exporter_a.get(links["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert world.exporter_b.get(links["pdf_url"]).status_code == 404
    verify = world.anonymous.get(f"/certificates/{links['certificate_no']}/verify").json()
    assert verify["valid"] is True and verify["signature_valid"] is True
    assert verify["payload"] is None  # the full contents need the QR code's token
    token = extract_envelope(pdf.content)["verify_url"].split("?t=")[1]
    verify = world.anonymous.get(f"/certificates/{links['certificate_no']}/verify",
                                 params={"token": token}).json()
    assert verify["payload"]["declaration_no"] == declaration["declaration_no"]
    revoked = world.officer.post(f"/declarations/{declaration['id']}/revoke",
                                 json={"reason": "post-clearance audit: wrong UN number"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "REJECTED"
    verify = world.anonymous.get(f"/certificates/{links['certificate_no']}/verify").json()
    assert verify["valid"] is False and verify["signature_valid"] is True
    assert verify["revoked"] is True and verify["revoked_at"] is not None
    assert "revoked" in verify["reasons"][0]


def test_a_tampered_certificate_does_not_verify(world: World) -> None:
    from sqlmodel import Session, select

    from models import Certificate

    world.screened()
    task = world.officer.get("/inspections").json()["items"][0]
    world.officer.post(f"/inspections/{task['id']}/result", json={"outcome": "pass"})
    with Session(world.engine) as session:
        certificate = session.exec(select(Certificate)).one()
        certificate.payload = {**certificate.payload, "containers": ["MSKU1234565"]}
        session.add(certificate)
        session.commit()
        number = certificate.certificate_no
    verify = world.anonymous.get(f"/certificates/{number}/verify").json()
    assert verify["valid"] is False and verify["signature_valid"] is False


def test_unknown_certificate_is_not_valid(world: World) -> None:
    verify = world.anonymous.get("/certificates/CLC000/verify").json()
    assert verify["valid"] is False
    assert "ever issued" in verify["reasons"][0]


def test_clean_vision_result_releases_at_once_with_a_green_certificate(world: World) -> None:
    world.settings.sampling_rate_advanced = 0.0  # no random sampling draw for this shipment
    world.use_screener(fake_screener(VisionDecision.release))
    declaration = world.submitted(filing_id=world.approved_filing())
    upload(world, declaration["id"])
    after = world.exporter_a.get(f"/declarations/{declaration['id']}").json()
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert after["status"] == "RELEASED"
    assert screening["channel"] == "green" and screening["sampling_draw"] is not None
    evidence = world.exporter_a.get(screening["evidence_urls"][0])
    assert evidence.status_code == 200
    links = world.exporter_a.get(f"/declarations/{declaration['id']}/certificate").json()
    pdf = world.exporter_a.get(links["pdf_url"]).content
    token = extract_envelope(pdf)["verify_url"].split("?t=")[1]
    verify = world.anonymous.get(f"/certificates/{links['certificate_no']}/verify",
                                 params={"token": token}).json()
    assert verify["valid"] and verify["payload"]["channel"] == "green"


def test_clean_photos_without_an_approved_filing_still_go_to_inspection(world: World) -> None:
    world.use_screener(fake_screener(VisionDecision.release))
    declaration = world.submitted()
    upload(world, declaration["id"])
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert "no_approved_filing" in screening["rule_hits"]
    assert world.exporter_a.get(f"/declarations/{declaration['id']}").json()["status"] == \
        "INSPECTION_REQUIRED"


def test_anomaly_goes_to_inspection_with_the_vision_reasons(world: World) -> None:
    world.use_screener(fake_screener(
        VisionDecision.inspect,
        ("un_number_mismatch", "the mark reads UN3481, the declaration says UN3480")))
    declaration = world.submitted(filing_id=world.approved_filing())
    upload(world, declaration["id"])
    task = world.officer.get("/inspections").json()["items"][0]
    assert task["declaration_id"] == declaration["id"]
    assert task["reasons"][0] == "the mark reads UN3481, the declaration says UN3480"
    assert task["mode"] == "remote" and task["risk_level"] == 3


def test_retake_request_tells_the_exporter_what_to_fix_and_reupload_rescreens(
        world: World) -> None:
    world.use_screener(fake_screener(
        VisionDecision.retake_photo, ("blurred", "the photo is out of focus; hold still")))
    declaration = world.submitted(filing_id=world.approved_filing())
    upload(world, declaration["id"])
    after = world.exporter_a.get(f"/declarations/{declaration['id']}").json()
    assert after["status"] == "PHOTOS_REJECTED"
    screening = world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()
    assert screening["reasons"][0]["message"] == "the photo is out of focus; hold still"
    assert world.officer.get("/inspections").json()["total"] == 0
    world.use_screener(fake_screener(
        VisionDecision.inspect, ("design_mismatch", "the carton differs from the filing")))
    upload(world, declaration["id"], seed=2)
    assert world.exporter_a.get(f"/declarations/{declaration['id']}").json()["status"] == \
        "INSPECTION_REQUIRED"


def test_release_time_statistics_split_by_channel(world: World) -> None:
    for _ in range(2):
        world.screened()
    for task in world.officer.get("/inspections").json()["items"]:
        world.officer.post(f"/inspections/{task['id']}/result", json={"outcome": "pass"})
    stats = world.officer.get("/stats/release-times").json()
    assert stats["overall"]["count"] == 2
    assert stats["by_channel"]["remote_inspection"]["count"] == 2
    assert stats["shares"]["remote_inspection"] == 1.0
    assert stats["overall"]["median_minutes"] >= 0
