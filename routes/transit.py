import time
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.concurrency import run_in_threadpool

from customs import declarations, transit
from customs.errors import NotFound
from models import SealEventIn, TransitCreate, TransitPublic, TransitSealPublic
from routes.deps import Exporter, ExporterOrOfficer, Officer, RecordId, SessionDep, SettingsDep

router = APIRouter(tags=["transit"])


@router.post("/declarations/{declaration_id}/transit", response_model=TransitPublic,
             status_code=status.HTTP_201_CREATED)
def declare_transit(declaration_id: RecordId, data: TransitCreate, session: SessionDep,
                    user: Exporter) -> TransitPublic:
    """Export transit: origin (inland) office, destination port office, truck, e-seals."""
    declaration = declarations.get_declaration(session, user, declaration_id)
    return transit.to_public(session, declaration,
                             transit.declare(session, user, declaration, data))


@router.get("/declarations/{declaration_id}/transit", response_model=TransitPublic)
def get_transit(declaration_id: RecordId, session: SessionDep, user: ExporterOrOfficer
                ) -> TransitPublic:
    declaration = declarations.get_declaration(session, user, declaration_id)
    record = transit.transit_of(session, declaration.id)
    if record is None:
        raise NotFound(f"declaration {declaration.declaration_no} is not an export transit")
    return transit.to_public(session, declaration, record)


@router.post("/transit/seal-events", response_model=TransitSealPublic)
def record_seal_event(event: SealEventIn, session: SessionDep, officer: Officer
                      ) -> TransitSealPublic:
    """An officer records a seal event by hand (e.g. the e-seal system is down)."""
    seal = transit.record_event(session, officer, f"officer:{officer.username}", event)
    return TransitSealPublic.model_validate(seal)


@router.post("/eseal/events", response_model=TransitSealPublic)
async def eseal_event(
    request: Request, session: SessionDep, settings: SettingsDep,
    x_eseal_system: Annotated[str, Header(max_length=64)],
    x_eseal_timestamp: Annotated[str, Header(max_length=20)],
    x_eseal_signature: Annotated[str, Header(max_length=100)],
) -> TransitSealPublic:
    """Inbound webhook of an e-seal system: body signed as
    `X-ESeal-Signature: v1=hex(HMAC-SHA256(secret, "<X-ESeal-Timestamp>.<body>"))`; the body's
    `nonce` (required) is accepted once per system."""
    seal = await run_in_threadpool(transit.accept_signed_event, session, settings,
                                   x_eseal_system, x_eseal_timestamp, x_eseal_signature,
                                   await request.body(), time.time())
    return TransitSealPublic.model_validate(seal)
