"""What port operators ask before loading: may this container/declaration go on the ship?"""

from sqlmodel import Session, col, select

from customs import lifecycle, transaction, transit
from customs.containers import normalise_container_no
from customs.errors import Conflict, Invalid, NotFound
from models import ClearanceStatus, Container, Declaration, DeclarationStatus, User

_MESSAGES = {
    DeclarationStatus.released: "released: may load",
    DeclarationStatus.loaded: "already loaded",
    DeclarationStatus.rejected: "rejected by customs: hold, do not load",
    DeclarationStatus.cancelled: "declaration cancelled: do not load",
}


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
