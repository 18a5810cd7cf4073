"""Exporter pages: packaging filings with reference photos, declarations, packing photos and the
screening outcome. Every action calls the same `customs` use case as the JSON API route."""

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from customs import (
    appointments,
    audit,
    certificates,
    declarations,
    dispatching,
    filings,
    inspections,
    messages,
    packing_photos,
    screening,
    transit,
    webhooks,
)
from customs import notifications as customs_notifications
from customs.errors import DomainError, Invalid
from models import (
    WEBHOOK_EVENTS,
    Declaration,
    DeclarationCreate,
    DeclarationStatus,
    FilingCreate,
    FilingPhotoPublic,
    FilingStatus,
    GoodsCategory,
    PackingPhotoPublic,
    QuadUpdate,
    TransitCreate,
    TransportMode,
    WebhookEndpointCreate,
)
from routes.deps import RecordId, SettingsDep, StoreDep
from routes.pages.core import (
    STATUS_LABELS,
    ExporterPage,
    PageRoute,
    PageSession,
    language,
    redirect,
    render,
)
from routes.pages.forms import REASON_TITLES, errors_of, local_to_utc, optional_float, text
from routes.pages.i18n import N_, gettext
from routes.uploads import read_capped

log = logging.getLogger(__name__)
router = APIRouter(prefix="/exporter", route_class=PageRoute)

NOTICES = {
    "filed": N_("Filing saved. Now upload a reference photo of each face."),
    "created": N_("Declaration saved as a draft."),
    "submitted": N_("Declaration submitted. Now upload the packing photos."),
    "cancelled": N_("Declaration cancelled."),
    "transit": N_("Export transit saved: the containers travel to the port under e-seal."),
    "booked": N_("Inspection appointment booked."),
}
SEAL_LABELS = {"declared": N_("Declared"), "applied": N_("Sealed"), "departed": N_("Departed"),
               "arrived": N_("Arrived intact"), "opened": N_("Opened at the port"),
               "tampered": N_("Tampered")}
WAITING = {DeclarationStatus.submitted, DeclarationStatus.screening}


def _notice(request: Request, done: str | None) -> str | None:
    return gettext(language(request), NOTICES[done]) if done in NOTICES else None


@router.get("")
def dashboard(request: Request, session: PageSession, user: ExporterPage) -> Response:
    recent, total = declarations.list_declarations(session, user, status=None, offset=0,
                                                   limit=8)
    counts: dict[str, int] = {}
    for status in DeclarationStatus:
        counts[status.value] = declarations.list_declarations(
            session, user, status=status, offset=0, limit=1)[1]
    filing_list, filing_total = filings.list_filings(session, user, status=None, offset=0,
                                                     limit=5)
    return render(request, "exporter/dashboard.html", user=user, recent=recent, total=total,
                  counts=counts, filings=filing_list, filing_total=filing_total)


# --- packaging filings ---

