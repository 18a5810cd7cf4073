"""Dispatch glue: open inspection tasks + officers in the database → the `dispatch` engine.

Plans are stored (problem and plan as JSON) so an officer's list survives a restart. Tasks the
engine drops stay open and are carried into the next plan; tasks created after a plan was
built are merged into it on request.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

import dispatch
from customs import inspections, transaction
from customs.declarations import goods_of
from customs.errors import Invalid, NotFound, Unavailable
from customs.settings import MAX_DISPATCH_TIME_LIMIT_S, Settings
from models import (
    Declaration,
    DispatchPlanRecord,
    Enterprise,
    InspectionMode,
    InspectionStatus,
    InspectionTask,
    InspectionTaskPublic,
    Job,
    Office,
    Role,
    User,
    as_utc,
    utcnow,
)

DEFAULT_SHIFT = (time(8, 30), time(17, 30))
_RISK = {1: "low", 2: "medium", 3: "high"}


@contextmanager
def _engine_errors() -> Iterator[None]:
    try:
        yield
    except dispatch.ProblemError as exc:
        raise Invalid("; ".join(exc.messages), code="invalid_dispatch_problem") from exc
    except dispatch.TravelError as exc:
        raise Unavailable(f"travel times unavailable: {exc}", code="travel_unavailable") from exc


def task_id(task: InspectionTask) -> str:
    return f"T{task.id}"


def _shift(now: datetime, start: time | None, end: time | None, tz: ZoneInfo
           ) -> tuple[datetime, datetime]:
    """Today's shift, or tomorrow's once today's is over (a plan built in the evening)."""
    begin, finish = (start, end) if start and end else DEFAULT_SHIFT
    day = now.date()
    if now >= datetime.combine(day, finish, tz):
        day += timedelta(days=1)
    return datetime.combine(day, begin, tz), datetime.combine(day, finish, tz)


def _officers(session: Session, now: datetime, tz: ZoneInfo
              ) -> tuple[list[dispatch.Depot], list[dispatch.Officer]]:
    offices = {o.id: o for o in session.exec(select(Office))}
    users = session.exec(select(User).where(User.role == Role.officer, User.is_active,
                                            col(User.office_id).is_not(None)))
    officers = []
    for user in users:
        start, end = _shift(now, user.shift_start, user.shift_end, tz)
        officers.append(dispatch.Officer(
            id=user.username, name=user.full_name or user.username,
            depot_id=f"office-{user.office_id}", shift_start=start, shift_end=end,
            skills=list(user.skills), vehicle_id=user.vehicle or None))
    used = {o.depot_id for o in officers}
    depots = [dispatch.Depot(id=f"office-{o.id}", name=o.name, lat=o.latitude, lon=o.longitude)
              for o in offices.values() if f"office-{o.id}" in used]
    return depots, officers


def engine_task(session: Session, task: InspectionTask, fallback: tuple[float, float],
                tz: ZoneInfo) -> dispatch.Task:
    declaration = session.get(Declaration, task.declaration_id)
    assert declaration is not None
    enterprise = session.get(Enterprise, declaration.enterprise_id)
    assert enterprise is not None
    lat = task.latitude if task.latitude is not None else fallback[0]
    lon = task.longitude if task.longitude is not None else fallback[1]
    window = None
    if task.window_start and task.window_end:
        window = dispatch.TimeWindow(start=as_utc(task.window_start).astimezone(tz),
                                     end=as_utc(task.window_end).astimezone(tz), hard=True)
    goods = "; ".join(g.description or f"HS {g.hs_code}" for g in goods_of(session, declaration.id))
    remote = task.mode == InspectionMode.remote
    return dispatch.Task(
        id=task_id(task), lat=lat, lon=lon, service_minutes=task.service_minutes,
        remote_ok=remote, remote_service_minutes=task.service_minutes, window=window,
        goods_category=task.goods_category, required_skill=task.required_skill,
        risk_level=_RISK.get(task.risk_level, "medium"),  # type: ignore[arg-type]
        created_at=as_utc(task.created_at).astimezone(tz), exporter=enterprise.name,
        address=task.address or enterprise.address, goods=goods[:400],
        declaration_no=declaration.declaration_no)


