from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import FilingStatus, TransportMode

UN_NUMBER = r"^UN\d{4}$"
MAX_FILING_PHOTOS = 60
UnNumber = Annotated[str, StringConstraints(pattern=UN_NUMBER, max_length=6)]


class FilingBase(SQLModel):
    """A packaging design filed in advance (形式备案)."""

    title: str = Field(min_length=1, max_length=200)
    un_numbers: list[UnNumber] = Field(min_length=1, max_length=10,
                                  description='e.g. ["UN3480"]')
    proper_shipping_name: str = Field(default="", max_length=200)
    packing_instruction: str = Field(min_length=1, max_length=20, description="e.g. P903")
    package_type: str = Field(default="", max_length=60, description="e.g. fibreboard box")
    un_packaging_code: str = Field(default="", max_length=40, description="e.g. 4G/Y25/S/24")
    net_weight_min_kg: float | None = Field(default=None, ge=0)
    net_weight_max_kg: float | None = Field(default=None, ge=0)
    gross_weight_min_kg: float | None = Field(default=None, ge=0)
    gross_weight_max_kg: float | None = Field(default=None, ge=0)
    transport_mode: TransportMode = TransportMode.sea
    requires_9a: bool = Field(default=True,
                              description="class 9A lithium battery hazard label required")


class FilingCreate(FilingBase):
    pass


class Filing(FilingBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    un_numbers: list[str] = json_field()
    status: FilingStatus = Field(default=FilingStatus.pending, max_length=20)
    review_note: str = Field(default="", max_length=1000)
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()


class FilingPhoto(SQLModel, table=True):
    """A reference photo of one face of the filed packaging."""

    id: int | None = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing.id", index=True)
    face: str = Field(max_length=20)
    sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=40)
    width: int
    height: int
    uploaded_at: datetime = timestamp_field()


class FilingPhotoPublic(SQLModel):
    id: int
    face: str
    sha256: str
    content_type: str
    width: int
    height: int
    uploaded_at: UtcDatetime


class FilingPublic(FilingBase):
    id: int
    enterprise_id: int
    status: FilingStatus
    review_note: str
    reviewed_at: UtcDatetime | None
    created_at: UtcDatetime
    photos: list[FilingPhotoPublic] = []


class FilingReview(SQLModel):
    note: str = Field(default="", max_length=1000)


class FilingApproval(FilingReview):
    """Approval names the reference photos the officer reviewed: if the filing's photos have
    changed since, approval is refused (409) and the filing must be reviewed again."""

    photo_ids: list[int] = Field(min_length=1, max_length=MAX_FILING_PHOTOS,
                                 description="ids of the filing's photos as reviewed")
