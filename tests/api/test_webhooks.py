"""Webhooks: signed status events for exporters, delivered by the durable job queue."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.api.conftest import World
from tests.api.port_helpers import release_by_inspection


class Receiver:
    """An exporter's webhook receiver on 127.0.0.1: answers the queued status codes in turn
    (then 200) and keeps every request it got."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, event_type: str) -> list[dict[str, Any]]:
        return [r for r in self.requests
                if r["headers"]["X-ClearLane-Event"] == event_type]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def signature_is_valid(secret: str, request: dict[str, Any]) -> bool:
    timestamp = request["headers"]["X-ClearLane-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request["body"],
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v1={expected}", request["headers"]["X-ClearLane-Signature"])


def register(world: World, receiver: Receiver, **extra: Any) -> dict[str, Any]:
    response = world.exporter_a.post("/webhooks", json={"url": receiver.url, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_screening_done_is_delivered_signed_and_retried_after_a_500(
        world: World, receiver: Receiver) -> None:
    endpoint = register(world, receiver)
    receiver.answers = [500]
    declaration = world.screened()
    done = receiver.events("screening.done")
    assert len(done) == 2, "one failed attempt and one retry"
    assert done[0]["headers"]["X-ClearLane-Event-Id"] == done[1]["headers"][
        "X-ClearLane-Event-Id"]
    assert all(signature_is_valid(endpoint["secret"], r) for r in done)
    assert not signature_is_valid("another-secret", done[1])
    body = json.loads(done[1]["body"])
    assert body["declaration_no"] == declaration["declaration_no"]
    assert body["data"]["outcome"] == "INSPECTION_REQUIRED"
    log = world.exporter_a.get("/webhooks/deliveries").json()
    entry = next(d for d in log if d["event_type"] == "screening.done")
    assert entry["status"] == "delivered" and entry["attempts"] == 2
    assert entry["last_status_code"] == 200


def test_release_carries_the_certificate_number_and_loading_is_announced(
        world: World, receiver: Receiver) -> None:
    register(world, receiver)
    declaration = release_by_inspection(world, world.screened())
    released = json.loads(receiver.events("declaration.released")[0]["body"])
    certificate = world.exporter_a.get(f"/declarations/{declaration['id']}/certificate").json()
    assert released["data"]["certificate_no"] == certificate["certificate_no"]
    number = declaration["containers"][0]["container_no"]
    world.port.post("/port/loadings", json={"container_nos": [number]})
    world.settle()
    assert len(receiver.events("declaration.loaded")) == 1


def test_an_endpoint_gets_only_the_events_it_subscribed_to(world: World,
                                                           receiver: Receiver) -> None:
    register(world, receiver, events=["declaration.rejected"])
    world.screened()
    assert receiver.requests == []


def test_a_logged_delivery_can_be_replayed_with_the_same_event_id(
        world: World, receiver: Receiver) -> None:
    register(world, receiver)
    world.screened()
    delivery = world.exporter_a.get("/webhooks/deliveries").json()[0]
    replayed = world.exporter_a.post(f"/webhooks/deliveries/{delivery['id']}/replay")
    assert replayed.status_code == 202
    world.settle()
    ids = [r["headers"]["X-ClearLane-Event-Id"] for r in receiver.requests]
    assert ids.count(delivery["event_id"]) == 2


def test_another_exporter_sees_neither_endpoints_nor_deliveries(
        world: World, receiver: Receiver) -> None:
    register(world, receiver)
    world.screened()
    delivery = world.exporter_a.get("/webhooks/deliveries").json()[0]
    assert world.exporter_b.get("/webhooks").json() == []
    assert world.exporter_b.get("/webhooks/deliveries").json() == []
    replay = world.exporter_b.post(f"/webhooks/deliveries/{delivery['id']}/replay")
    assert replay.status_code == 404


def test_registering_an_unknown_event_says_which_events_exist(world: World) -> None:
    response = world.exporter_a.post("/webhooks", json={"url": "https://example.com/h",
                                                        "events": ["declaration.exploded"]})
    assert response.status_code == 422
    assert "screening.done" in response.json()["detail"]


def test_the_exporter_page_registers_a_webhook_shows_the_log_and_replays(
        world: World, receiver: Receiver) -> None:
    token = world.exporter_a.headers["Authorization"].removeprefix("Bearer ")
    browser = world.client
    browser.cookies.set("clearlane_token", token)
    page = browser.post("/exporter/notifications",
                        data={"url": receiver.url, "events": ["screening.done"]})
    assert page.status_code == 200 and "签名密钥仅此一次显示" in page.text
    world.screened()
    log = browser.get("/exporter/notifications")
    assert 'data-status="delivered"' in log.text and "screening.done" in log.text
    delivery = world.exporter_a.get("/webhooks/deliveries").json()[0]
    replayed = browser.post(f"/exporter/notifications/deliveries/{delivery['id']}/replay",
                            follow_redirects=True)
    assert "已重新排队推送" in replayed.text
    world.settle()
    assert len(receiver.requests) == 2


def test_production_refuses_to_post_webhooks_to_internal_addresses(
        world: World, receiver: Receiver) -> None:
    world.settings.webhook_private_hosts = False  # as in production
    register(world, receiver, events=["screening.done"])
    receiver_hits_before = len(receiver.requests)
    world.screened()
    assert len(receiver.requests) == receiver_hits_before, "nothing reached 127.0.0.1"
    entry = world.exporter_a.get("/webhooks/deliveries").json()[0]
    assert entry["status"] == "failed" and "internal address 127.0.0.1" in entry["last_error"]


def test_exporter_pages_poll_for_status_changes_of_their_own_declarations(
        world: World) -> None:
    browser = world.client
    browser.cookies.set("clearlane_token",
                        world.exporter_a.headers["Authorization"].removeprefix("Bearer "))
    start = browser.get("/exporter/events").json()
    assert start["events"] == []
    declaration = world.screened()
    world.screened(exporter=world.exporter_b)
    feed = browser.get("/exporter/events", params={"after": start["newest"]}).json()
    mine = {e["declaration_no"] for e in feed["events"]}
    assert mine == {declaration["declaration_no"]}, "only this exporter's declarations"
    assert "需要查验" in {e["status"] for e in feed["events"]}, "labelled in Chinese"
    assert feed["newest"] > start["newest"]