def task_public(session: Session, settings: Settings, task: InspectionTask
                ) -> InspectionTaskPublic:
    """An inspection task as officers see it, with the priority the planner gives it and why."""
    tz = ZoneInfo(settings.port_timezone)
    fallback = (task.latitude or 0.0, task.longitude or 0.0)
    priority = dispatch.priority_of(engine_task(session, task, fallback, tz),
                                    utcnow().astimezone(tz))
    declaration = session.get(Declaration, task.declaration_id)
    assert declaration is not None
    return InspectionTaskPublic.model_validate(task, update={
        "declaration_no": declaration.declaration_no,
        "enterprise_id": declaration.enterprise_id,
        "priority_class": priority.priority_class, "priority_score": priority.score,
        "priority_reason": priority.reason})


def window_passed(task: InspectionTaskPublic, now: datetime | None = None) -> bool:
    """An open task whose appointment window is over: escalate it (never drop it silently)."""
    if task.window_end is None or task.status not in (InspectionStatus.open,
                                                      InspectionStatus.scheduled):
        return False
    return as_utc(task.window_end) < (now or utcnow())


def build_problem(session: Session, settings: Settings, now: datetime | None = None,
                  exclude: set[str] | None = None) -> dispatch.DispatchProblem:
    tz = ZoneInfo(settings.port_timezone)
    now = (now or utcnow()).astimezone(tz)
    depots, officers = _officers(session, now, tz)
    if not officers:
        raise Invalid("no officer has a home office: give officers an office_id before "
                      "planning", code="no_officers")
    fallback = (depots[0].lat, depots[0].lon)
    tasks = [engine_task(session, t, fallback, tz) for t in inspections.open_tasks(session)
             if task_id(t) not in (exclude or set())]
    return dispatch.DispatchProblem(now=now, depots=depots, officers=officers, tasks=tasks)


def _plan_json(plan: dispatch.DispatchPlan) -> dict[str, Any]:
    return plan.model_dump(mode="json", by_alias=True)


def _schedule(session: Session, plan: dispatch.DispatchPlan, actor: User,
              task_ids: set[str] | None = None) -> None:
    officers = {u.username: u for u in session.exec(select(User).where(User.role == Role.officer))}
    for route in plan.routes:
        for stop in route.stops:
            if task_ids is not None and stop.task_id not in task_ids:
                continue
            task = session.get(InspectionTask, int(stop.task_id[1:]))
            if task is not None and task.status != InspectionStatus.done:
                inspections.schedule(session, task, officers.get(route.officer_id), actor,
                                     reason=f"dispatched to {route.officer_id}, stop "
                                            f"{stop.sequence}, ETA {stop.start:%H:%M}")


def solver_budget(settings: Settings, time_limit_s: float | None) -> float:
    """The solver's time limit: the caller's, else the setting; never above the cap."""
    return min(time_limit_s or settings.dispatch_time_limit_s, MAX_DISPATCH_TIME_LIMIT_S)


def build_plan(session: Session, settings: Settings, officer: User, *,
               time_limit_s: float | None = None, seed: int = 0,
               job: Job | None = None) -> DispatchPlanRecord:
    """Plans every open task. Given the background job that builds it, the job's payload
    records the plan's id in the same transaction (so a re-run after a crash finds it)."""
    problem = build_problem(session, settings)
    with _engine_errors():
        plan = dispatch.solve(problem, seed=seed,
                              time_limit_s=solver_budget(settings, time_limit_s))
    record = DispatchPlanRecord(created_by=officer.id, problem=problem.model_dump(mode="json"),
                                plan=_plan_json(plan))
    session.add(record)
    _schedule(session, plan, officer)
    if job is not None:
        session.flush()
        job.payload = {**job.payload, "plan_id": record.id}
        session.add(job)
    transaction.commit(session)
    return record


def get_plan(session: Session, plan_id: int) -> DispatchPlanRecord:
    record = session.get(DispatchPlanRecord, plan_id)
    if record is None:
        raise NotFound(f"dispatch plan {plan_id} does not exist")
    return record


