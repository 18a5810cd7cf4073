from sqlmodel import Field, SQLModel

from models.common import UtcDatetime
from models.enums import DeclarationStatus


class VesselContainer(SQLModel):
    """One declared container on a vessel's direct-loading list."""

    container_no: str
    declaration_no: str
    declaration_status: DeclarationStatus
    load_status: str = Field(description="released, hold, in_transit or loaded")
    reason_code: str = Field(description="why, as a stable code the port may see")
    reason: str = Field(description="why, in English (pages translate the code)")
    eta: UtcDatetime | None = None
    released_at: UtcDatetime | None = None
    loaded_at: UtcDatetime | None = None


class VesselList(SQLModel):
    vessel: str
    voyage: str
    counts: dict[str, int]
    containers: list[VesselContainer]


class BulkLoad(SQLModel):
    container_nos: list[str] = Field(min_length=1, max_length=500)


class BulkLoadRow(SQLModel):
    container_no: str
    loaded: bool
    code: str
    detail: str


class BulkLoadResult(SQLModel):
    loaded: int
    refused: int
    rows: list[BulkLoadRow]
