from datetime import datetime, time
from typing import Annotated

from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import Role
from models.text import SafeStr

MAX_SKILLS = 20
Skill = Annotated[SafeStr, StringConstraints(min_length=1, max_length=40)]


class OfficeBase(SQLModel):
    """A customs office: where officers start and end their day (a dispatch depot)."""

    name: SafeStr = Field(min_length=1, max_length=200)
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
    full_name: SafeStr = Field(default="", max_length=200)
    role: Role
    enterprise_id: int | None = Field(default=None, description="required for exporters")
    office_id: int | None = Field(default=None, description="officers: home office")
    skills: list[Skill] = Field(default_factory=list, max_length=MAX_SKILLS,
                                description="officers: inspection skills")
    vehicle: SafeStr | None = Field(default=None, max_length=40,
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
    session_version: int = Field(default=0, description="bumped on logout, password change, "
                                                         "disable: older tokens stop working")
    created_at: datetime = timestamp_field()
    deleted_at: datetime | None = timestamp_field(nullable=True)


class UserPublic(UserBase):
    id: int
    is_active: bool
    created_at: UtcDatetime


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"


class PasswordChange(SQLModel):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account (`user:<name>`) or per client (`client:<address>`)."""

    key: str = Field(primary_key=True, max_length=120)
    failures: int = 0
    last_failure_at: datetime = timestamp_field()
    locked_until: datetime | None = timestamp_field(nullable=True)


class SecurityEvent(SQLModel, table=True):
    """Append-only account trail: failed and throttled logins, logouts, password changes,
    accounts disabled, enabled or deleted."""

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=40, index=True)
    username: str = Field(max_length=64, description="as typed at login, or the account's")
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    client: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=300)
    at: datetime = timestamp_field(index=True)
