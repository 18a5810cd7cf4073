"""Export transit under e-seal (Sanming inland port → Xiamen Haicang, 一锁通), end to end."""

import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from customs.enterprises import create_office
from customs.settings import Settings
from models import OfficeCreate
from tests.api.conftest import World, make_settings
from tests.api.images import jpeg_bytes
from tests.api.port_helpers import release_by_inspection

SYSTEM, SECRET = "fuxia-eseal", "eseal-test-secret-0123456789"
HAICANG = 1  # the office the world fixture creates first


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data", eseal_systems={SYSTEM: SECRET})


def sanming(world: World) -> int:
    with Session(world.engine) as session:
        office = create_office(session, OfficeCreate(name="Sanming", latitude=26.26,
                                                     longitude=117.64))
        assert office.id is not None
        return office.id


def transit_declaration(world: World) -> dict[str, Any]:
    """Declared with one sealed container, then released at the inland office."""
    declaration = world.declaration()
    number = declaration["containers"][0]["container_no"]
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/transit", json={
        "origin_office_id": sanming(world), "destination_office_id": HAICANG,
        "vehicle_plate": "闽G12345", "eta": "2026-12-02T08:00:00Z",
        "seals": [{"container_no": number, "seal_no": f"ES{declaration['id']:06d}"}]})
    assert response.status_code == 201, response.text
    world.exporter_a.post(f"/declarations/{declaration['id']}/submit")
    world.upload_packing_photo(declaration["id"], jpeg_bytes(seed=declaration["id"]))
    return release_by_inspection(world, declaration) | {"seal_no": f"ES{declaration['id']:06d}"}



def send(world: World, body: dict[str, Any], *, secret: str = SECRET,
         timestamp: int | None = None) -> Any:
    raw = json.dumps({"nonce": uuid.uuid4().hex, **body}).encode()
    signed_at = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{signed_at}.".encode() + raw,
                         hashlib.sha256).hexdigest()
    return world.client.post("/eseal/events", content=raw, headers={
        "Content-Type": "application/json", "X-ESeal-System": SYSTEM,
        "X-ESeal-Timestamp": str(signed_at), "X-ESeal-Signature": f"v1={signature}"})


def seal_event(world: World, declaration: dict[str, Any], kind: str) -> Any:
    response = send(world, {"seal_no": declaration["seal_no"], "kind": kind,
                            "location": "G70"})
    assert response.status_code == 200, response.text
    return response.json()


def lookup(world: World, declaration: dict[str, Any]) -> dict[str, Any]:
    return world.port.get("/clearance", params={
        "container_no": declaration["containers"][0]["container_no"]}).json()


def vessel_row(world: World, declaration: dict[str, Any]) -> dict[str, Any]:
    listing = world.port.get("/port/vessels", params={"vessel": "COSCO XIAMEN",
                                                      "voyage": "041E"}).json()
    return next(r for r in listing["containers"]
                if r["declaration_no"] == declaration["declaration_no"])


def test_intact_seal_on_arrival_lets_the_port_load_without_a_new_check(world: World) -> None:
    declaration = transit_declaration(world)
    assert declaration["status"] == "RELEASED"
    assert lookup(world, declaration)["may_load"] is False, "released inland, not yet here"
    for kind in ("applied", "departed"):
        seal_event(world, declaration, kind)
    row = vessel_row(world, declaration)
    assert row["load_status"] == "in_transit" and row["eta"].startswith("2026-12-02T08:00")
    seal = seal_event(world, declaration, "arrived")
    assert seal["state"] == "arrived" and seal["broken_at"] is None
    assert lookup(world, declaration)["may_load"] is True
    assert vessel_row(world, declaration)["reason_code"] == "seal_intact"
    number = declaration["containers"][0]["container_no"]
    loaded = world.port.post("/port/loadings", json={"container_nos": [number]}).json()
    assert loaded["loaded"] == 1
    actions = [e["action"] for e in
               world.officer.get(f"/declarations/{declaration['id']}/events").json()]
    seal_actions = [a for a in actions if a.startswith("seal_")]
    assert seal_actions == ["seal_applied", "seal_departed", "seal_arrived"]
    stats = world.officer.get("/stats/release-times").json()
    assert stats["transit_by_route"]["Sanming → Haicang"]["count"] == 1


