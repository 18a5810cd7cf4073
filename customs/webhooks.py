"""Exporters' webhook endpoints and the signed delivery of status events to them.

Every body is JSON, POSTed with
  X-ClearLane-Event-Id: the event's id (the same for a retried or replayed delivery)
  X-ClearLane-Event: its type
  X-ClearLane-Timestamp: Unix seconds when this attempt was signed
  X-ClearLane-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under the endpoint secret>
A receiver recomputes the HMAC, compares in constant time and refuses old timestamps. A non-2xx
answer (or no answer) is retried by the job queue with exponential back-off (`jobs.fail`).
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from customs import jobs, transaction
from customs.db import session_scope
from customs.errors import Invalid, NotFound
from customs.notifications import WEBHOOK
from customs.settings import Settings
from models import (
    WEBHOOK_EVENTS,
    Job,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointCreate,
    utcnow,
)

SIGNATURE_VERSION = "v1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def register(session: Session, user: User, data: WebhookEndpointCreate) -> WebhookEndpoint:
    if user.enterprise_id is None:
        raise Invalid("only an exporter's account can register webhooks",
                      code="webhook_needs_enterprise")
    unknown = sorted(set(data.events) - set(WEBHOOK_EVENTS))
    if unknown:
        raise Invalid(f"unknown events {', '.join(unknown)}; choose from "
                      f"{', '.join(WEBHOOK_EVENTS)}", code="webhook_unknown_event")
    if not data.events:
        raise Invalid("subscribe to at least one event", code="webhook_no_events")
    endpoint = WebhookEndpoint(enterprise_id=user.enterprise_id, url=data.url,
                               secret=secrets.token_urlsafe(32), events=list(data.events))
    session.add(endpoint)
    transaction.commit(session)
    return endpoint


def endpoints_of(session: Session, user: User) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.enterprise_id == user.enterprise_id).order_by(col(WebhookEndpoint.id))))


def deliveries_of(session: Session, user: User, limit: int = 100) -> list[WebhookDelivery]:
    query = (select(WebhookDelivery)
             .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
             .where(WebhookEndpoint.enterprise_id == user.enterprise_id)
             .order_by(col(WebhookDelivery.id).desc()).limit(limit))
    return list(session.exec(query))


def _owned_delivery(session: Session, user: User, delivery_id: int) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
    if delivery is None or endpoint is None or endpoint.enterprise_id != user.enterprise_id:
        raise NotFound(f"webhook delivery {delivery_id} does not exist")
    return delivery


def replay(session: Session, user: User, delivery_id: int) -> WebhookDelivery:
    """Sends a logged event again (same event id, fresh signature), as a new durable job."""
    delivery = _owned_delivery(session, user, delivery_id)
    delivery.status = "pending"
    session.add(delivery)
    jobs.enqueue_each(session, WEBHOOK, delivery.declaration_id, {"delivery_id": delivery.id})
    transaction.commit(session)
    return delivery


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; the job queue retries later."""


def deliver(engine: Engine, settings: Settings, job: Job) -> None:
    """One attempt: POST the signed body, log the outcome, raise on failure (to be retried)."""
    delivery_id = int(job.payload["delivery_id"])
    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None or not endpoint.active:
            return  # endpoint removed meanwhile: nothing to send
        url, secret, payload = endpoint.url, endpoint.secret, dict(delivery.payload)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": "ClearLane-Webhooks/1",
               "X-ClearLane-Event-Id": str(payload["id"]),
               "X-ClearLane-Event": str(payload["type"]),
               "X-ClearLane-Timestamp": str(timestamp),
               "X-ClearLane-Signature": sign(secret, timestamp, body)}
    refused = "" if settings.webhooks_may_reach_private_hosts else _private_host(url)
    if refused:  # retrying would not help: logged as failed, and the job ends
        _log_attempt(engine, delivery_id, None, refused, final=True)
        return
    code, error = _post(url, body, headers, settings.webhook_timeout_s)
    final = job.attempts >= jobs.MAX_ATTEMPTS
    _log_attempt(engine, delivery_id, code, error, final)
    if error:
        raise DeliveryFailed(error)


def _post(url: str, body: bytes, headers: dict[str, str], timeout_s: float
          ) -> tuple[int | None, str]:
    """(HTTP status or None, why it failed or '')."""
    try:
        response = httpx.post(url, content=body, headers=headers, follow_redirects=False,
                              timeout=timeout_s)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if not 200 <= response.status_code < 300:
        return response.status_code, f"the receiver answered HTTP {response.status_code}"
    return response.status_code, ""


def _private_host(url: str) -> str:
    """Why the URL may not be called from inside customs' network ('' when it may): a host
    resolving to a loopback, private, link-local or reserved address (SSRF)."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return f"cannot resolve {host}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved \
                or ip.is_multicast or ip.is_unspecified:
            return f"refused: {host} resolves to the internal address {address}"
    return ""


def _log_attempt(engine: Engine, delivery_id: int, code: int | None, error: str,
                 final: bool) -> None:
    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return
        delivery.attempts += 1
        delivery.last_status_code = code
        delivery.last_error = error
        if not error:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
        else:
            delivery.status = "failed" if final else "retrying"
        session.add(delivery)


def public_endpoint(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return endpoint.model_dump(include={"id", "url", "events", "active", "created_at"})
