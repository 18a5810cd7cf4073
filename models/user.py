from datetime import datetime, time

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import Role


class OfficeBase(SQLModel):
    """A customs office: where officers start and end their day (a dispatch depot)."""

    name: str = Field(min_length=1, max_length=200)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class OfficeCreate(OfficeBase):
    pass


class Office(OfficeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class OfficePublic(OfficeBase):
    id: int


class UserBase(SQLModel):
    username: str = Field(min_length=3, max_length=64, regex=r"^[A-Za-z0-9_.@-]+$")
    full_name: str = Field(default="", max_length=200)
    role: Role
    enterprise_id: int | None = Field(default=None, description="required for exporters")
    office_id: int | None = Field(default=None, description="officers: home office")
    skills: list[str] = Field(default_factory=list, description="officers: inspection skills")
    vehicle: str | None = Field(default=None, max_length=40,
                                description="officers: vehicle plate, none for desk officers")
    shift_start: time | None = None
    shift_end: time | None = None


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id", index=True)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    skills: list[str] = json_field()
    hashed_password: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = timestamp_field()


class UserPublic(UserBase):
    id: int
    is_active: bool
    created_at: UtcDatetime


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"
