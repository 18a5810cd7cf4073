"""The audit trail: append-only events, written in the caller's transaction."""

from datetime import datetime

from sqlalchemy import Table, insert, literal
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from customs.errors import Unauthorized
from models import AuditEvent, DeclarationStatus, User, utcnow


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


def record_for(session: Session, declaration_id: int, actor_id: int, action: str, *,
               to_status: DeclarationStatus | None = None) -> None:
    """`record` for an actor known by id only (a token's caller, no account loaded): one
    INSERT ... SELECT that takes the name and role from the account row. An account that is
    gone writes no event, and the change is refused."""
    users: Table = User.__table__  # type: ignore[attr-defined]
    events: Table = AuditEvent.__table__  # type: ignore[attr-defined]
    values = {"declaration_id": declaration_id, "action": action, "to_status": to_status,
              "reason": "", "evidence": [], "at": utcnow()}
    source = core_select(*(literal(value, events.c[name].type) for name, value in values.items()),
                         users.c.id, users.c.username, users.c.role
                         ).where(users.c.id == actor_id)
    written = session.execute(insert(events).from_select(
        [*values, "actor_id", "actor", "role"], source).returning(events.c.id)).first()
    if written is None:
        raise Unauthorized("this account no longer exists or is disabled")
