from fastapi import APIRouter, status

from customs import webhooks
from models import (
    WebhookDeliveryPublic,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointPublic,
)
from routes.deps import Exporter, RecordId, SessionDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("", response_model=WebhookEndpointCreated, status_code=status.HTTP_201_CREATED)
def register_endpoint(data: WebhookEndpointCreate, session: SessionDep, user: Exporter
                      ) -> WebhookEndpointCreated:
    """Registers a receiver; the answer shows its signing secret, once."""
    endpoint = webhooks.register(session, user, data)
    return WebhookEndpointCreated.model_validate(endpoint)


@router.get("", response_model=list[WebhookEndpointPublic])
def list_endpoints(session: SessionDep, user: Exporter) -> list[WebhookEndpointPublic]:
    return [WebhookEndpointPublic.model_validate(e)
            for e in webhooks.endpoints_of(session, user)]


@router.get("/deliveries", response_model=list[WebhookDeliveryPublic])
def list_deliveries(session: SessionDep, user: Exporter) -> list[WebhookDeliveryPublic]:
    """The delivery log, newest first."""
    return [WebhookDeliveryPublic.model_validate(d)
            for d in webhooks.deliveries_of(session, user)]


@router.post("/deliveries/{delivery_id}/replay", response_model=WebhookDeliveryPublic,
             status_code=status.HTTP_202_ACCEPTED)
def replay_delivery(delivery_id: RecordId, session: SessionDep, user: Exporter
                    ) -> WebhookDeliveryPublic:
    return WebhookDeliveryPublic.model_validate(webhooks.replay(session, user, delivery_id))
