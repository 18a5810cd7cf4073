from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import UtcDatetime, timestamp_field
from models.enums import SealEventKind


class ContainerSeal(SQLModel):
    container_no: str = Field(min_length=11, max_length=13)
    seal_no: str = Field(min_length=1, max_length=40)


class TransitCreate(SQLModel):
    """Export transit (出口转关): released inland, carried to the port under e-seal (一锁通)."""

    origin_office_id: int = Field(ge=1, description="the inland office that releases")
    destination_office_id: int = Field(ge=1, description="the port office where it loads")
    vehicle_plate: str = Field(min_length=2, max_length=20)
    eta: UtcDatetime | None = Field(default=None, description="expected arrival at the port")
    seals: list[ContainerSeal] = Field(min_length=1, max_length=200)


class Transit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    declaration_id: int = Field(foreign_key="declaration.id", unique=True, index=True)
    origin_office_id: int = Field(foreign_key="office.id")
    destination_office_id: int = Field(foreign_key="office.id")
    vehicle_plate: str = Field(max_length=20)
    eta: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()


class TransitSeal(SQLModel, table=True):
    """A container's e-seal and where it stands: its last event and whether it was broken."""

    id: int | None = Field(default=None, primary_key=True)
    transit_id: int = Field(foreign_key="transit.id", index=True)
    container_no: str = Field(max_length=11, index=True)
    seal_no: str = Field(max_length=40, index=True)
    state: str = Field(default="declared", max_length=12,
                       description="declared, or the last seal event")
    applied_at: datetime | None = timestamp_field(nullable=True)
    departed_at: datetime | None = timestamp_field(nullable=True)
    arrived_at: datetime | None = timestamp_field(nullable=True)
    broken_at: datetime | None = timestamp_field(nullable=True)
    broken_reason: str = Field(default="", max_length=300)


class SealEvent(SQLModel, table=True):
    """Every seal event as received (append-only); (source, nonce) is unique: no replays."""

    __table_args__ = (UniqueConstraint("source", "nonce", name="uq_sealevent_source_nonce"),)

    id: int | None = Field(default=None, primary_key=True)
    seal_id: int = Field(foreign_key="transitseal.id", index=True)
    kind: SealEventKind = Field(max_length=12)
    source: str = Field(max_length=64, description="e-seal system name, or officer:<username>")
    nonce: str = Field(max_length=64)
    location: str = Field(default="", max_length=200)
    occurred_at: datetime = timestamp_field()
    received_at: datetime = timestamp_field()


class SealEventIn(SQLModel):
    """An event from an e-seal system (signed) or an officer."""

    seal_no: str = Field(min_length=1, max_length=40)
    kind: SealEventKind
    occurred_at: UtcDatetime | None = None
    location: str = Field(default="", max_length=200)
    nonce: str = Field(default="", max_length=64)


class TransitSealPublic(SQLModel):
    container_no: str
    seal_no: str
    state: str
    applied_at: UtcDatetime | None
    departed_at: UtcDatetime | None
    arrived_at: UtcDatetime | None
    broken_at: UtcDatetime | None
    broken_reason: str


class TransitPublic(SQLModel):
    declaration_id: int
    declaration_no: str
    origin_office_id: int
    destination_office_id: int
    vehicle_plate: str
    eta: UtcDatetime | None
    seals: list[TransitSealPublic]
