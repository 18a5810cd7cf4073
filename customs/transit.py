"""Export transit under e-seal (出口转关 + 一锁通, Sanming → Xiamen Haicang).

The declaration is released at the inland office; its containers are sealed there and travel
to the port. Seal events come from an e-seal system (HMAC-signed, see `verify_signature`) or an
officer, and each is appended to the audit trail. At the port:
* every seal arrived intact → the containers may load with no further check;
* a seal tampered, opened before arrival, or missing on arrival → the declaration goes back to
  INSPECTION_REQUIRED (hold) with an on-site task at the destination port office, which dispatch
  picks up; once that inspection passes and releases it again, the containers may load.
"""

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from customs import audit, inspections, lifecycle, notifications, transaction
from customs.containers import normalise_container_no
from customs.declarations import containers_of, require_owner
from customs.errors import Conflict, Invalid, NotFound, Unauthorized
from customs.settings import Settings
from models import (
    Declaration,
    DeclarationStatus,
    Office,
    SealEvent,
    SealEventIn,
    SealEventKind,
    Transit,
    TransitCreate,
    TransitPublic,
    TransitSeal,
    TransitSealPublic,
    User,
    as_utc,
    utcnow,
)

MAX_EVENT_BYTES = 16 * 1024  # a seal event is a small JSON object

PORT_INSPECTION_REASON = "the e-seal was broken in transit; inspect the container at the port"
EDITABLE = {DeclarationStatus.draft, DeclarationStatus.submitted}
K = SealEventKind


def declare(session: Session, user: User, declaration: Declaration, data: TransitCreate
            ) -> Transit:
    """Makes the declaration an export transit with one e-seal per container."""
    require_owner(user, declaration)
    if declaration.status not in EDITABLE:
        raise Conflict(f"declaration {declaration.declaration_no} is {declaration.status}; "
                       "transit details can only be given before screening",
                       code="transit_too_late")
    assert declaration.id is not None
    if transit_of(session, declaration.id) is not None:
        raise Conflict("this declaration already has its transit details",
                       code="transit_exists")
    for office_id in (data.origin_office_id, data.destination_office_id):
        if session.get(Office, office_id) is None:
            raise NotFound(f"customs office {office_id} does not exist", code="unknown_office")
    if data.origin_office_id == data.destination_office_id:
        raise Invalid("the origin (inland) and destination (port) offices must differ",
                      code="transit_same_office")
    declared = {c.container_no for c in containers_of(session, declaration.id)}
    sealed = [normalise_container_no(s.container_no) for s in data.seals]
    if set(sealed) != declared or len(sealed) != len(declared):
        raise Invalid("give exactly one seal number for each declared container "
                      f"({', '.join(sorted(declared)) or 'none declared'})",
                      code="transit_seals_mismatch")
    transit = Transit(declaration_id=declaration.id, origin_office_id=data.origin_office_id,
                      destination_office_id=data.destination_office_id,
                      vehicle_plate=data.vehicle_plate.strip().upper(), eta=data.eta)
    session.add(transit)
    session.flush()
    for number, seal in zip(sealed, data.seals, strict=True):
        session.add(TransitSeal(transit_id=transit.id, container_no=number,
                                seal_no=seal.seal_no.strip().upper()))
    audit.record(session, declaration.id, user, "transit_declared",
                 reason=f"export transit by {transit.vehicle_plate}, office "
                        f"{data.origin_office_id} → {data.destination_office_id}")
    try:
        transaction.commit(session)
    except IntegrityError:
        transaction.rollback(session)
        raise Conflict("this declaration already has its transit details",
                       code="transit_exists") from None
    return transit


def offices(session: Session) -> list[Office]:
    """The customs offices a transit can start or end at."""
    return list(session.exec(select(Office).order_by(col(Office.name))))


def transit_of(session: Session, declaration_id: int | None) -> Transit | None:
    return session.exec(select(Transit).where(Transit.declaration_id == declaration_id)).first()


def seals_of(session: Session, transit: Transit) -> list[TransitSeal]:
    return list(session.exec(select(TransitSeal).where(TransitSeal.transit_id == transit.id)
                             .order_by(col(TransitSeal.id))))


def to_public(session: Session, declaration: Declaration, transit: Transit) -> TransitPublic:
    return TransitPublic.model_validate(transit, update={
        "declaration_no": declaration.declaration_no,
        "seals": [TransitSealPublic.model_validate(s) for s in seals_of(session, transit)]})


# --- seal events ---------------------------------------------------------------------------

