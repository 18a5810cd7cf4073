from typing import TypeVar

from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


def paginate(session: Session, query: SelectOfScalar[T], offset: int, limit: int
             ) -> tuple[list[T], int]:
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = list(session.exec(query.offset(offset).limit(limit)))
    return items, total
