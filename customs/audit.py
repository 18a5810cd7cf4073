"""The audit trail: append-only events, written in the caller's transaction."""

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert
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


def _insert_for_actor() -> Any:
    users: Table = User.__table__  # type: ignore[attr-defined]
    events: Table = AuditEvent.__table__  # type: ignore[attr-defined]
    given = ("declaration_id", "action", "to_status", "reason", "evidence", "at")
    source = core_select(*(bindparam(name, type_=events.c[name].type) for name in given),
                         users.c.id, users.c.username, users.c.role
                         ).where(users.c.id == bindparam("actor_id"), users.c.is_active,
                                 users.c.deleted_at.is_(None))
    return insert(events).from_select([*given, "actor_id", "actor", "role"], source
                                      ).returning(events.c.id)


_INSERT_FOR_ACTOR = _insert_for_actor()  # built once: building costs more than running it


def record_for(session: Session, declaration_id: int, actor_id: int, action: str, *,
               to_status: DeclarationStatus | None = None) -> None:
    """`record` for an actor known by id only (a token's caller, no account loaded): one
    INSERT ... SELECT that takes the name and role from the account row. An account that is
    gone or disabled writes no event, and the change is refused: at once, even where the
    caller's session version is still remembered (`customs.session_cache`)."""
    written = session.execute(_INSERT_FOR_ACTOR, {
        "declaration_id": declaration_id, "action": action, "to_status": to_status,
        "reason": "", "evidence": [], "at": utcnow(), "actor_id": actor_id}).first()
    if written is None:
        raise Unauthorized("this account no longer exists or is disabled")
