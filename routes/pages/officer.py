"""Officer pages: today's dispatch (map, printable list, merge), filing review, inspection
results, a declaration's audit trail and the release-time statistics."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from customs import (
    audit,
    certificates,
    declarations,
    dispatching,
    filings,
    inspections,
    jobs,
    map_tiles,
    plan_jobs,
    screening,
)
from customs.errors import Invalid, NotFound
from customs.scoping import get_declaration_by_no
from customs.settings import Settings
from models import (
    DeclarationStatus,
    FilingStatus,
    InspectionMode,
    InspectionOutcome,
    InspectionStatus,
)
from routes import inspections as inspections_api
from routes import stats as stats_api
from routes.deps import RecordId, SettingsDep, StoreDep
from routes.pages import charts
from routes.pages.core import OfficerPage, PageRoute, PageSession, language, redirect, render
from routes.pages.forms import REASON_TITLES
from routes.pages.i18n import N_, gettext

log = logging.getLogger(__name__)
router = APIRouter(prefix="/officer", route_class=PageRoute)
Note = Annotated[str, Form(max_length=1000)]
NOTICES = {
    "approved": N_("Filing approved: it is now in the compliance library."),
    "rejected": N_("Filing rejected."),
    "recorded": N_("Inspection result recorded."),
    "built": N_("Dispatch plan built."),
    "confirmed": N_("Displaced stops confirmed."),
    "photo": N_("Photo saved as evidence of the result."),
    "rescreened": N_("Screening started again."),
}
CHANNEL_COLOURS = ["#15803d", "#0b4f8a", "#c2410c"]  # green, remote, on site
CHANNEL_LABELS = {"green": N_("Released without inspection"),
                  "remote_inspection": N_("Inspected remotely"),
                  "onsite_inspection": N_("Inspected on site")}


def _notice(request: Request, done: str | None) -> str | None:
    return gettext(language(request), NOTICES[done]) if done in NOTICES else None


Done = Annotated[str | None, Query(max_length=20)]


@router.get("")
def dashboard(request: Request, session: PageSession, user: OfficerPage, done: Done = None
              ) -> Response:
    pending = filings.list_filings(session, user, status=FilingStatus.pending, offset=0,
                                   limit=1)[1]
    open_tasks = inspections.open_tasks(session)
    mine = [t for t in open_tasks if t.officer_id == user.id]
    waiting = declarations.list_declarations(
        session, user, status=DeclarationStatus.inspection_required, offset=0, limit=1)[1]
    plan = dispatching.latest_plan(session)
    stats = stats_api.release_times(session, user, None, None)
    stuck = jobs.stuck_screenings(session, request.app.state.settings)
    return render(request, "officer/dashboard.html", user=user, pending=pending,
                  open_tasks=open_tasks, mine=mine, waiting=waiting, plan=plan, stats=stats,
                  stuck=stuck, notice=_notice(request, done))


@router.post("/declarations/{declaration_id}/rescreen")
def rescreen(declaration_id: RecordId, session: PageSession, user: OfficerPage) -> Response:
    """Re-runs a screening that has been stuck (listed on the dashboard)."""
    jobs.rerun_screening(session, user, declarations.get_declaration(session, user,
                                                                     declaration_id))
    return redirect("/officer?done=rescreened")


# --- dispatch ---

@router.get("/dispatch")
def dispatch_today(request: Request, session: PageSession, user: OfficerPage) -> Response:
    plan = dispatching.latest_plan(session)
    if plan is not None:
        return redirect(f"/officer/dispatch/{plan.id}")
    return render(request, "officer/dispatch.html", user=user, record=None, plan=None,
                  open_count=len(inspections.open_tasks(session)))


@router.post("/dispatch/plans")
def dispatch_build(session: PageSession, settings: SettingsDep, user: OfficerPage) -> Response:
    """Starts building the plan in the background; the progress page follows it."""
    job = plan_jobs.enqueue(session, settings, user)
    return redirect(f"/officer/dispatch/jobs/{job.id}")


@router.get("/dispatch/jobs/{job_id}")
def dispatch_job(request: Request, job_id: RecordId, session: PageSession, user: OfficerPage
                 ) -> Response:
    """A plan being built: a progress bar that polls the job and opens the plan when saved."""
    job = plan_jobs.public(plan_jobs.get(session, job_id))
    if job.plan_id is not None:
        return redirect(f"/officer/dispatch/{job.plan_id}?done=built")
    return render(request, "officer/dispatch_job.html", user=user, job=job)


@router.get("/dispatch/jobs/{job_id}/status")
def dispatch_job_status(job_id: RecordId, session: PageSession, user: OfficerPage) -> Response:
    """Polled by the progress page (the same answer as GET /dispatch/jobs/{id})."""
    return JSONResponse(plan_jobs.public(plan_jobs.get(session, job_id)).model_dump(mode="json"))


def _tile_zoom(settings: Settings) -> tuple[int, int] | None:
    """The offline tile file's zoom range, or None without one (or if it cannot be read)."""
    if settings.map_tiles_mbtiles is None:
        return None
    try:
        source = map_tiles.open_source(settings.map_tiles_mbtiles)
    except (OSError, ValueError):
        log.warning("offline map tiles unavailable", exc_info=True)
        return None
    return source.min_zoom, source.max_zoom


