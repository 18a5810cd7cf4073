from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import DeclarationStatus


class Certificate(SQLModel, table=True):
    """A signed release certificate (云签发). `payload` is exactly what was signed."""

    id: int | None = Field(default=None, primary_key=True)
    certificate_no: str = Field(max_length=32, unique=True, index=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    payload: dict[str, Any] = json_field(dict)
    signature: str = Field(max_length=200, description="base64 Ed25519 signature")
    key_id: str = Field(max_length=64)
    pdf_sha256: str = Field(max_length=64)
    issued_at: datetime = timestamp_field()


class CertificateVerification(SQLModel):
    certificate_no: str
    valid: bool
    signature_valid: bool
    declaration_no: str | None
    status: DeclarationStatus | None
    issued_at: UtcDatetime | None
    reasons: list[str]
    payload: dict[str, Any] | None
