from sqlmodel import SQLModel

from models.common import UtcDatetime
from models.enums import DeclarationStatus


class ClearanceStatus(SQLModel):
    declaration_no: str
    container_nos: list[str]
    status: DeclarationStatus
    released_at: UtcDatetime | None
    loaded_at: UtcDatetime | None
    may_load: bool
    message: str
