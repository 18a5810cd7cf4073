"""The audit trail: append-only events, written in the caller's transaction."""

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
