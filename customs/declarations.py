"""Declarations: creation, listing, the exporter's lifecycle actions and packing photos."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
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


def create_declaration(session: Session, user: User, data: DeclarationCreate) -> Declaration:
    if user.role != Role.exporter or user.enterprise_id is None:
        raise Forbidden("only exporters create declarations")
    containers = [normalise_container_no(c.container_no) for c in data.containers]
    if len(set(containers)) != len(containers):
        raise Invalid("a container number is listed twice", code="duplicate_container")
    if data.filing_id is not None:
        filing = session.get(Filing, data.filing_id)
        if filing is None or filing.enterprise_id != user.enterprise_id:
            raise NotFound(f"filing {data.filing_id} does not exist or is not yours")
    _refuse_containers_in_use(session, user, containers)
    fields = data.model_dump(exclude={"goods", "containers"})
    declaration = Declaration.model_validate(
        fields, update={"enterprise_id": user.enterprise_id, "declaration_no": "pending"})
    session.add(declaration)
    session.flush()
    declaration.declaration_no = f"CL{utcnow():%Y%m%d}{declaration.id:08d}"
    for number, line in enumerate(data.goods, start=1):
        session.add(GoodsLine.model_validate(line, update={"declaration_id": declaration.id,
                                                           "line_no": number}))
    for raw, number in zip(data.containers, containers, strict=True):
        session.add(Container(declaration_id=declaration.id, container_no=number,
                              live_no=number, seal_no=raw.seal_no))
    audit.record(session, declaration.id, user, "created", to_status=DeclarationStatus.draft)
    try:
        transaction.commit(session)
    except IntegrityError:  # another declaration took one of the containers just now
        transaction.rollback(session)
        _refuse_containers_in_use(session, user, containers)
        raise
    return declaration


def _refuse_containers_in_use(session: Session, user: User, numbers: list[str]) -> None:
    """A container is on at most one live declaration (DESIGN §2, direct loading). The holder
    is named to its own exporter; anyone else learns only that the container is in use."""
    if not numbers:
        return
    held = session.exec(
        select(Container.container_no, Declaration)
        .join(Declaration, col(Declaration.id) == Container.declaration_id)
        .where(col(Container.live_no).in_(numbers))).first()
    if held is None:
        return
    number, holder = held
    if holder.enterprise_id == user.enterprise_id:
        raise Conflict(f"container {number} is already on your declaration "
                       f"{holder.declaration_no} ({holder.status}); cancel that one first or "
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


def created_public(declaration: Declaration, data: DeclarationCreate) -> DeclarationPublic:
    """`to_public` of a declaration just created from `data`, without reading back its goods
    and containers (they are exactly what was sent, numbered and normalised)."""
    goods = [GoodsLinePublic.model_validate(line, update={"line_no": number})
             for number, line in enumerate(data.goods, start=1)]
    containers = [{"container_no": normalise_container_no(c.container_no), "seal_no": c.seal_no}
                  for c in data.containers]
    return DeclarationPublic.model_validate(declaration,
                                            update={"goods": goods, "containers": containers})


_PUBLIC_FIELDS = tuple(name for name in DeclarationPublic.model_fields
                      if name not in ("goods", "containers"))
_GOODS_FIELDS = tuple(GoodsLinePublic.model_fields)


def to_public_many(session: Session, declarations: Sequence[Declaration]
                   ) -> list[dict[str, Any]]:
    """What `to_public` gives, for a page, as plain dicts for the response model to validate
    once: the goods and containers of all of them in two queries, no per-row ORM loads."""
    ids = [d.id for d in declarations if d.id is not None]
    goods: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    containers: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        line_columns = [getattr(GoodsLine, name) for name in _GOODS_FIELDS]
        for owner, *values in session.exec(
                select(GoodsLine.declaration_id, *line_columns)
                .where(col(GoodsLine.declaration_id).in_(ids))
                .order_by(col(GoodsLine.declaration_id), col(GoodsLine.line_no))):
            goods[owner].append(dict(zip(_GOODS_FIELDS, values, strict=True)))
        for number, seal, owner in session.exec(
                select(Container.container_no, Container.seal_no, Container.declaration_id)
                .where(col(Container.declaration_id).in_(ids)).order_by(col(Container.id))):
            containers[owner].append({"container_no": number, "seal_no": seal})
    return [{**{name: getattr(d, name) for name in _PUBLIC_FIELDS},
             "goods": goods[d.id], "containers": containers[d.id]}
            for d in declarations if d.id is not None]


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
