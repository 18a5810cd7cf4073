from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, timestamp_field
from models.enums import DeclarationStatus, GoodsCategory, TransportMode


class GoodsLineBase(SQLModel):
    hs_code: str = Field(regex=r"^\d{6,10}$", max_length=10, description="6 to 10 digits")
    description: str = Field(default="", max_length=300)
    un_number: str | None = Field(default=None, regex=r"^UN\d{4}$", max_length=6)
    quantity: int = Field(ge=1, le=10_000_000, description="number of packages")
    gross_weight_kg: float = Field(gt=0, le=1_000_000)


class GoodsLine(GoodsLineBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    line_no: int


class GoodsLinePublic(GoodsLineBase):
    line_no: int


class ContainerBase(SQLModel):
    container_no: str = Field(min_length=11, max_length=11,
                              description="ISO 6346, e.g. CSQU3054383")
    seal_no: str = Field(default="", max_length=40)


class Container(ContainerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    container_no: str = Field(max_length=11, index=True)
    live_no: str | None = Field(
        default=None, max_length=11, unique=True,
        description="the container number while its declaration is live (not cancelled, "
                    "rejected or loaded); unique, so a container is on one live declaration")


class DeclarationBase(SQLModel):
    filing_id: int | None = None
    port: str = Field(default="CNXMN", min_length=5, max_length=5,
                      description="UN/LOCODE of the port of export")
    vessel: str = Field(default="", max_length=100)
    voyage: str = Field(default="", max_length=40)
    transport_mode: TransportMode = TransportMode.sea
    goods_category: GoodsCategory = GoodsCategory.dangerous_goods
    remote_inspection_ok: bool = Field(
        default=True, description="the exporter can host a live-video inspection")
    inspection_address: str = Field(default="", max_length=300)
    inspection_latitude: float | None = Field(default=None, ge=-90, le=90)
    inspection_longitude: float | None = Field(default=None, ge=-180, le=180)
    arrival_at: UtcDatetime | None = Field(
        default=None, description="when the goods arrive at the port (Time Release Study start)")


class DeclarationCreate(DeclarationBase):
    goods: list[GoodsLineBase] = Field(min_length=1, max_length=200)
    containers: list[ContainerBase] = Field(default_factory=list, max_length=200)


class Declaration(DeclarationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    declaration_no: str = Field(max_length=20, unique=True, index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    filing_id: int | None = Field(default=None, foreign_key="filing.id")
    status: DeclarationStatus = Field(default=DeclarationStatus.draft, max_length=24, index=True)
    version: int = Field(default=1, description="optimistic concurrency counter")
    arrival_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    released_at: datetime | None = timestamp_field(nullable=True)
    loaded_at: datetime | None = timestamp_field(nullable=True)


class DeclarationPublic(DeclarationBase):
    id: int
    declaration_no: str
    enterprise_id: int
    status: DeclarationStatus
    version: int
    created_at: UtcDatetime
    submitted_at: UtcDatetime | None
    released_at: UtcDatetime | None
    loaded_at: UtcDatetime | None
    goods: list[GoodsLinePublic]
    containers: list[ContainerBase]


class PackingPhoto(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    phash: str = Field(default="", max_length=64, index=True)
    content_type: str = Field(max_length=40)
    width: int
    height: int
    uploaded_by: int = Field(foreign_key="user.id")
    uploaded_at: datetime = timestamp_field()
    reused_from_declaration_id: int | None = Field(
        default=None, foreign_key="declaration.id",
        description="these exact bytes were first uploaded to that other declaration")


class PhotoFingerprint(SQLModel, table=True):
    """The first declaration each exact packing photo (by SHA-256) was uploaded to.

    Written at upload under its primary key, so of two simultaneous uploads of one photo to two
    declarations exactly one owns it and the other is flagged as reused."""

    sha256: str = Field(primary_key=True, max_length=64)
    declaration_id: int = Field(foreign_key="declaration.id", index=True)
    created_at: datetime = timestamp_field()


class PackingPhotoPublic(SQLModel):
    id: int
    sha256: str
    content_type: str
    width: int
    height: int
    uploaded_at: UtcDatetime


class Transition(SQLModel):
    reason: str = Field(default="", max_length=1000)