@router.get("/filings")
def filing_list(request: Request, session: PageSession, user: ExporterPage,
                again: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The exporter's filings and the new-filing form; ``again``: the form filled in from that
    earlier filing, to file the design again (with new reference photos)."""
    items, _ = filings.list_filings(session, user, status=None, offset=0, limit=200)
    form: dict[str, Any] = {}
    if again is not None:
        earlier = filings.get_filing(session, user, again)
        kept = earlier.model_dump(mode="json", include=set(FilingCreate.model_fields))
        form = {**{k: v for k, v in kept.items() if v is not None},
                "un_numbers": ", ".join(earlier.un_numbers), "replaces_filing_id": earlier.id}
    return render(request, "exporter/filings.html", user=user, filings=items, errors=[],
                  form=form, modes=list(TransportMode),
                  provisions=filings.PROVISIONS)


@router.post("/filings")
async def filing_create(request: Request, session: PageSession, user: ExporterPage) -> Response:
    form = await request.form()
    values: dict[str, Any] = {
        "title": text(form.get("title")),
        "un_numbers": [u.strip().upper() for u in text(form.get("un_numbers")).replace(
            "，", ",").split(",") if u.strip()],
        "proper_shipping_name": text(form.get("proper_shipping_name")),
        "packing_instruction": text(form.get("packing_instruction")),
        "package_type": text(form.get("package_type")),
        "un_packaging_code": text(form.get("un_packaging_code")),
        "gross_weight_min_kg": optional_float(form.get("gross_weight_min_kg")),
        "gross_weight_max_kg": optional_float(form.get("gross_weight_max_kg")),
        "transport_mode": text(form.get("transport_mode")) or "sea",
        "provision": text(form.get("provision")) or "fully_regulated",
        "replaces_filing_id": text(form.get("replaces_filing_id")) or None,
    }
    try:
        data = FilingCreate.model_validate(values)
        filing = await run_in_threadpool(filings.create_filing, session, user, data)
    except (ValidationError, Invalid) as exc:
        items, _ = await run_in_threadpool(filings.list_filings, session, user, status=None,
                                           offset=0, limit=200)
        errors = (errors_of(exc, language(request)) if isinstance(exc, ValidationError)
                  else [exc.message])
        return render(request, "exporter/filings.html", status_code=422, user=user,
                      filings=items, errors=errors, form=dict(form),
                      modes=list(TransportMode), provisions=filings.PROVISIONS)
    return redirect(f"/exporter/filings/{filing.id}?done=filed")


@router.get("/filings/regime")
def filing_regime_preview(
    user: ExporterPage,
    un_numbers: Annotated[str, Query(max_length=200)] = "",
    transport_mode: Annotated[str, Query(max_length=10)] = "sea",
    provision: Annotated[str, Query(max_length=30)] = "fully_regulated",
) -> Response:
    """The marks the filing being typed would expect (JSON for static/regime-preview.js)."""
    uns = [u.strip().upper() for u in un_numbers.replace("，", ",").split(",") if u.strip()]
    try:
        regime = filings.regime_preview(uns, transport_mode, provision)
    except Invalid as exc:
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=422)
    return JSONResponse(regime.model_dump(mode="json"))


@router.get("/filings/{filing_id}")
def filing_detail(request: Request, filing_id: RecordId, session: PageSession,
                  user: ExporterPage, done: Annotated[str | None, Query(max_length=20)] = None
                  ) -> Response:
    filing = filings.to_public(session, filings.get_filing(session, user, filing_id))
    return render(request, "exporter/filing.html", user=user, filing=filing,
                  faces=filings.FACES, notice=_notice(request, done))


@router.post("/filings/{filing_id}/photos")
def filing_photo_upload(
    filing_id: RecordId, session: PageSession, settings: SettingsDep, store: StoreDep,
    user: ExporterPage, file: Annotated[UploadFile, File()],
    face: Annotated[str, Form(max_length=20)],
) -> Response:
    photo = filings.accept_reference_photo(session, settings, store, user, filing_id, face,
                                           read_capped(file, settings.max_upload_bytes))
    return JSONResponse(FilingPhotoPublic.model_validate(photo).model_dump(mode="json"),
                        status_code=201)


@router.post("/filings/{filing_id}/photos/{photo_id}/quad")
def filing_photo_quad(filing_id: RecordId, photo_id: RecordId, data: QuadUpdate,
                      session: PageSession, store: StoreDep, user: ExporterPage) -> Response:
    """The corners dragged on the filing page: the face is flattened again."""
    photo = filings.correct_quad(session, store, user, filing_id, photo_id, data.corners)
    return JSONResponse(FilingPhotoPublic.model_validate(photo).model_dump(mode="json"))


# --- declarations ---

@router.get("/declarations")
def declaration_list(request: Request, session: PageSession, user: ExporterPage) -> Response:
    items, total = declarations.list_declarations(session, user, status=None, offset=0,
                                                  limit=200)
    return render(request, "exporter/declarations.html", user=user, items=items, total=total)


def _form_context(session: PageSession, user: ExporterPage) -> dict[str, Any]:
    approved, _ = filings.list_filings(session, user, status=FilingStatus.approved, offset=0,
                                       limit=200)
    return {"filings": approved, "modes": list(TransportMode), "categories": list(GoodsCategory)}


@router.get("/declarations/new")
def declaration_new(request: Request, session: PageSession, user: ExporterPage) -> Response:
    return render(request, "exporter/declaration_new.html", user=user, errors=[], form={},
                  goods=[{}], containers=[{}], **_form_context(session, user))


def _rows(form: Any, fields: tuple[str, ...]) -> list[dict[str, str]]:
    columns = {name: form.getlist(name) for name in fields}
    count = max((len(v) for v in columns.values()), default=0)
    rows = [{name: text(columns[name][i]) if i < len(columns[name]) else ""
             for name in fields} for i in range(count)]
    return [row for row in rows if any(row.values())]


@router.post("/declarations")
async def declaration_create(request: Request, session: PageSession, settings: SettingsDep,
                             user: ExporterPage) -> Response:
    form = await request.form()
    goods = _rows(form, ("hs_code", "description", "un_number", "quantity", "gross_weight_kg"))
    containers = _rows(form, ("container_no", "seal_no"))
    values: dict[str, Any] = {
        "filing_id": text(form.get("filing_id")) or None,
        "port": text(form.get("port")).upper() or "CNXMN",
        "vessel": text(form.get("vessel")),
        "voyage": text(form.get("voyage")),
        "transport_mode": text(form.get("transport_mode")) or "sea",
        "goods_category": text(form.get("goods_category")) or "dangerous_goods",
        "remote_inspection_ok": form.get("remote_inspection_ok") == "on",
        "inspection_address": text(form.get("inspection_address")),
        "arrival_at": local_to_utc(form.get("arrival_at"), settings.port_timezone),
        "goods": [{**g, "un_number": g["un_number"].upper() or None,
                   "quantity": g["quantity"] or None,
                   "gross_weight_kg": g["gross_weight_kg"] or None} for g in goods],
        "containers": [{**c, "container_no": c["container_no"].upper()} for c in containers],
    }
    errors: list[str] = []
    try:
        data = DeclarationCreate.model_validate(values)
    except ValidationError as exc:
        errors = errors_of(exc, language(request))
    if errors:
        context = await run_in_threadpool(_form_context, session, user)
        return render(request, "exporter/declaration_new.html", status_code=422, user=user,
                      errors=errors, form=dict(form), goods=goods or [{}],
                      containers=containers or [{}], **context)
    submit = form.get("action") == "submit"
    created = await run_in_threadpool(_declare, session, user, data, submit)
    return redirect(f"/exporter/declarations/{created.id}?done="
                    + ("submitted" if submit else "created"))


def _declare(session: PageSession, user: ExporterPage, data: DeclarationCreate,
             submit: bool) -> Declaration:
    """The database work of the form post, off the event loop."""
    created = declarations.create_declaration(session, user, data)
    return declarations.submit(session, user, created) if submit else created


def _outcome(session: PageSession, declaration: Declaration, lang: str = "en"
             ) -> dict[str, Any]:
    record = screening.latest(session, declaration.id)
    reasons = []
    if record is not None:
        reasons = [{"code": r.get("code", ""), "title": REASON_TITLES.get(r.get("code", "")),
                    "message": r.get("message", ""), "photos": screening.photo_numbers(record, r),
                    "text": r.get("message", "") if lang == "en"
                    else messages.text(r.get("code", ""), lang, "")}
                   for r in record.reasons if r.get("code") != "ok"]
    tasks = inspections.tasks_for(session, declaration.id)
    task = tasks[-1] if tasks else None
    certificate = certificates.for_declaration(session, declaration.id)
    return {"screening": record, "reasons": reasons, "task": task,
            "certificate": certificate,
            "evidence": list(record.evidence) if record else []}


@router.get("/declarations/{declaration_id}")
def declaration_detail(request: Request, declaration_id: RecordId, session: PageSession,
                       settings: SettingsDep, store: StoreDep, user: ExporterPage,
                       done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    declaration = declarations.get_declaration(session, user, declaration_id)
    public = declarations.to_public(session, declaration)
    photos = declarations.photos_of(session, declaration.id)
    events = audit.events_for(session, declaration.id)
    outcome = _outcome(session, declaration, language(request))
    verify = (certificates.owner_verify_url(settings, store, outcome["certificate"])
              if outcome["certificate"] else None)
    record = transit.transit_of(session, declaration.id)
    return render(request, "exporter/declaration.html", user=user, d=public, photos=photos,
                  events=events, verify_url=verify, notice=_notice(request, done),
                  transit=record, seals=transit.seals_of(session, record) if record else [],
                  offices={o.id: o.name for o in transit.offices(session)},
                  seal_labels=SEAL_LABELS,
                  transit_editable=record is None and public.status in transit.EDITABLE
                  and bool(public.containers),
                  waiting=public.status in WAITING and bool(photos),
                  accepts_photos=public.status in declarations.PHOTO_STATES, **outcome,
                  **_appointment(session, settings, outcome["task"]))


def _appointment(session: PageSession, settings: SettingsDep, task: Any) -> dict[str, Any]:
    """The open inspection's appointment and the free slots to book (none once it is done)."""
    if task is None or task.status not in appointments.BOOKABLE:
        return {"appointment": None, "slots": []}
    try:
        return {"appointment": appointments.view(session, settings, task),
                "slots": [appointments.slot_public(s) for s in
                          dispatching.appointment_slots(session, settings, task)]}
    except DomainError:  # no officer on duty, travel times unavailable: the page still shows
        log.warning("no appointment slots for task %s", task.id, exc_info=True)
        return {"appointment": None, "slots": []}


@router.post("/declarations/{declaration_id}/appointment")
def appointment_book(declaration_id: RecordId, session: PageSession, settings: SettingsDep,
                     user: ExporterPage, start: Annotated[str, Form(max_length=40)]) -> Response:
    """Books the chosen free slot (the same use case as POST /declarations/{id}/appointment)."""
    appointments.book(session, settings, user, declaration_id, _instant(start))
    return redirect(f"/exporter/declarations/{declaration_id}?done=booked#appointment")


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(f"{value!r} is not a time; choose one of the free slots",
                      code="invalid_slot") from exc
    if moment.tzinfo is None:
        raise Invalid("the slot time needs its time zone; choose one of the free slots",
                      code="invalid_slot")
    return moment


@router.get("/declarations/{declaration_id}/status")
def declaration_status(declaration_id: RecordId, session: PageSession, user: ExporterPage
                       ) -> Response:
    """Polled by the page while screening runs."""
    declaration = declarations.get_declaration(session, user, declaration_id)
    return JSONResponse({"status": declaration.status, "version": declaration.version})


@router.post("/declarations/{declaration_id}/submit")
def declaration_submit(declaration_id: RecordId, session: PageSession, user: ExporterPage
                       ) -> Response:
    declarations.submit(session, user, declarations.get_declaration(session, user, declaration_id))
    return redirect(f"/exporter/declarations/{declaration_id}?done=submitted")


@router.post("/declarations/{declaration_id}/cancel")
def declaration_cancel(declaration_id: RecordId, session: PageSession, user: ExporterPage
                       ) -> Response:
    declarations.cancel(session, user, declarations.get_declaration(session, user, declaration_id),
                        "")
    return redirect(f"/exporter/declarations/{declaration_id}?done=cancelled")


@router.post("/declarations/{declaration_id}/photos")
def packing_photo_upload(
    declaration_id: RecordId, session: PageSession, settings: SettingsDep, store: StoreDep,
    user: ExporterPage, file: Annotated[UploadFile, File()],
) -> Response:
    photo = packing_photos.accept_packing_photo(
        session, settings, store, user, declaration_id,
        read_capped(file, settings.max_upload_bytes))
    return JSONResponse(PackingPhotoPublic.model_validate(photo).model_dump(mode="json"),
                        status_code=202)


@router.post("/declarations/{declaration_id}/transit")
async def declaration_transit(request: Request, declaration_id: RecordId, session: PageSession,
                              settings: SettingsDep, user: ExporterPage) -> Response:
    """Export transit under e-seal: offices, truck, ETA and a seal number per container."""
    form = await request.form()
    containers = [str(c) for c in form.getlist("container_no")]
    seals = [text(s) for s in form.getlist("seal_no")]
    try:
        data = TransitCreate(
            origin_office_id=int(text(form.get("origin_office_id")) or 0),
            destination_office_id=int(text(form.get("destination_office_id")) or 0),
            vehicle_plate=text(form.get("vehicle_plate")),
            eta=local_to_utc(form.get("eta"), settings.port_timezone),
            seals=[{"container_no": c, "seal_no": s}
                   for c, s in zip(containers, seals, strict=False)])
    except (ValidationError, ValueError) as exc:
        lines = (errors_of(exc, language(request)) if isinstance(exc, ValidationError)
                 else [str(exc)])
        raise Invalid("; ".join(lines), code="validation_error") from None

    def save() -> None:
        declaration = declarations.get_declaration(session, user, declaration_id)
        transit.declare(session, user, declaration, data)

    await run_in_threadpool(save)
    return redirect(f"/exporter/declarations/{declaration_id}?done=transit")


@router.get("/events")
def live_events(request: Request, session: PageSession, user: ExporterPage,
                after: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None) -> Response:
    """Polled by every exporter page: status changes since `after`, labelled for the page."""
    assert user.enterprise_id is not None
    newest, events = customs_notifications.recent_events(session, user.enterprise_id, after)
    lang = language(request)
    items = [{"id": e.id, "declaration_id": e.declaration_id, "declaration_no": number,
              "status": gettext(lang, STATUS_LABELS.get(e.to_status, str(e.to_status)))}
             for e, number in events]
    return JSONResponse({"newest": newest, "events": items})


# --- status notifications: webhook endpoints and the delivery log ---

DELIVERY_LABELS = {"pending": N_("Queued"), "retrying": N_("Retrying"),
                   "delivered": N_("Delivered"), "failed": N_("Failed")}

@router.get("/notifications")
def notifications_page(request: Request, session: PageSession, user: ExporterPage,
                       done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return _notifications(request, session, user,
                          notice=gettext(language(request), "Delivery queued again.")
                          if done == "replayed" else None)


def _notifications(request: Request, session: PageSession, user: ExporterPage,
                   notice: str | None = None, created: Any = None, error: str | None = None,
                   status_code: int = 200) -> Response:
    return render(request, "exporter/notifications.html", status_code=status_code, user=user,
                  endpoints=webhooks.endpoints_of(session, user),
                  deliveries=webhooks.deliveries_of(session, user, limit=50),
                  events=WEBHOOK_EVENTS, notice=notice, created=created, error=error,
                  delivery_labels=DELIVERY_LABELS)


@router.post("/notifications")
async def notifications_register(request: Request, session: PageSession, user: ExporterPage
                                 ) -> Response:
    form = await request.form()
    events = [str(e) for e in form.getlist("events")]
    try:
        data = WebhookEndpointCreate(url=text(form.get("url")), events=events)
    except ValidationError:
        return await run_in_threadpool(
            _notifications, request, session, user, None, None,
            N_("Give an http:// or https:// address for the webhook."), 422)
    endpoint = await run_in_threadpool(webhooks.register, session, user, data)
    return await run_in_threadpool(_notifications, request, session, user, None, endpoint)


@router.post("/notifications/deliveries/{delivery_id}/replay")
def notifications_replay(delivery_id: RecordId, session: PageSession, user: ExporterPage
                         ) -> Response:
    webhooks.replay(session, user, delivery_id)
    return redirect("/exporter/notifications?done=replayed")
