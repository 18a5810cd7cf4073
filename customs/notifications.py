"""Status events for exporters: each becomes one webhook delivery per subscribed endpoint.

Events are written in the caller's transaction (a delivery row plus a durable "webhook" job),
so an event exists exactly when the change it reports is committed, and its delivery survives
a crash of any process. Delivery itself is `customs.webhooks.deliver`.
"""

import uuid
from typing import Any

from sqlmodel import Session, col, func, select

from customs import jobs
from models import (
    AuditEvent,
    Declaration,
    InspectionTask,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from models import DeclarationStatus as S

WEBHOOK = "webhook"


def emit(session: Session, declaration: Declaration, event_type: str,
         data: dict[str, Any] | None = None) -> list[WebhookDelivery]:
    """Queues the event for every active endpoint of the declaration's exporter that wants it."""
    endpoints = session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.enterprise_id == declaration.enterprise_id,
        col(WebhookEndpoint.active).is_(True)).order_by(col(WebhookEndpoint.id)))
    wanted = [e for e in endpoints if event_type in e.events]
    if not wanted:
        return []
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {
        "id": event_id, "type": event_type, "created_at": utcnow().isoformat(),
        "declaration_no": declaration.declaration_no, "status": str(declaration.status),
        "data": data or {},
    }
    deliveries = []
    for endpoint in wanted:
        delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id,
                                   event_type=event_type, declaration_id=declaration.id,
                                   payload=payload)
        session.add(delivery)
        session.flush()
        jobs.enqueue_each(session, WEBHOOK, declaration.id, {"delivery_id": delivery.id})
        deliveries.append(delivery)
    return deliveries


def on_transition(session: Session, declaration: Declaration, current: S, target: S,
                  reason: str) -> None:
    """The lifecycle's status changes that exporters hear about. Release is announced by the
    certificate (it carries the certificate number), see `customs.certificates.issue`."""
    if current == S.screening:
        emit(session, declaration, "screening.done", {"outcome": str(target), "reason": reason})
    if target == S.inspection_scheduled:
        emit(session, declaration, "inspection.scheduled", _inspection_data(session, declaration))
    elif target == S.rejected:
        emit(session, declaration, "declaration.rejected", {"reason": reason})
    elif target == S.loaded:
        emit(session, declaration, "declaration.loaded",
             {"loaded_at": utcnow().isoformat()})


def recent_events(session: Session, enterprise_id: int, after_id: int | None,
                  limit: int = 20) -> tuple[int, list[tuple[AuditEvent, str]]]:
    """The exporter's status changes after `after_id` (the newest id, and each event with its
    declaration number); with no `after_id`, just the newest id, to start watching from."""
    newest = session.exec(
        select(func.max(AuditEvent.id))
        .join(Declaration, col(Declaration.id) == AuditEvent.declaration_id)
        .where(Declaration.enterprise_id == enterprise_id)).one() or 0
    if after_id is None:
        return newest, []
    rows = session.exec(
        select(AuditEvent, Declaration.declaration_no)
        .join(Declaration, col(Declaration.id) == AuditEvent.declaration_id)
        .where(Declaration.enterprise_id == enterprise_id, col(AuditEvent.id) > after_id,
               col(AuditEvent.to_status).is_not(None))
        .order_by(col(AuditEvent.id)).limit(limit))
    return newest, [(event, number) for event, number in rows]


def _inspection_data(session: Session, declaration: Declaration) -> dict[str, Any]:
    task = session.exec(select(InspectionTask).where(
        InspectionTask.declaration_id == declaration.id)
        .order_by(col(InspectionTask.id).desc())).first()
    if task is None:
        return {}
    data: dict[str, Any] = {"mode": str(task.mode), "task_id": task.id,
                            "window_start": task.window_start.isoformat()
                            if task.window_start else None,
                            "window_end": task.window_end.isoformat()
                            if task.window_end else None}
    if task.mode == "remote":
        data["video_link"] = f"/inspections/{task.id}/video"
    return data


