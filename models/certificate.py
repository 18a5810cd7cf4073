from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field


class Certificate(SQLModel, table=True):
    """A signed release certificate (云签发). `payload` is exactly what was signed."""

    id: int | None = Field(default=None, primary_key=True)
    certificate_no: str = Field(max_length=32, unique=True, index=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    payload: dict[str, Any] = json_field(dict)
    signature: str = Field(max_length=200, description="base64 Ed25519 signature")
    key_id: str = Field(max_length=64)
    pdf_sha256: str = Field(max_length=64)
    verify_token_sha256: str = Field(default="", max_length=64,
                                     description="SHA-256 of the QR code's secret token")
    issued_at: datetime = timestamp_field()


class CertificateVerification(SQLModel):
    """What anyone may learn about a certificate number. The certified contents (`payload`)
    only come with the secret token printed in the certificate's QR code."""

    certificate_no: str
    found: bool
    valid: bool
    signature_valid: bool
    revoked: bool = False
    revoked_at: UtcDatetime | None = None
    issuer: str | None = None
    issued_at: UtcDatetime | None = None
    exporter: str | None = None
    document_sha256: str | None = Field(default=None,
                                        description="SHA-256 of the certificate PDF file")
    key_id: str | None = None
    reasons: list[str]
    payload: dict[str, Any] | None = Field(
        default=None, description="the full certified contents; only with the QR token")
