"""Declarations: creation, listing, the exporter's lifecycle actions and packing photos."""

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Table, Text, bindparam, case, cast, func, insert, literal, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from customs import audit, lifecycle, transaction
from customs.containers import normalise_container_no
from customs.errors import Conflict, Forbidden, Invalid, NotFound
from customs.pagination import paginate
from customs.scoping import Viewer, get_owned, scoped
from models import (
    Container,
    Declaration,
    DeclarationCreate,
    DeclarationPublic,
    DeclarationStatus,
    Filing,
    FilingStatus,
    GoodsLine,
    GoodsLinePublic,
    PackingPhoto,
    Role,
    User,
    utcnow,
)

PHOTO_STATES = {DeclarationStatus.submitted, DeclarationStatus.screening,
                DeclarationStatus.photos_rejected}


_DECLARATION: Table = Declaration.__table__  # type: ignore[attr-defined]
_GOODS: Table = GoodsLine.__table__  # type: ignore[attr-defined]
_CONTAINER: Table = Container.__table__  # type: ignore[attr-defined]
_FILING: Table = Filing.__table__  # type: ignore[attr-defined]
# Built once (building a statement costs more than running it), executed with parameters.
_FILING_OWNER = core_select(_FILING.c.enterprise_id).where(_FILING.c.id == bindparam("id"))
_INSERT_DECLARATION = insert(_DECLARATION).returning(_DECLARATION.c.id)
_NUMBER_DECLARATION = (update(_DECLARATION).where(_DECLARATION.c.id == bindparam("key"))
                       .values(declaration_no=bindparam("number")))
# PostgreSQL: the declaration under its final number in one statement (one round trip less):
# the id is drawn from the column's sequence first, in the same statement.
_GIVEN = (*(name for name in DeclarationCreate.model_fields if name not in ("goods", "containers")),
          "enterprise_id", "status", "version", "created_at")


def _insert_numbered() -> Any:
    d = _DECLARATION
    fresh = core_select(func.nextval(func.pg_get_serial_sequence(
        literal("declaration"), literal("id"))).label("id")).subquery("fresh")
    digits = cast(fresh.c.id, Text)
    number = bindparam("prefix", type_=Text) + case(  # f"{id:08d}"
        (fresh.c.id < 10**8, func.lpad(digits, 8, literal("0"))), else_=digits)
    source = core_select(cast(fresh.c.id, Integer), number,
                         *(bindparam(name, type_=d.c[name].type) for name in _GIVEN))
    return insert(d).from_select(["id", "declaration_no", *_GIVEN], source
                                 ).returning(d.c.id, d.c.declaration_no)


_INSERT_NUMBERED = _insert_numbered()
_INSERT_GOODS = insert(_GOODS)
_INSERT_CONTAINERS = insert(_CONTAINER)
_CONTAINER_HOLDER = (
    core_select(_CONTAINER.c.container_no, _DECLARATION.c.enterprise_id,
                _DECLARATION.c.declaration_no, _DECLARATION.c.status)
    .join(_DECLARATION, _DECLARATION.c.id == _CONTAINER.c.declaration_id)
    .where(_CONTAINER.c.live_no.in_(bindparam("numbers", expanding=True))).limit(1))


def create_declaration(session: Session, user: User, data: DeclarationCreate) -> Declaration:
    """`file_declaration`, for callers that go on with the record (forms, demo data)."""
    declaration = session.get(Declaration, file_declaration(session, user, data).id)
    assert declaration is not None
    return declaration


def file_declaration(session: Session, user: Viewer, data: DeclarationCreate
                     ) -> DeclarationPublic:
    """A new draft declaration with its goods lines, containers and audit event, committed
    here; the answer is built from what was sent and what the INSERT gave back (no read back).

    Core statements, no ORM objects: the declaration under its number (PostgreSQL: one
    INSERT that draws the id first; elsewhere under a unique provisional number, then
    numbered, so that concurrent filings never wait on each other's), the goods lines and
    the containers (one multi-row INSERT each), the audit event."""
    if user.role != Role.exporter or user.enterprise_id is None:
        raise Forbidden("only exporters create declarations")
    containers = [normalise_container_no(c.container_no) for c in data.containers]
    if len(set(containers)) != len(containers):
        raise Invalid("a container number is listed twice", code="duplicate_container")
    if data.filing_id is not None:
        owner = session.execute(_FILING_OWNER, {"id": data.filing_id}).scalar_one_or_none()
        if owner != user.enterprise_id:
            raise NotFound(f"filing {data.filing_id} does not exist or is not yours")
    _refuse_containers_in_use(session, user, containers)
    fields = data.model_dump(exclude={"goods", "containers"})
    created_at = utcnow()
    values = {**fields, "enterprise_id": user.enterprise_id, "status": DeclarationStatus.draft,
              "version": 1, "created_at": created_at}
    if session.get_bind().dialect.name == "postgresql":
        declaration_id, number = session.execute(_INSERT_NUMBERED, {
            **values, "prefix": f"CL{created_at:%Y%m%d}"}).one()
    else:
        declaration_id = session.execute(_INSERT_DECLARATION, {
            **values, "declaration_no": f"P{secrets.token_hex(8)}"}).scalar_one()
        number = f"CL{created_at:%Y%m%d}{declaration_id:08d}"
        session.execute(_NUMBER_DECLARATION, {"key": declaration_id, "number": number})
    goods = [{**line.model_dump(), "line_no": line_no}
             for line_no, line in enumerate(data.goods, start=1)]
    session.execute(_INSERT_GOODS, [{**line, "declaration_id": declaration_id}
                                    for line in goods])
    boxes = [{"container_no": number_, "seal_no": raw.seal_no}
             for raw, number_ in zip(data.containers, containers, strict=True)]
    try:  # PostgreSQL checks the live-container index at the INSERT, SQLite at the commit
        if boxes:
            session.execute(_INSERT_CONTAINERS, [{**box, "declaration_id": declaration_id,
                                                  "live_no": box["container_no"]}
                                                 for box in boxes])
        audit.record_for(session, declaration_id, user.id, "created",
                         to_status=DeclarationStatus.draft)
        transaction.commit(session)
    except IntegrityError:  # another declaration took one of the containers just now
        transaction.rollback(session)
        _refuse_containers_in_use(session, user, containers)
        raise
    return DeclarationPublic.model_validate({
        **fields, "id": declaration_id, "declaration_no": number,
        "enterprise_id": user.enterprise_id, "status": DeclarationStatus.draft, "version": 1,
        "created_at": created_at, "submitted_at": None, "released_at": None,
        "loaded_at": None, "goods": goods, "containers": boxes})


