from typing import TypeVar

from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


def paginate(session: Session, query: SelectOfScalar[T], offset: int, limit: int
             ) -> tuple[list[T], int]:
    # Counted without the ORDER BY: sorting rows only to count them is wasted work.
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    items = list(session.exec(query.offset(offset).limit(limit)))
    return items, total
