from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import DeclarationStatus, Role


class AuditEvent(SQLModel, table=True):
    """Append-only: written in the same transaction as the change it records."""

    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(max_length=64, description="username, or 'system'")
    role: Role | None = Field(default=None, max_length=20)
    action: str = Field(max_length=40)
    from_status: DeclarationStatus | None = Field(default=None, max_length=24)
    to_status: DeclarationStatus | None = Field(default=None, max_length=24)
    reason: str = Field(default="", max_length=2000)
    evidence: list[str] = json_field()
    at: datetime = timestamp_field()


class AuditEventPublic(SQLModel):
    id: int
    actor: str
    role: Role | None
    action: str
    from_status: DeclarationStatus | None
    to_status: DeclarationStatus | None
    reason: str
    evidence: list[str]
    at: UtcDatetime
