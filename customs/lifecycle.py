"""The declaration state machine (DESIGN §4).

Only the transitions in `ALLOWED` happen. Each one bumps the version with a conditional UPDATE,
so of two racing writers exactly one wins and the other gets `ConcurrentUpdate`, and each one
writes an audit event in the same transaction.
"""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from customs import audit, notifications
from customs.errors import ConcurrentUpdate, IllegalTransition
from models import Container, Declaration, User, utcnow
from models import DeclarationStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.draft: frozenset({S.submitted, S.cancelled}),
    S.submitted: frozenset({S.screening, S.photos_rejected, S.cancelled}),
    S.screening: frozenset({S.released, S.inspection_required, S.photos_rejected}),
    S.photos_rejected: frozenset({S.screening}),
    S.inspection_required: frozenset({S.inspection_scheduled}),
    S.inspection_scheduled: frozenset({S.inspected, S.inspection_required}),
    S.inspected: frozenset({S.released, S.rejected}),
    # released → inspection required: an e-seal broken in transit (customs.transit)
    S.released: frozenset({S.loaded, S.rejected, S.inspection_required}),
    S.rejected: frozenset(),
    S.loaded: frozenset(),
    S.cancelled: frozenset(),
}

_TIMESTAMPS = {S.submitted: "submitted_at", S.released: "released_at", S.loaded: "loaded_at"}
# A declaration in one of these no longer holds its containers (DESIGN §2, direct loading).
RELEASES_CONTAINERS = frozenset({S.cancelled, S.rejected, S.loaded})


def can_transition(current: S, target: S) -> bool:
    return target in ALLOWED[current]


def transition(
    session: Session,
    declaration: Declaration,
    target: S,
    actor: User | None,
    *,
    reason: str = "",
    evidence: list[str] | None = None,
    at: datetime | None = None,
) -> None:
    current = S(declaration.status)
    if not can_transition(current, target):
        allowed = ", ".join(sorted(ALLOWED[current])) or "none (final state)"
        raise IllegalTransition(
            f"declaration {declaration.declaration_no} is {current}; it cannot become {target}. "
            f"Allowed from {current}: {allowed}"
        )
    expected = declaration.version
    result = session.execute(
        update(Declaration)
        .where(Declaration.id == declaration.id, Declaration.version == expected)  # type: ignore[arg-type]
        .values(version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentUpdate(
            f"declaration {declaration.declaration_no} was changed by someone else meanwhile; "
            "reload it and try again"
        )
    declaration.version = expected + 1
    declaration.status = target
    if target in _TIMESTAMPS:
        setattr(declaration, _TIMESTAMPS[target], at or utcnow())
    session.add(declaration)
    if target in RELEASES_CONTAINERS:
        session.execute(update(Container).where(Container.declaration_id == declaration.id)  # type: ignore[arg-type]
                        .values(live_no=None).execution_options(synchronize_session=False))
    audit.record(session, declaration.id, actor, "transition", from_status=current,
                 to_status=target, reason=reason, evidence=evidence)
    notifications.on_transition(session, declaration, current, target, reason)
    session.flush()
