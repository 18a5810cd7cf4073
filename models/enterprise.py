from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, timestamp_field
from models.enums import CreditLevel


class EnterpriseBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    customs_code: str = Field(min_length=10, max_length=10, regex=r"^[0-9A-Z]{10}$",
                              description="10-character customs registration code")
    credit_level: CreditLevel = CreditLevel.general
    address: str = Field(default="", max_length=300)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class EnterpriseCreate(EnterpriseBase):
    pass


class Enterprise(EnterpriseBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customs_code: str = Field(max_length=10, unique=True, index=True)
    created_at: datetime = timestamp_field()


class EnterprisePublic(EnterpriseBase):
    id: int
    created_at: UtcDatetime