@router.get("/tiles/{zoom}/{x}/{y}")
def map_tile(zoom: Annotated[int, Path(ge=0, le=22)], x: Annotated[int, Path(ge=0)],
             y: Annotated[int, Path(ge=0)], settings: SettingsDep, user: OfficerPage
             ) -> Response:
    """A base-map tile from the offline MBTiles file (404 without one)."""
    if settings.map_tiles_mbtiles is None:
        raise NotFound("no offline map is configured (CLEARLANE_MAP_TILES_MBTILES)")
    source = map_tiles.open_source(settings.map_tiles_mbtiles)
    return Response(source.tile(zoom, x, y), media_type=source.media_type,
                    headers={"Cache-Control": "private, max-age=86400"})


def _plan_context(session: PageSession, settings: Settings, plan_id: int, officer: str | None
                  ) -> dict[str, Any]:
    record = dispatching.get_plan(session, plan_id)
    plan = record.plan
    routes = [r for r in plan.get("routes", []) if officer in (None, r["officer_id"])]
    in_plan = {t["id"] for t in plan.get("problem", {}).get("tasks", [])}
    new_tasks = [t for t in inspections.open_tasks(session)
                 if dispatching.task_id(t) not in in_plan]
    return {"record": record, "plan": plan, "routes": routes, "officer": officer,
            "officers": [r["officer_id"] for r in plan.get("routes", [])],
            "maps": charts.office_maps(plan, officer, _tile_zoom(settings)),
            "new_tasks": new_tasks,
            "last_merge": record.merges[-1] if record.merges else None,
            "task_ids": _task_links(plan)}


def _task_links(plan: dict[str, Any]) -> dict[str, int]:
    """Engine task id ("T12") → inspection task id, for links to the result form."""
    ids = [t["id"] for t in plan.get("problem", {}).get("tasks", [])]
    return {i: int(i[1:]) for i in ids if i[:1] == "T" and i[1:].isdigit()}


@router.get("/dispatch/{plan_id}")
def dispatch_plan(request: Request, plan_id: RecordId, session: PageSession,
                  settings: SettingsDep, user: OfficerPage,
                  officer: Annotated[str | None, Query(max_length=64)] = None,
                  done: Done = None) -> Response:
    context = _plan_context(session, settings, plan_id, officer or None)
    return render(request, "officer/dispatch.html", user=user, notice=_notice(request, done),
                  **context)


