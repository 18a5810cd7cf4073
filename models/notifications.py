from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field

WEBHOOK_EVENTS = ("screening.done", "inspection.scheduled", "declaration.released",
                  "declaration.rejected", "declaration.loaded", "seal.event")


class WebhookEndpointCreate(SQLModel):
    url: str = Field(min_length=8, max_length=500, regex=r"^https?://",
                     description="http(s) URL that receives POSTed events")
    events: list[str] = Field(default_factory=lambda: list(WEBHOOK_EVENTS), max_length=20,
                              description=f"any of {', '.join(WEBHOOK_EVENTS)}")


class WebhookEndpoint(SQLModel, table=True):
    """An exporter's receiver of status events; `secret` signs every body sent to it."""

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=100)
    events: list[str] = json_field()
    active: bool = True
    created_at: datetime = timestamp_field()


class WebhookEndpointPublic(SQLModel):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: UtcDatetime


class WebhookEndpointCreated(WebhookEndpointPublic):
    secret: str = Field(description="shown once: verify X-ClearLane-Signature with it")


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint, and how its delivery went (the delivery log)."""

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhookendpoint.id", index=True)
    event_id: str = Field(max_length=40, index=True)
    event_type: str = Field(max_length=40)
    declaration_id: int | None = Field(default=None, foreign_key="declaration.id", index=True)
    payload: dict[str, Any] = json_field(dict)
    status: str = Field(default="pending", max_length=12,
                        description="pending, delivered or failed")
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field()
    delivered_at: datetime | None = timestamp_field(nullable=True)


class WebhookDeliveryPublic(SQLModel):
    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    declaration_id: int | None
    payload: dict[str, Any]
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: UtcDatetime
    delivered_at: UtcDatetime | None
