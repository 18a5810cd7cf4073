"""What port operators ask before loading: may this container/declaration go on the ship?

`lookup_statement` + `answer` are the hot path (`GET /clearance`): one Core SELECT returning
only the answer's columns, one row per container of the declaration found; no ORM objects, no
session, no commit. A released declaration under an export transit also depends on its
e-seals: for those (`needs_full_status`) the answer comes from `full_status`, the ORM path that
`find` + `status_of` take for the paths that change them.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, Row, Select, Table, bindparam, exists
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from customs import lifecycle, transaction, transit
from customs.containers import normalise_container_no
from customs.errors import Conflict, Invalid, NotFound
from models import (
    ClearanceStatus,
    Container,
    Declaration,
    DeclarationStatus,
    Transit,
    User,
)

_MESSAGES = {
    DeclarationStatus.released: "released: may load",
    DeclarationStatus.loaded: "already loaded",
    DeclarationStatus.rejected: "rejected by customs: hold, do not load",
    DeclarationStatus.cancelled: "declaration cancelled: do not load",
}


_DECLARATION: Table = Declaration.__table__  # type: ignore[attr-defined]
_CONTAINER: Table = Container.__table__  # type: ignore[attr-defined]


def _query_check(container_no: str | None, declaration_no: str | None) -> None:
    if bool(container_no) == bool(declaration_no):
        raise Invalid("give exactly one of container_no or declaration_no",
                      code="clearance_query")


def _lookup_statements() -> tuple[Select[Any], Select[Any]]:
    """Built once (constructing a SELECT costs more than running it): by container number and
    by declaration number, each with the bound parameter `key`."""
    d, c = _DECLARATION, _CONTAINER
    listed = _CONTAINER.alias("listed")
    transit = Transit.__table__  # type: ignore[attr-defined]
    has_transit = exists().where(transit.c.declaration_id == d.c.id).label("has_transit")
    columns = core_select(d.c.declaration_no, d.c.status, d.c.released_at, d.c.loaded_at,
                          has_transit, listed.c.container_no
                          ).select_from(d.outerjoin(listed, listed.c.declaration_id == d.c.id))
    holder = (core_select(d.c.id).join(c, c.c.declaration_id == d.c.id)
              .where(c.c.container_no == bindparam("key"))
              .order_by(c.c.live_no.is_(None), d.c.status != DeclarationStatus.loaded,
                        d.c.id.desc())
              .limit(1).scalar_subquery())
    by_container = columns.where(d.c.id == holder).order_by(listed.c.id)
    by_declaration = columns.where(d.c.declaration_no == bindparam("key")).order_by(listed.c.id)
    return by_container, by_declaration


_BY_CONTAINER, _BY_DECLARATION = _lookup_statements()


def lookup_statement(*, container_no: str | None, declaration_no: str | None
                     ) -> tuple[Select[Any], dict[str, str], str]:
    """The one SELECT that answers a clearance question, its parameters, and what to name if
    nothing matches.

    Rows: (declaration_no, status, released_at, loaded_at, has_transit, container_no), one per
    container of
    the declaration (one row with container_no NULL if it has none), in container order. The
    declaration for a container follows `_container_holder`: the live holder first (`live_no`
    is the container number while its declaration is live, else NULL), then the last one that
    loaded it, then the most recent that named it."""
    _query_check(container_no, declaration_no)
    if declaration_no:
        return _BY_DECLARATION, {"key": declaration_no}, f"no declaration {declaration_no}"
    number = normalise_container_no(container_no or "")
    return _BY_CONTAINER, {"key": number}, f"no declaration covers container {number}"


def answer(rows: Sequence[Row[Any]], missing: str) -> ClearanceStatus:
    """The clearance answer from `lookup_statement`'s rows (NotFound naming what was asked)."""
    if not rows:
        raise NotFound(missing)
    declaration_no, status, released_at, loaded_at, _, _ = rows[0]
    status = DeclarationStatus(status)
    return ClearanceStatus(
        declaration_no=declaration_no,
        container_nos=[row[5] for row in rows if row[5] is not None],
        status=status, released_at=released_at, loaded_at=loaded_at,
        may_load=status == DeclarationStatus.released,
        message=_MESSAGES.get(status, "not yet released: hold"),
    )


def needs_full_status(rows: Sequence[Row[Any]]) -> bool:
    """Released under an export transit: whether it may load depends on its e-seals too."""
    return bool(rows) and DeclarationStatus(rows[0][1]) == DeclarationStatus.released \
        and bool(rows[0][4])


def full_status(engine: Engine, declaration_no: str) -> ClearanceStatus:
    """`status_of` in a read-only session of its own (closed, hence rolled back)."""
    with Session(engine) as session:
        declaration = find(session, container_no=None, declaration_no=declaration_no)
        return status_of(session, declaration)


def status_of(session: Session, declaration: Declaration) -> ClearanceStatus:
    """May it load? For an export transit, only once its e-seals arrived intact (or a port
    inspection released it again), see `customs.transit.port_view`."""
    status = DeclarationStatus(declaration.status)
    views = transit.views_for(session, declaration)
    waiting = next((v for v in views.values() if not v.may_load), None)
    may_load = status == DeclarationStatus.released and waiting is None
    message = _MESSAGES.get(status, "not yet released: hold")
    if status == DeclarationStatus.released and waiting is not None:
        message = waiting.message + ": hold"
    return ClearanceStatus(
        declaration_no=declaration.declaration_no,
        container_nos=list(views),
        status=status,
        released_at=declaration.released_at,
        loaded_at=declaration.loaded_at,
        may_load=may_load,
        message=message,
    )


def find(session: Session, *, container_no: str | None, declaration_no: str | None
         ) -> Declaration:
    _query_check(container_no, declaration_no)
    if declaration_no:
        declaration = session.exec(
            select(Declaration).where(Declaration.declaration_no == declaration_no)).first()
        if declaration is None:
            raise NotFound(f"no declaration {declaration_no}")
        return declaration
    number = normalise_container_no(container_no or "")
    declaration = _container_holder(session, number)
    if declaration is None:
        raise NotFound(f"no declaration covers container {number}")
    return declaration


def _container_holder(session: Session, number: str) -> Declaration | None:
    """The live declaration holding the container; with none live, the last one that loaded
    it; else the most recent one that named it (rejected or cancelled: hold)."""
    base = select(Declaration).join(Container, col(Container.declaration_id) == Declaration.id)
    live = session.exec(base.where(Container.live_no == number)).first()
    if live is not None:
        return live
    named = base.where(Container.container_no == number).order_by(col(Declaration.id).desc())
    loaded = session.exec(named.where(Declaration.status == DeclarationStatus.loaded)).first()
    return loaded or session.exec(named).first()


def check_may_load(session: Session, declaration: Declaration) -> None:
    if declaration.status != DeclarationStatus.released:
        raise Conflict(f"declaration {declaration.declaration_no} is {declaration.status}; "
                       "only released declarations can be loaded", code="not_released")
    waiting = next((v for v in transit.views_for(session, declaration).values()
                    if not v.may_load), None)
    if waiting is not None:
        raise Conflict(f"declaration {declaration.declaration_no}: {waiting.message}; "
                       "it cannot be loaded yet", code=waiting.code)


def mark_loaded(session: Session, user: User, declaration: Declaration) -> Declaration:
    check_may_load(session, declaration)
    lifecycle.transition(session, declaration, DeclarationStatus.loaded, user,
                         reason="loaded onto the vessel (direct loading)")
    transaction.commit(session)
    return declaration
