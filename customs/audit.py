"""The audit trail: append-only events, written in the caller's transaction."""

from datetime import datetime

from sqlmodel import Session, col, select

from models import AuditEvent, DeclarationStatus, User


def record(
    session: Session,
    declaration_id: int,
    actor: User | None,
    action: str,
    *,
    from_status: DeclarationStatus | None = None,
    to_status: DeclarationStatus | None = None,
    reason: str = "",
    evidence: list[str] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        declaration_id=declaration_id,
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "system",
        role=actor.role if actor else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:2000],
        evidence=evidence or [],
    )
    session.add(event)
    return event


def events_for(session: Session, declaration_id: int) -> list[AuditEvent]:
    query = (select(AuditEvent).where(AuditEvent.declaration_id == declaration_id)
             .order_by(col(AuditEvent.id)))
    return list(session.exec(query))


def entered_status_at(session: Session, declaration_id: int, status: DeclarationStatus
                      ) -> datetime | None:
    """When the declaration last moved into `status` (None if it never did)."""
    query = (select(AuditEvent.at)
             .where(AuditEvent.declaration_id == declaration_id,
                    AuditEvent.to_status == status)
             .order_by(col(AuditEvent.id).desc()))
    return session.exec(query).first()
