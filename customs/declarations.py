"""Declarations: creation, listing, the exporter's lifecycle actions and packing photos."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from customs import audit, lifecycle
from customs.containers import normalise_container_no
from customs.errors import Conflict, Forbidden, Invalid, NotFound
from customs.pagination import paginate
from customs.scoping import get_owned, scoped
from customs.uploads import CheckedImage
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
                              seal_no=raw.seal_no))
    audit.record(session, declaration.id, user, "created", to_status=DeclarationStatus.draft)
    session.flush()
    return declaration


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


def list_declarations(session: Session, user: User, *, status: DeclarationStatus | None,
                      offset: int, limit: int) -> tuple[list[Declaration], int]:
    query = scoped(select(Declaration), Declaration, user).order_by(col(Declaration.id).desc())
    if status is not None:
        query = query.where(Declaration.status == status)
    return paginate(session, query, offset, limit)


def get_declaration(session: Session, user: User, declaration_id: int) -> Declaration:
    return get_owned(session, Declaration, declaration_id, user)


def submit(session: Session, user: User, declaration: Declaration) -> Declaration:
    _require_owner(user, declaration)
    lifecycle.transition(session, declaration, DeclarationStatus.submitted, user,
                         reason="submitted by the exporter")
    return declaration


def cancel(session: Session, user: User, declaration: Declaration, reason: str) -> Declaration:
    _require_owner(user, declaration)
    lifecycle.transition(session, declaration, DeclarationStatus.cancelled, user,
                         reason=reason or "cancelled by the exporter")
    return declaration


def revoke_release(session: Session, officer: User, declaration: Declaration,
                   reason: str) -> Declaration:
    """Post-release control found a problem: the release (and its certificate) no longer stands."""
    if not reason.strip():
        raise Invalid("say why the release is revoked", code="reason_required")
    lifecycle.transition(session, declaration, DeclarationStatus.rejected, officer,
                         reason=f"release revoked: {reason}")
    return declaration


def add_packing_photo(session: Session, user: User, declaration: Declaration,
                      image: CheckedImage, sha256: str) -> PackingPhoto:
    """Stores the photo and moves the declaration into screening; the caller queues the job."""
    _require_owner(user, declaration)
    status = DeclarationStatus(declaration.status)
    if status not in PHOTO_STATES:
        raise Conflict(
            f"declaration {declaration.declaration_no} is {status}; packing photos are taken "
            "after submitting and before a decision", code="photos_not_accepted")
    photo = PackingPhoto(declaration_id=declaration.id, sha256=sha256,
                         content_type=image.content_type, width=image.width,
                         height=image.height, uploaded_by=user.id)
    session.add(photo)
    session.flush()
    audit.record(session, declaration.id, user, "photo_uploaded", evidence=[sha256])
    if status != DeclarationStatus.screening:
        lifecycle.transition(session, declaration, DeclarationStatus.screening, user,
                             reason="packing photo uploaded", evidence=[sha256])
    return photo


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


def _require_owner(user: User, declaration: Declaration) -> None:
    if user.role != Role.exporter or user.enterprise_id != declaration.enterprise_id:
        raise Forbidden("only the declaring exporter can do this")
