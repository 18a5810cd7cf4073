"""What port operators ask before loading: may this container/declaration go on the ship?"""

from sqlmodel import Session, col, select

from customs import lifecycle, transaction
from customs.containers import normalise_container_no
from customs.declarations import containers_of
from customs.errors import Conflict, Invalid, NotFound
from models import ClearanceStatus, Container, Declaration, DeclarationStatus, User

_MESSAGES = {
    DeclarationStatus.released: "released: may load",
    DeclarationStatus.loaded: "already loaded",
    DeclarationStatus.rejected: "rejected by customs: hold, do not load",
    DeclarationStatus.cancelled: "declaration cancelled: do not load",
}


def status_of(session: Session, declaration: Declaration) -> ClearanceStatus:
    status = DeclarationStatus(declaration.status)
    return ClearanceStatus(
        declaration_no=declaration.declaration_no,
        container_nos=[c.container_no for c in containers_of(session, declaration.id)],
        status=status,
        released_at=declaration.released_at,
        loaded_at=declaration.loaded_at,
        may_load=status == DeclarationStatus.released,
        message=_MESSAGES.get(status, "not yet released: hold"),
    )


def find(session: Session, *, container_no: str | None, declaration_no: str | None
         ) -> Declaration:
    if bool(container_no) == bool(declaration_no):
        raise Invalid("give exactly one of container_no or declaration_no",
                      code="clearance_query")
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


def mark_loaded(session: Session, user: User, declaration: Declaration) -> Declaration:
    if declaration.status != DeclarationStatus.released:
        raise Conflict(f"declaration {declaration.declaration_no} is {declaration.status}; "
                       "only released declarations can be loaded", code="not_released")
    lifecycle.transition(session, declaration, DeclarationStatus.loaded, user,
                         reason="loaded onto the vessel (direct loading)")
    transaction.commit(session)
    return declaration