def test_a_tampered_seal_holds_the_container_and_opens_a_port_inspection(
        world: World) -> None:
    declaration = transit_declaration(world)
    for kind in ("applied", "departed", "tampered", "arrived"):
        seal_event(world, declaration, kind)
    assert lookup(world, declaration)["may_load"] is False
    row = vessel_row(world, declaration)
    assert row["load_status"] == "hold" and row["reason_code"] == "seal_broken"
    tasks = [t for t in world.officer.get("/inspections?status=open").json()["items"]
             if t["declaration_id"] == declaration["id"]]
    assert len(tasks) == 1
    assert tasks[0]["mode"] == "onsite" and tasks[0]["address"] == "Haicang"
    assert "e-seal was broken" in tasks[0]["reasons"][0]
    number = declaration["containers"][0]["container_no"]
    refused = world.port.post("/port/loadings", json={"container_nos": [number]}).json()
    assert refused["loaded"] == 0
    released = release_by_inspection(world, declaration)
    assert released["status"] == "RELEASED"
    assert lookup(world, declaration)["may_load"] is True
    assert vessel_row(world, declaration)["reason_code"] == "released_after_port_inspection"


def test_arrival_without_an_applied_seal_counts_as_a_missing_seal(world: World) -> None:
    declaration = transit_declaration(world)
    seal = seal_event(world, declaration, "arrived")
    assert seal["broken_reason"] == "arrived at the port without an applied e-seal"
    assert vessel_row(world, declaration)["load_status"] == "hold"


def test_opening_the_seal_after_arrival_is_normal(world: World) -> None:
    declaration = transit_declaration(world)
    for kind in ("applied", "departed", "arrived", "opened"):
        seal_event(world, declaration, kind)
    assert lookup(world, declaration)["may_load"] is True


def test_a_replayed_or_forged_or_stale_seal_event_is_refused(world: World) -> None:
    declaration = transit_declaration(world)
    body = {"seal_no": declaration["seal_no"], "kind": "applied", "nonce": "n-1"}
    assert send(world, body).status_code == 200
    replay = send(world, body)
    assert replay.status_code == 409 and replay.json()["code"] == "eseal_replay"
    forged = send(world, {**body, "nonce": "n-2"}, secret="guessed")
    assert forged.status_code == 401 and forged.json()["code"] == "eseal_bad_signature"
    stale = send(world, {**body, "nonce": "n-3"}, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401 and stale.json()["code"] == "eseal_stale"


def test_a_seal_is_applied_only_after_release_and_an_officer_may_record_events(
        world: World) -> None:
    declaration = world.declaration()
    number = declaration["containers"][0]["container_no"]
    world.exporter_a.post(f"/declarations/{declaration['id']}/transit", json={
        "origin_office_id": sanming(world), "destination_office_id": HAICANG,
        "vehicle_plate": "MIN-G1", "seals": [{"container_no": number, "seal_no": "ESX1"}]})
    early = world.officer.post("/transit/seal-events", json={"seal_no": "ESX1",
                                                             "kind": "applied"})
    assert early.status_code == 409 and early.json()["code"] == "seal_before_release"
    tampered = world.officer.post("/transit/seal-events", json={"seal_no": "ESX1",
                                                                "kind": "tampered"})
    assert tampered.status_code == 200 and tampered.json()["broken_at"] is not None


def test_transit_needs_one_seal_per_declared_container(world: World) -> None:
    declaration = world.declaration()
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/transit", json={
        "origin_office_id": sanming(world), "destination_office_id": HAICANG,
        "vehicle_plate": "MIN-G1", "seals": [{"container_no": "CSQU3054383",
                                              "seal_no": "ES1"}]})
    assert response.status_code == 422
    assert response.json()["code"] == "transit_seals_mismatch"


def test_the_exporter_declares_a_transit_on_the_declaration_page(world: World) -> None:
    declaration = world.declaration()
    number = declaration["containers"][0]["container_no"]
    origin = sanming(world)
    browser = world.client
    browser.cookies.set("clearlane_token",
                        world.exporter_a.headers["Authorization"].removeprefix("Bearer "))
    form = browser.get(f"/exporter/declarations/{declaration['id']}")
    assert "出口转关（一锁通）" in form.text and 'name="seal_no"' in form.text
    saved = browser.post(f"/exporter/declarations/{declaration['id']}/transit", data={
        "origin_office_id": str(origin), "destination_office_id": str(HAICANG),
        "vehicle_plate": "闽G 12345", "eta": "2026-12-02T16:00",
        "container_no": number, "seal_no": "es-page-1"})
    assert saved.status_code == 200 and 'data-seal="ES-PAGE-1"' in saved.text
    record = world.exporter_a.get(f"/declarations/{declaration['id']}/transit").json()
    assert record["eta"].startswith("2026-12-02T08:00"), "read in the port's time zone"