def _refuse_containers_in_use(session: Session, user: Viewer, numbers: list[str]) -> None:
    """A container is on at most one live declaration (DESIGN §2, direct loading). The holder
    is named to its own exporter; anyone else learns only that the container is in use."""
    if not numbers:
        return
    held = session.execute(_CONTAINER_HOLDER, {"numbers": numbers}).first()
    if held is None:
        return
    number, enterprise_id, declaration_no, status = held
    if enterprise_id == user.enterprise_id:
        raise Conflict(f"container {number} is already on your declaration "
                       f"{declaration_no} ({status}); cancel that one first or "
                       "declare another container", code="container_in_use")
    raise Conflict(f"container {number} is in use on another live declaration; check the "
                   "container number", code="container_in_use")


def goods_of(session: Session, declaration_id: int) -> list[GoodsLine]:
    query = select(GoodsLine).where(GoodsLine.declaration_id == declaration_id)
    return list(session.exec(query.order_by(col(GoodsLine.line_no))))


def containers_of(session: Session, declaration_id: int) -> list[Container]:
    query = select(Container).where(Container.declaration_id == declaration_id)
    return list(session.exec(query.order_by(col(Container.id))))


def to_public(session: Session, declaration: Declaration) -> DeclarationPublic:
    goods = [GoodsLinePublic.model_validate(g) for g in goods_of(session, declaration.id)]
    containers = [{"container_no": c.container_no, "seal_no": c.seal_no}
                  for c in containers_of(session, declaration.id)]
    return DeclarationPublic.model_validate(declaration,
                                            update={"goods": goods, "containers": containers})


def list_declarations(session: Session, user: Viewer, *, status: DeclarationStatus | None,
                      offset: int, limit: int) -> tuple[list[Declaration], int]:
    query = scoped(select(Declaration), Declaration, user).order_by(col(Declaration.id).desc())
    if status is not None:
        query = query.where(Declaration.status == status)
    return paginate(session, query, offset, limit)


def get_declaration(session: Session, user: User, declaration_id: int) -> Declaration:
    return get_owned(session, Declaration, declaration_id, user)


def submit(session: Session, user: User, declaration: Declaration) -> Declaration:
    require_owner(user, declaration)
    lifecycle.transition(session, declaration, DeclarationStatus.submitted, user,
                         reason="submitted by the exporter")
    transaction.commit(session)
    return declaration


def cancel(session: Session, user: User, declaration: Declaration, reason: str) -> Declaration:
    require_owner(user, declaration)
    lifecycle.transition(session, declaration, DeclarationStatus.cancelled, user,
                         reason=reason or "cancelled by the exporter")
    transaction.commit(session)
    return declaration


def revoke_release(session: Session, officer: User, declaration: Declaration,
                   reason: str) -> Declaration:
    """Post-release control found a problem: the release (and its certificate) no longer stands."""
    if not reason.strip():
        raise Invalid("say why the release is revoked", code="reason_required")
    lifecycle.transition(session, declaration, DeclarationStatus.rejected, officer,
                         reason=f"release revoked: {reason}")
    transaction.commit(session)
    return declaration


def lock(session: Session, declaration: Declaration) -> Declaration:
    """Takes the declaration's row for this transaction (PostgreSQL: row lock; SQLite: the
    write lock) and reloads it, bumping its version: whatever a screening looked at before
    this is now stale, and concurrent callers queue up here instead of racing."""
    session.execute(update(Declaration).where(col(Declaration.id) == declaration.id)
                    .values(version=Declaration.version + 1)
                    .execution_options(synchronize_session=False))
    session.refresh(declaration)
    return declaration


def photos_of(session: Session, declaration_id: int) -> Sequence[PackingPhoto]:
    query = select(PackingPhoto).where(PackingPhoto.declaration_id == declaration_id)
    return list(session.exec(query.order_by(col(PackingPhoto.id))))


def get_photo(session: Session, declaration: Declaration, photo_id: int) -> PackingPhoto:
    photo = session.get(PackingPhoto, photo_id)
    if photo is None or photo.declaration_id != declaration.id:
        raise NotFound(f"declaration {declaration.id} has no photo {photo_id}")
    return photo


def approved_filing(session: Session, declaration: Declaration) -> Filing | None:
    if declaration.filing_id is None:
        return None
    filing = session.get(Filing, declaration.filing_id)
    if filing is None or filing.status != FilingStatus.approved:
        return None
    return filing


def require_owner(user: User, declaration: Declaration) -> None:
    if user.role != Role.exporter or user.enterprise_id != declaration.enterprise_id:
        raise Forbidden("only the declaring exporter can do this")