def latest_plan(session: Session) -> DispatchPlanRecord | None:
    query = select(DispatchPlanRecord).order_by(col(DispatchPlanRecord.id).desc())
    return session.exec(query).first()


def merge_new_tasks(session: Session, settings: Settings, officer: User,
                    record: DispatchPlanRecord, *, time_limit_s: float = 1.0) -> dict[str, Any]:
    """Merges every open task that is not yet in the plan (追加派单)."""
    plan = dispatch.DispatchPlan.model_validate(record.plan)
    known = {t.id for t in plan.problem.tasks}
    fresh = build_problem(session, settings, exclude=known)
    if not fresh.tasks:
        raise Invalid("there are no new inspection tasks to merge into this plan",
                      code="nothing_to_merge")
    with _engine_errors():
        result = dispatch.merge(plan, fresh.tasks, fresh.now, time_limit_s=time_limit_s)
    summary = result.model_dump(mode="json", by_alias=True, exclude={"plan"})
    summary["at"] = fresh.now.isoformat()
    record.plan = _plan_json(result.plan)
    record.problem = result.plan.problem.model_dump(mode="json")
    record.merges = [*record.merges, summary]
    record.updated_at = utcnow()
    session.add(record)
    _schedule(session, result.plan, officer, {m.task_id for m in result.merged})
    _reopen_displaced(session, result, officer)
    transaction.commit(session)
    return summary


def _reopen_displaced(session: Session, result: dispatch.MergeResult, actor: User) -> None:
    """Displaced stops that are on no list any more go back to open (carried to the next plan)."""
    planned = {s.task_id for r in result.plan.routes for s in r.stops}
    for d in result.displaced:
        if d.task_id in planned or not d.task_id[1:].isdigit():
            continue
        task = session.get(InspectionTask, int(d.task_id[1:]))
        if task is not None:
            inspections.unschedule(session, task, actor, reason=f"displaced: {d.reason}")


def confirm_merge(session: Session, record: DispatchPlanRecord, officer: User) -> dict[str, Any]:
    """An officer confirms the last merge's displaced stops (the page asks before it is final)."""
    if not record.merges:
        raise Invalid("this plan has no merge to confirm", code="nothing_to_confirm")
    last = {**record.merges[-1], "confirmed_by": officer.username,
            "confirmed_at": utcnow().isoformat()}
    record.merges = [*record.merges[:-1], last]
    session.add(record)
    transaction.commit(session)
    return last


def appointment_slots(session: Session, settings: Settings, task: InspectionTask, *,
                      count: int = 6) -> list[dispatch.AppointmentSlot]:
    """Free appointment slots for a task from the officers' shifts and the live plan (the
    latest one; shifts only if none was built). Perishables are offered the earliest."""
    tz = ZoneInfo(settings.port_timezone)
    now = utcnow().astimezone(tz)
    record = latest_plan(session)
    with _engine_errors():
        if record is not None:
            plan = dispatch.DispatchPlan.model_validate(record.plan)
            fallback = (plan.problem.depots[0].lat, plan.problem.depots[0].lon)
            return dispatch.free_slots(plan, engine_task(session, task, fallback, tz), now=now,
                                       count=count)
        problem = build_problem(session, settings, now=now, exclude={task_id(task)})
        fallback = (problem.depots[0].lat, problem.depots[0].lon)
        return dispatch.free_slots(problem, engine_task(session, task, fallback, tz), now=now,
                                   count=count)


def book_slot(session: Session, settings: Settings, task: InspectionTask, start: datetime
              ) -> dispatch.AppointmentSlot:
    """Books one of the free slots as the task's appointment (merged into the plan next)."""
    slots = appointment_slots(session, settings, task, count=48)
    chosen = next((s for s in slots if s.start == as_utc(start)), None)
    if chosen is None:
        offer = ", ".join(s.start.strftime("%m-%d %H:%M") for s in slots[:6]) or "none"
        raise Invalid(f"{start.isoformat()} is not a free slot; free slots: {offer}",
                      code="slot_not_free")
    length = max(chosen.end - chosen.start, timedelta(minutes=task.service_minutes))
    inspections.set_appointment(session, task, chosen.start, chosen.start + length)
    transaction.commit(session)
    return chosen
