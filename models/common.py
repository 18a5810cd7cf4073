"""Column helpers and generic response shapes."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel
from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _utc_in_range(value: datetime) -> datetime:
    """Input times must lie in 1970-2199 (UTC): far-off years overflow date arithmetic."""
    try:
        moment = as_utc(value)
    except OverflowError as exc:
        raise ValueError("the time is out of range once converted to UTC") from exc
    if not EARLIEST <= moment < LATEST:
        raise ValueError("the time must lie between 1970 and 2199")
    return moment


UtcDatetime = Annotated[datetime, AfterValidator(_utc_in_range)]


class UtcDateTime(TypeDecorator[datetime]):
    """Stores every instant as UTC and hands it back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UtcDateTime, index=index)
    return Field(default_factory=utcnow, sa_type=UtcDateTime, index=index)


def json_field(default_factory: Any = list) -> Any:
    return Field(default_factory=default_factory, sa_type=JSON)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class ErrorBody(BaseModel):
    """The one shape of every 4xx answer."""

    detail: str
    code: str
    detail_zh: str | None = None
