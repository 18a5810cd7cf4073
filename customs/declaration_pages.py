"""A page of declarations (`GET /declarations`) in three Core SELECTs and no ORM objects.

1. the page's declarations with the total as a scalar subquery (one round trip),
2. their goods lines, 3. their containers, each for all the page's declarations at once.

The statements are built once per (dialect, exporter or not, status filter or not); the rows
become plain dicts shaped like `DeclarationPublic`, serialised once by the route. The scope
rule is `customs.scoping`'s: an exporter sees its own enterprise's declarations only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    DateTime,
    Enum,
    Integer,
    Row,
    Select,
    String,
    Table,
    any_,
    bindparam,
    cast,
    func,
    type_coerce,
)
from sqlalchemy import select as core_select

from customs.reads import Reads
from customs.security import Caller
from models import (
    Container,
    Declaration,
    DeclarationPublic,
    DeclarationStatus,
    GoodsLine,
    Role,
    as_utc,
)
from models.common import UtcDateTime

_DECLARATION: Table = Declaration.__table__  # type: ignore[attr-defined]
_GOODS: Table = GoodsLine.__table__  # type: ignore[attr-defined]
_CONTAINER: Table = Container.__table__  # type: ignore[attr-defined]
PUBLIC_FIELDS = tuple(name for name in DeclarationPublic.model_fields
                      if name not in ("goods", "containers"))
# Enum columns are read as the stored names and mapped to the values here: cheaper than
# enum members, which the JSON encoder would then have to unwrap.
_ENUM_VALUES = {column.name: {member.name: member.value for member in column.type.enum_class}
                for column in _DECLARATION.c
                if isinstance(column.type, Enum) and column.type.enum_class is not None}
# Times are read with the plain column type and made UTC here, only where set: the
# UtcDateTime wrapper would be called for each of the page's 250 time cells, mostly empty.
_TIMES = tuple(column.name for column in _DECLARATION.c if isinstance(column.type, UtcDateTime))
GOODS_FIELDS = ("line_no", "hs_code", "description", "un_number", "quantity",
                "gross_weight_kg")


@dataclass(frozen=True)
class PageStatements:
    page: Select[Any]  # id, PUBLIC_FIELDS..., total
    total: Select[Any]  # when the page is empty (an offset past the end)
    goods: Select[Any]  # declaration_id, GOODS_FIELDS...
    containers: Select[Any]  # declaration_id, container_no, seal_no


@cache
def statements(dialect: str, own_only: bool, by_status: bool) -> PageStatements:
    d = _DECLARATION
    conditions = []
    if own_only:
        conditions.append(d.c.enterprise_id == bindparam("enterprise_id"))
    if by_status:
        conditions.append(d.c.status == bindparam("status"))
    total = core_select(func.count()).select_from(d).where(*conditions)
    columns = [type_coerce(d.c[name], String).label(name) if name in _ENUM_VALUES
               else type_coerce(d.c[name], DateTime(timezone=True)).label(name)
               if name in _TIMES else d.c[name] for name in PUBLIC_FIELDS]
    page = (core_select(d.c.id, *columns,
                        total.scalar_subquery().label("total"))
            .where(*conditions).order_by(d.c.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))

    def of_page(column: Any) -> Any:
        if dialect == "postgresql":  # one array parameter, sent as its text '{1,2,3}'
            # (psycopg's list dumper costs more than the rest of building the page)
            return column == any_(cast(bindparam("ids", type_=String), ARRAY(Integer)))
        return column.in_(bindparam("ids", expanding=True))

    goods = (core_select(_GOODS.c.declaration_id, *(_GOODS.c[name] for name in GOODS_FIELDS))
             .where(of_page(_GOODS.c.declaration_id))
             .order_by(_GOODS.c.declaration_id, _GOODS.c.line_no))
    containers = (core_select(_CONTAINER.c.declaration_id, _CONTAINER.c.container_no,
                              _CONTAINER.c.seal_no)
                  .where(of_page(_CONTAINER.c.declaration_id)).order_by(_CONTAINER.c.id))
    return PageStatements(page, total, goods, containers)


def page_query(dialect: str, viewer: Caller, status: DeclarationStatus | None, offset: int,
               limit: int) -> tuple[PageStatements, dict[str, Any]]:
    own_only = viewer.role == Role.exporter
    params: dict[str, Any] = {"offset": offset, "limit": limit}
    if own_only:
        params["enterprise_id"] = viewer.enterprise_id
    if status is not None:
        params["status"] = status
    return statements(dialect, own_only, status is not None), params


def items_of(rows: Sequence[Row[Any]], goods: Sequence[Row[Any]],
             containers: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    """`DeclarationPublic`-shaped dicts of the page, goods and containers in their order."""
    lines: dict[int, list[dict[str, Any]]] = {}
    for owner, *values in goods:
        lines.setdefault(owner, []).append(dict(zip(GOODS_FIELDS, values, strict=True)))
    boxes: dict[int, list[dict[str, Any]]] = {}
    for owner, number, seal in containers:
        boxes.setdefault(owner, []).append({"container_no": number, "seal_no": seal})
    items = []
    for row in rows:
        item = dict(zip(PUBLIC_FIELDS, row[1:-1], strict=True))
        for name, values in _ENUM_VALUES.items():
            item[name] = values[item[name]]
        for name in _TIMES:
            if item[name] is not None:
                item[name] = as_utc(item[name])
        item["goods"] = lines.get(row[0], [])
        item["containers"] = boxes.get(row[0], [])
        items.append(item)
    return items


async def read_page(reads: Reads, viewer: Caller, *, status: DeclarationStatus | None,
                    offset: int, limit: int) -> dict[str, Any]:
    """`{items, total, offset, limit}`: the page as `Page[DeclarationPublic]` shapes it."""
    queries, params = page_query(reads.dialect, viewer, status, offset, limit)
    async with reads.connect() as reader:
        rows = await reader.all(queries.page, params)
        if rows:
            total = rows[0][-1]
            keys = [row[0] for row in rows]
            ids = {"ids": keys if reads.dialect != "postgresql"
                   else "{" + ",".join(map(str, keys)) + "}"}
            goods = await reader.all(queries.goods, ids)
            containers = await reader.all(queries.containers, ids)
        else:
            total = (await reader.all(queries.total, params))[0][0]
            goods = containers = []
    return {"items": items_of(rows, goods, containers), "total": total, "offset": offset,
            "limit": limit}
