"""Who may see what, in one place: every read of owned data goes through these functions.

An exporter sees only its own enterprise's records; anything else answers 'not found' (not
'forbidden'), so ids of other enterprises' records cannot be probed.
"""

from typing import TypeVar

from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from customs.errors import NotFound
from customs.security import Caller
from models import Declaration, Filing, Role, User

Owned = TypeVar("Owned", Declaration, Filing)
Viewer = User | Caller  # a loaded account, or the caller a token names (hot read paths)


def scoped(query: SelectOfScalar[Owned], model: type[Owned], user: Viewer
           ) -> SelectOfScalar[Owned]:
    if user.role == Role.exporter:
        return query.where(model.enterprise_id == user.enterprise_id)
    return query


def get_owned(session: Session, model: type[Owned], record_id: int, user: User) -> Owned:
    record = session.exec(scoped(select(model), model, user).where(model.id == record_id)).first()
    if record is None:
        raise NotFound(f"{_label(model)} {record_id} does not exist or is not yours")
    return record


def get_declaration_by_no(session: Session, declaration_no: str, user: User) -> Declaration:
    query = scoped(select(Declaration), Declaration, user)
    record = session.exec(query.where(Declaration.declaration_no == declaration_no)).first()
    if record is None:
        raise NotFound(f"declaration {declaration_no} does not exist or is not yours")
    return record


def _label(model: type[SQLModel]) -> str:
    return model.__name__.lower()