@router.get("/dispatch/{plan_id}/print")
def dispatch_print(request: Request, plan_id: RecordId, session: PageSession,
                   settings: SettingsDep, user: OfficerPage,
                   officer: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    return render(request, "officer/dispatch_print.html", user=user,
                  **_plan_context(session, settings, plan_id, officer or None))


@router.post("/dispatch/{plan_id}/merge")
def dispatch_merge(plan_id: RecordId, session: PageSession, settings: SettingsDep,
                   user: OfficerPage) -> Response:
    record = dispatching.get_plan(session, plan_id)
    dispatching.merge_new_tasks(session, settings, user, record)
    return redirect(f"/officer/dispatch/{plan_id}#merge-result")


@router.post("/dispatch/{plan_id}/merge/confirm")
def dispatch_merge_confirm(plan_id: RecordId, session: PageSession, user: OfficerPage
                           ) -> Response:
    """The officer has seen the stops the last merge displaced and confirms them."""
    dispatching.confirm_merge(session, dispatching.get_plan(session, plan_id), user)
    return redirect(f"/officer/dispatch/{plan_id}?done=confirmed#merge-result")


# --- filing review ---

@router.get("/filings")
def filing_queue(request: Request, session: PageSession, user: OfficerPage) -> Response:
    pending, _ = filings.list_filings(session, user, status=FilingStatus.pending, offset=0,
                                      limit=200)
    recent, _ = filings.list_filings(session, user, status=None, offset=0, limit=30)
    photo_counts = {f.id: len(filings.photos_of(session, f.id)) for f in pending}
    return render(request, "officer/filings.html", user=user, pending=pending,
                  photo_counts=photo_counts,
                  recent=[f for f in recent if f.status != FilingStatus.pending])


@router.get("/filings/{filing_id}")
def filing_review(request: Request, filing_id: RecordId, session: PageSession,
                  user: OfficerPage, done: Done = None) -> Response:
    filing = filings.to_public(session, filings.get_filing(session, user, filing_id))
    return render(request, "officer/filing.html", user=user, filing=filing,
                  notice=_notice(request, done))


@router.post("/filings/{filing_id}/review")
def filing_decide(filing_id: RecordId, session: PageSession, user: OfficerPage,
                  decision: Annotated[str, Form(pattern="^(approve|reject)$")],
                  note: Note = "",
                  photo_ids: Annotated[list[int], Form(max_length=60)] = [],  # noqa: B006
                  face_sha256s: Annotated[list[str], Form(max_length=60)] = [],  # noqa: B006
                  accept_missing_labels: Annotated[bool, Form()] = False) -> Response:
    filing = filings.get_filing(session, user, filing_id)
    # approval is bound to the photos shown on the review page (hidden photo_ids)
    filings.review(session, user, filing, decision == "approve", note.strip(), photo_ids,
                   face_sha256s or None, accept_missing_labels)
    return redirect(f"/officer/filings/{filing_id}?done="
                    + ("approved" if decision == "approve" else "rejected"))


# --- inspections ---

PRIORITY_CLASSES = ("green", "appointment", "normal")
Choice = Annotated[str | None, Query(max_length=20)]


@router.get("/inspections")
def inspection_list(request: Request, session: PageSession, settings: SettingsDep,
                    user: OfficerPage, status: InspectionStatus | None = None,
                    priority: Choice = None, mode: Choice = None) -> Response:
    """Escalated tasks first (their appointment window passed), then by dispatch priority."""
    tasks, total = inspections.list_tasks(session, status=status, offset=0, limit=200)
    public = [dispatching.task_public(session, settings, t) for t in tasks]
    public = [t for t in public
              if priority in (None, "", t.priority_class) and mode in (None, "", t.mode.value)]
    escalated = {t.id for t in public if dispatching.window_passed(t)}
    order = {InspectionStatus.open: 0, InspectionStatus.scheduled: 1}
    public.sort(key=lambda t: (t.id not in escalated, order.get(t.status, 2),
                               -t.priority_score, t.id))
    return render(request, "officer/inspections.html", user=user, tasks=public, total=total,
                  status=status, statuses=list(InspectionStatus), priority=priority or "",
                  priorities=PRIORITY_CLASSES, mode=mode or "", modes=list(InspectionMode),
                  escalated=escalated)


def _screening_view(session: PageSession, declaration_id: int) -> dict[str, Any]:
    record = screening.latest(session, declaration_id)
    reasons = [] if record is None else [
        {"code": r.get("code", ""), "title": REASON_TITLES.get(r.get("code", "")),
         "message": r.get("message", ""), "photos": screening.photo_numbers(record, r)}
        for r in record.reasons if r.get("code") != "ok"]
    codes = dict.fromkeys(r["code"] for r in reasons if r["code"])
    return {"screening": record, "reasons": reasons,
            "reason_codes": [(c, REASON_TITLES.get(c)) for c in codes],
            "evidence": list(record.evidence) if record else []}


@router.get("/inspections/{task_id}")
def inspection_form(request: Request, task_id: RecordId, session: PageSession,
                    settings: SettingsDep, user: OfficerPage, done: Done = None) -> Response:
    task = inspections_api.get_inspection(task_id, session, settings, user)
    declaration = declarations.get_declaration(session, user, task.declaration_id)
    filing = (filings.to_public(session,
                                filings.get_filing(session, user, declaration.filing_id))
              if declaration.filing_id else None)
    return render(request, "officer/inspection.html", user=user, task=task,
                  video_url=inspections.video_room_url(settings, task),
                  d=declarations.to_public(session, declaration), filing=filing,
                  photos=declarations.photos_of(session, declaration.id),
                  notice=_notice(request, done), **_screening_view(session, declaration.id))


@router.post("/inspections/{task_id}/result")
def inspection_result(task_id: RecordId, session: PageSession, settings: SettingsDep,
                      store: StoreDep, user: OfficerPage,
                      outcome: Annotated[InspectionOutcome, Form()],
                      notes: Annotated[str, Form(max_length=4000)] = "",
                      checked: Annotated[list[str] | None, Form(max_length=50)] = None,
                      confirmed: Annotated[list[str] | None, Form(max_length=50)] = None,
                      false_alarm: Annotated[list[str] | None, Form(max_length=50)] = None,
                      ) -> Response:
    """Records the outcome; the ticked checklist items (from the screening reasons) are
    kept in the notes, and each reason marked confirmed / false alarm feeds the vision
    calibration."""
    labels = {c: "confirmed" for c in confirmed or []}
    both = sorted(set(labels) & set(false_alarm or []))
    if both:
        raise Invalid(f"reason {', '.join(both)} is marked both confirmed and false alarm; "
                      "tick one", code="invalid_reason_label")
    labels.update({c: "false_alarm" for c in false_alarm or []})
    ticks = [c.strip()[:200] for c in checked or [] if c.strip()]
    text = notes.strip() + ("\n" if notes.strip() and ticks else "")
    text += "".join(f"[x] {c}\n" for c in ticks)
    task = inspections.get_task(session, task_id)
    declaration = inspections.record_result(session, settings, store, user, task, outcome,
                                            text.strip()[:4000], labels)
    return redirect(f"/officer/declarations/{declaration.id}?done=recorded")


@router.post("/inspections/{task_id}/photos")
def inspection_photo(task_id: RecordId, session: PageSession, settings: SettingsDep,
                     store: StoreDep, user: OfficerPage,
                     file: Annotated[UploadFile, File()]) -> Response:
    """A photo taken during the call (the phone's camera) or uploaded, as result evidence."""
    inspections_api.add_result_photo(task_id, session, settings, store, user, file)
    return redirect(f"/officer/inspections/{task_id}?done=photo#result-photos")


# --- declarations and their audit trail ---

@router.get("/declarations")
def declaration_list(request: Request, session: PageSession, user: OfficerPage,
                     status: DeclarationStatus | None = None,
                     q: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    if q and q.strip():
        try:
            found = get_declaration_by_no(session, q.strip().upper(), user)
        except NotFound:
            found = None
        if found is not None:
            return redirect(f"/officer/declarations/{found.id}")
    items, total = declarations.list_declarations(session, user, status=status, offset=0,
                                                  limit=200)
    return render(request, "officer/declarations.html", user=user, items=items, total=total,
                  status=status, statuses=list(DeclarationStatus), q=q or "")


@router.get("/declarations/{declaration_id}")
def declaration_trail(request: Request, declaration_id: RecordId, session: PageSession,
                      settings: SettingsDep, user: OfficerPage, done: Done = None) -> Response:
    declaration = declarations.get_declaration(session, user, declaration_id)
    tasks = inspections.tasks_for(session, declaration.id)
    certificate = certificates.for_declaration(session, declaration.id)
    return render(request, "officer/declaration.html", user=user,
                  d=declarations.to_public(session, declaration),
                  events=audit.events_for(session, declaration.id), tasks=tasks,
                  photos=declarations.photos_of(session, declaration.id),
                  certificate=certificate, notice=_notice(request, done),
                  **_screening_view(session, declaration.id))


# --- statistics ---

@router.get("/stats")
def statistics(request: Request, session: PageSession, user: OfficerPage) -> Response:
    stats = stats_api.release_times(session, user, None, None)
    lang = language(request)
    names = {key: gettext(lang, text) for key, text in CHANNEL_LABELS.items()}
    medians = {names[k]: v.median_minutes for k, v in stats.by_channel.items()}
    p90 = {names[k]: v.p90_minutes for k, v in stats.by_channel.items()}
    shares = {names[k]: v for k, v in stats.shares.items()}
    return render(request, "officer/stats.html", user=user, stats=stats, names=names,
                  median_chart=charts.bars(medians, CHANNEL_COLOURS),
                  p90_chart=charts.bars(p90, CHANNEL_COLOURS),
                  share_chart=charts.donut(shares, CHANNEL_COLOURS))
