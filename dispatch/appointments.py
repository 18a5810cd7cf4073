"""Free appointment slots from the officers' shifts and the live plan (预约查验).

A slot is a start interval ``[start, start + slot length)`` in which one officer could begin
the task without moving or delaying any stop past its window or shift: the task is inserted,
with the slot as its hard window, at the cheapest feasible position of that officer's live
route (locked stops stay first). Slots are on a fixed grid (``SLOT_MINUTES``), today from
``now`` to the end of each shift, then in the officers' next shift (same hours, next day).

* **Green channel first**: perishables and live animals are offered the earliest slots; other
  tasks are not offered slots starting within ``GREEN_RESERVE_MINUTES`` of now, which are held
  for the green channel.
* **Expired windows are escalated**: :func:`propose_slots` gives every escalated dropped task
  of a plan the earliest free slot to propose to the exporter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .build import BuiltProblem, build
from .insertion import allowed_vehicles, best_on_route
from .model import AppointmentSlot, DispatchPlan, DispatchProblem, Task, TimeWindow
from .priority import priority_of
from .validate import validate

SLOT_MINUTES = 30
GREEN_RESERVE_MINUTES = 60
DEFAULT_SLOT_COUNT = 6
NEXT_SHIFT = timedelta(days=1)


def free_slots(
    plan: DispatchPlan | DispatchProblem,
    task: Task,
    *,
    now: datetime | None = None,
    count: int = DEFAULT_SLOT_COUNT,
    slot_minutes: int = SLOT_MINUTES,
) -> list[AppointmentSlot]:
    """Up to ``count`` distinct free start times for ``task`` (earliest first), each with an
    officer who can take it. The task's own ``window`` is ignored (that is what is booked);
    if the task is already on the plan, it is taken off first (re-booking). With a
    :class:`DispatchProblem` instead of a plan, only the shifts count (nothing planned yet)."""
    now = now or plan.now
    bare = task.model_copy(update={"window": None, "status": "open"})
    earliest = now
    if priority_of(bare, now).priority_class != "green":
        earliest = now + timedelta(minutes=GREEN_RESERVE_MINUTES)
    today = _slots_today(plan, bare, now, earliest, slot_minutes)
    slots = _distinct(today, count)
    if len(slots) < count:
        problem = plan.problem if isinstance(plan, DispatchPlan) else plan
        slots += next_shift_slots(problem, bare, count - len(slots), slot_minutes)
    return slots


def next_shift_slots(
    problem: DispatchProblem, task: Task, count: int, slot_minutes: int = SLOT_MINUTES
) -> list[AppointmentSlot]:
    """Earliest free slots in the officers' next shift (same hours, next day; empty plan)."""
    bare = task.model_copy(update={"window": None, "status": "open"})
    return _distinct(_slots_next_shift(problem, bare, slot_minutes), count)


def propose_slots(plan: DispatchPlan) -> DispatchPlan:
    """``plan`` with the earliest free slot proposed for each escalated dropped task."""
    tasks = {t.id: t for t in plan.problem.tasks}
    dropped = []
    for d in plan.dropped:
        if d.escalated and d.task_id in tasks:
            slots = free_slots(plan, tasks[d.task_id], count=1)
            d = d.model_copy(update={"proposed_slot": slots[0] if slots else None})
        dropped.append(d)
    return plan.model_copy(update={"dropped": dropped})


def _slots_today(
    plan: DispatchPlan | DispatchProblem,
    task: Task,
    now: datetime,
    earliest: datetime,
    slot_minutes: int,
) -> list[AppointmentSlot]:
    from .merge import locked_prefixes, previous_routes  # merge builds on this module's users

    live = plan if isinstance(plan, DispatchPlan) else None
    base = live.problem if live is not None else plan
    assert isinstance(base, DispatchProblem)
    others = [t for t in base.tasks if t.id != task.id]
    problem = base.model_copy(update={"now": now, "tasks": [*others, task]})
    validate(problem)
    locks = [] if live is None else locked_prefixes(live, now)
    b = build(problem, [lk for lk in locks if lk.task_id != task.id], balance=False)
    node = b.node_of[task.id]
    routes = [[]] * len(b.officers) if live is None else previous_routes(live, b)
    routes = [[n for n in r if n != node] for r in routes]
    return _scan(b, routes, task, earliest, slot_minutes, next_shift=False)


def _slots_next_shift(
    problem: DispatchProblem, task: Task, slot_minutes: int
) -> list[AppointmentSlot]:
    officers = [
        o.model_copy(
            update={
                "shift_start": o.shift_start + NEXT_SHIFT,
                "shift_end": o.shift_end + NEXT_SHIFT,
            }
        )
        for o in problem.officers
    ]
    start = min((o.shift_start for o in officers), default=problem.now + NEXT_SHIFT)
    tomorrow = problem.model_copy(update={"now": start, "officers": officers, "tasks": [task]})
    b = build(tomorrow, [], balance=False)
    routes: list[list[int]] = [[] for _ in b.officers]
    return _scan(b, routes, task, start, slot_minutes, next_shift=True)


def _scan(
    b: BuiltProblem,
    routes: list[list[int]],
    task: Task,
    earliest: datetime,
    slot_minutes: int,
    *,
    next_shift: bool,
) -> list[AppointmentSlot]:
    node = b.node_of[task.id]
    s = b.spec
    saved = int(s.tw_start[node]), int(s.tw_end[node])
    step = slot_minutes * 60
    out: list[AppointmentSlot] = []
    try:
        for v in allowed_vehicles(b, node):
            lo, _ = s.vehicle_start_window[v]
            first = b.secs(_ceil_to_grid(max(b.at(lo), earliest), slot_minutes))
            for start in range(first, s.vehicle_end_max[v], step):
                s.tw_start[node], s.tw_end[node] = start, start + step - 1
                if best_on_route(b, v, routes[v], node) is not None:
                    out.append(
                        AppointmentSlot(
                            start=b.at(start),
                            end=b.at(start + step),
                            officer_id=b.officers[v].id,
                            mode="remote" if task.remote_ok else "onsite",
                            next_shift=next_shift,
                        )
                    )
    finally:
        s.tw_start[node], s.tw_end[node] = saved
    return out


def _ceil_to_grid(dt: datetime, minutes: int) -> datetime:
    """``dt`` rounded up to the wall-clock grid (:00, :30, ... for 30-minute slots)."""
    midnight = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=minutes)
    return midnight + -((midnight - dt) // step) * step


def _distinct(slots: list[AppointmentSlot], count: int) -> list[AppointmentSlot]:
    """Earliest first; one officer per start time (the first one found)."""
    seen: set[datetime] = set()
    out: list[AppointmentSlot] = []
    for slot in sorted(slots, key=lambda x: x.start):
        if slot.start not in seen:
            seen.add(slot.start)
            out.append(slot)
        if len(out) == count:
            break
    return out


def book(task: Task, slot: AppointmentSlot) -> Task:
    """The task with ``slot`` as its (hard) appointment window, ready for the next merge."""
    return task.model_copy(update={"window": TimeWindow(start=slot.start, end=slot.end)})