def verify_signature(settings: Settings, system: str, timestamp: str, signature: str,
                     body: bytes, now: float) -> None:
    """`X-ESeal-Signature: v1=<hex HMAC-SHA256("<timestamp>.<body>")>` under the system's secret,
    signed within `eseal_max_skew_s`. The nonce in the body stops a replay inside that window."""
    secret = settings.eseal_systems.get(system)
    if not secret:
        raise Unauthorized(f"unknown e-seal system {system!r}", code="eseal_unknown_system")
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise Unauthorized("X-ESeal-Timestamp must be Unix seconds",
                           code="eseal_bad_timestamp") from None
    if abs(now - signed_at) > settings.eseal_max_skew_s:
        raise Unauthorized("the seal event was signed too long ago (or in the future); "
                           "sign it again with the current time", code="eseal_stale")
    expected = "v1=" + hmac.new(secret.encode(), f"{signed_at}.".encode() + body,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Unauthorized("the seal event's signature does not match its body",
                           code="eseal_bad_signature")


def accept_signed_event(session: Session, settings: Settings, system: str, timestamp: str,
                        signature: str, body: bytes, now: float) -> TransitSeal:
    """The e-seal system's inbound webhook: size, signature, body and nonce checked, then the
    event applied like an officer's."""
    if len(body) > MAX_EVENT_BYTES:
        raise Invalid("a seal event is at most 16 KiB", code="eseal_too_large")
    verify_signature(settings, system, timestamp, signature, body, now)
    try:
        event = SealEventIn.model_validate_json(body)
    except ValidationError as exc:
        raise Invalid(f"not a seal event: {exc.errors()[0].get('msg')}",
                      code="eseal_bad_body") from None
    if not event.nonce:
        raise Invalid("a signed seal event needs a nonce", code="eseal_nonce_required")
    return record_event(session, None, f"eseal:{system}", event)


def record_event(session: Session, actor: User | None, source: str, event: SealEventIn
                 ) -> TransitSeal:
    """Applies one seal event (from a signed system message or an officer) and commits."""
    seal = session.exec(select(TransitSeal).where(
        TransitSeal.seal_no == event.seal_no.strip().upper())
        .order_by(col(TransitSeal.id).desc())).first()
    if seal is None:
        raise NotFound(f"no transit declares seal {event.seal_no}", code="unknown_seal")
    transit = session.get(Transit, seal.transit_id)
    assert transit is not None
    declaration = session.get(Declaration, transit.declaration_id)
    assert declaration is not None and declaration.id is not None
    at = event.occurred_at or utcnow()
    _claim_nonce(session, seal, event, source, at)
    broken = _apply(seal, declaration, event.kind, at)
    seal.state = event.kind.value
    session.add(seal)
    audit.record(session, declaration.id, actor, f"seal_{event.kind.value}",
                 reason=f"seal {seal.seal_no} on {seal.container_no}: {event.kind.value}"
                        f"{' at ' + event.location if event.location else ''} ({source})"
                        f"{'; ' + broken if broken else ''}")
    if broken:
        _hold_for_port_inspection(session, actor, declaration, transit, seal, broken, at)
    notifications.emit(session, declaration, "seal.event", {
        "container_no": seal.container_no, "seal_no": seal.seal_no, "kind": event.kind.value,
        "occurred_at": as_utc(at).isoformat(), "broken": bool(broken)})
    transaction.commit(session)
    return seal


def _claim_nonce(session: Session, seal: TransitSeal, event: SealEventIn, source: str,
                 at: datetime) -> None:
    """Stores the event under its (source, nonce): a replay fails here, before any effect."""
    session.add(SealEvent(seal_id=seal.id, kind=event.kind, source=source,
                          nonce=event.nonce or uuid.uuid4().hex, location=event.location,
                          occurred_at=at))
    try:
        session.flush()
    except IntegrityError:
        transaction.rollback(session)
        raise Conflict("this seal event (source and nonce) was received already",
                       code="eseal_replay") from None


def _apply(seal: TransitSeal, declaration: Declaration, kind: SealEventKind,
           at: datetime) -> str:
    """Updates the seal's times; returns why the seal counts as broken ('' if it does not)."""
    if seal.broken_at is not None and kind != K.arrived:
        return ""
    if kind == K.applied:
        if declaration.status != DeclarationStatus.released:
            raise Conflict(f"declaration {declaration.declaration_no} is {declaration.status}; "
                           "a seal is applied only after release at the inland office",
                           code="seal_before_release")
        seal.applied_at = at
    elif kind == K.departed:
        if seal.applied_at is None:
            raise Conflict(f"seal {seal.seal_no} was never applied; record it applied first",
                           code="seal_not_applied")
        seal.departed_at = at
    elif kind == K.arrived:
        seal.arrived_at = at
        if seal.applied_at is None and seal.broken_at is None:
            return "arrived at the port without an applied e-seal"
    elif kind == K.opened:
        if seal.arrived_at is None:
            return "e-seal opened before arrival at the port"
    elif kind == K.tampered:
        return "e-seal reports tampering"
    return ""


def _hold_for_port_inspection(session: Session, actor: User | None, declaration: Declaration,
                              transit: Transit,
                              seal: TransitSeal, reason: str, at: datetime) -> None:
    seal.broken_at, seal.broken_reason = at, reason
    if declaration.status != DeclarationStatus.released:
        return  # loaded already, or on hold for another reason: the event is on record
    lifecycle.transition(session, declaration, DeclarationStatus.inspection_required, actor,
                         reason=f"{seal.container_no}: {reason}; inspection at the port")
    task = inspections.create_task(session, declaration, [PORT_INSPECTION_REASON],
                                   remote_allowed=False, risk_level=3)
    port = session.get(Office, transit.destination_office_id)
    if port is not None:
        task.address, task.latitude, task.longitude = port.name, port.latitude, port.longitude
    session.add(task)


# --- what the port sees -------------------------------------------------------------------

@dataclass(frozen=True)
class PortView:
    """A container's standing at the port: released, hold, in_transit or loaded."""

    load_status: str
    code: str
    message: str
    eta: datetime | None = None

    @property
    def may_load(self) -> bool:
        return self.load_status == "released"


HOLD_REASONS = {
    DeclarationStatus.draft: ("not_submitted", "declaration not yet submitted"),
    DeclarationStatus.submitted: ("screening_pending", "customs screening not finished"),
    DeclarationStatus.screening: ("screening_pending", "customs screening not finished"),
    DeclarationStatus.photos_rejected: ("screening_pending", "customs screening not finished"),
    DeclarationStatus.inspection_required: ("inspection_pending",
                                            "customs inspection not finished"),
    DeclarationStatus.inspection_scheduled: ("inspection_pending",
                                             "customs inspection not finished"),
    DeclarationStatus.inspected: ("inspection_pending", "customs inspection not finished"),
    DeclarationStatus.rejected: ("rejected", "rejected by customs: do not load"),
    DeclarationStatus.cancelled: ("cancelled", "declaration cancelled: do not load"),
}


def port_view(declaration: Declaration, seal: TransitSeal | None, transit: Transit | None
              ) -> PortView:
    status = DeclarationStatus(declaration.status)
    if status == DeclarationStatus.loaded:
        return PortView("loaded", "loaded", "loaded onto the vessel")
    if status != DeclarationStatus.released:
        if seal is not None and seal.broken_at is not None and status in (
                DeclarationStatus.inspection_required, DeclarationStatus.inspection_scheduled,
                DeclarationStatus.inspected):
            return PortView("hold", "seal_broken",
                            f"{seal.broken_reason}: inspection at the port")
        code, message = HOLD_REASONS.get(status, ("hold", "not released"))
        return PortView("hold", code, message)
    if seal is None or transit is None:
        return PortView("released", "released", "released: may load")
    if seal.broken_at is not None:
        released = declaration.released_at
        if released is not None and as_utc(released) > as_utc(seal.broken_at):
            return PortView("released", "released_after_port_inspection",
                            "released after inspection at the port: may load")
        return PortView("hold", "seal_broken", f"{seal.broken_reason}: inspection at the port")
    if seal.arrived_at is not None:
        return PortView("released", "seal_intact", "arrived with the e-seal intact: may load")
    return PortView("in_transit", "in_transit", "in transit under e-seal", transit.eta)


def views_for(session: Session, declaration: Declaration) -> dict[str, PortView]:
    """Each container of the declaration → its standing at the port."""
    transit = transit_of(session, declaration.id)
    seals = {s.container_no: s for s in seals_of(session, transit)} if transit else {}
    return {c.container_no: port_view(declaration, seals.get(c.container_no), transit)
            for c in containers_of(session, declaration.id)}


def transit_minutes_by_route(session: Session, since: datetime | None = None,
                             until: datetime | None = None) -> dict[str, list[float]]:
    """Departure → arrival of each sealed container, keyed 'origin office → port office'."""
    query = (select(TransitSeal, Transit).join(Transit, col(Transit.id) == TransitSeal.transit_id)
             .where(col(TransitSeal.departed_at).is_not(None),
                    col(TransitSeal.arrived_at).is_not(None)))
    if since:
        query = query.where(col(TransitSeal.arrived_at) >= since)
    if until:
        query = query.where(col(TransitSeal.arrived_at) < until)
    names = {o.id: o.name for o in session.exec(select(Office))}
    routes: dict[str, list[float]] = {}
    for seal, transit in session.exec(query):
        assert seal.departed_at is not None and seal.arrived_at is not None
        route = (f"{names.get(transit.origin_office_id, transit.origin_office_id)} → "
                 f"{names.get(transit.destination_office_id, transit.destination_office_id)}")
        minutes = (as_utc(seal.arrived_at) - as_utc(seal.departed_at)).total_seconds() / 60
        routes.setdefault(route, []).append(max(minutes, 0.0))
    return routes
