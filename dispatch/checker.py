"""Independent feasibility checker for domain plans.

It re-derives everything from the problem (travel from the provider, times from the
datetimes in the plan) without the solver's node numbering, matrices classes or OR-Tools, and
returns a list of violations (empty = feasible).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .model import DispatchPlan, DispatchProblem
from .travel import Point, provider_for

TOL = timedelta(seconds=61)  # rounding of minutes/seconds in the plan


def check_plan(problem: DispatchProblem, plan: DispatchPlan) -> list[str]:
    out: list[str] = []
    officers = {o.id: o for o in problem.officers}
    depots = {d.id: d for d in problem.depots}
    tasks = {t.id: t for t in problem.tasks}
    locked = {s.task_id for r in plan.routes for s in r.stops if s.locked}

    points = [Point(d.id, d.lat, d.lon) for d in problem.depots]
    points += [Point(t.id, t.lat, t.lon) for t in problem.tasks if not t.remote_ok]
    where = {p.key: i for i, p in enumerate(points)}
    _dist, dur = provider_for(problem.travel).matrices(points)

    def travel(a: str, b: str) -> timedelta:
        return timedelta(seconds=int(dur[where[a], where[b]]))

    seen: dict[str, str] = {}
    for r in plan.routes:
        o = officers.get(r.officer_id)
        if o is None:
            out.append(f"route of unknown officer '{r.officer_id}'")
            continue
        if r.depot_id != o.depot_id or r.depot_id not in depots:
            out.append(f"officer '{o.id}': route starts at the wrong depot")
        if not r.stops:
            continue
        if r.start < o.shift_start - TOL:
            out.append(f"officer '{o.id}': leaves at {r.start} before shift start")
        if r.end > o.shift_end + TOL:
            out.append(f"officer '{o.id}': back at {r.end} after shift end {o.shift_end}")
        here = o.depot_id
        t: datetime = r.start
        for k, s in enumerate(r.stops, start=1):
            task = tasks.get(s.task_id)
            if task is None:
                out.append(f"officer '{o.id}': unknown task '{s.task_id}'")
                continue
            if s.task_id in seen:
                out.append(f"task '{s.task_id}' planned twice ({seen[s.task_id]}, {o.id})")
            seen[s.task_id] = o.id
            if s.sequence != k:
                out.append(f"officer '{o.id}': stop {s.task_id} has sequence {s.sequence} != {k}")
            if task.required_skill and task.required_skill not in o.skills:
                out.append(
                    f"task '{task.id}': officer '{o.id}' lacks skill '{task.required_skill}'"
                )
            if not task.remote_ok and o.vehicle_id is None:
                out.append(f"task '{task.id}': on-site but officer '{o.id}' has no vehicle")
            if task.assigned_officer_id and task.assigned_officer_id != o.id:
                out.append(
                    f"task '{task.id}': assigned to '{task.assigned_officer_id}', not '{o.id}'"
                )
            loc = o.depot_id if task.remote_ok else task.id
            arrive = t if o.vehicle_id is None else t + travel(here, loc)
            if s.start + TOL < arrive:
                out.append(
                    f"task '{task.id}': starts {s.start} before the officer can arrive {arrive}"
                )
            if task.window is not None and s.task_id not in locked:
                if s.start + TOL < task.window.start:
                    out.append(f"task '{task.id}': starts before its window opens")
                if task.window.hard and s.start > task.window.end + TOL:
                    out.append(f"task '{task.id}': starts {s.start} after its hard window end")
            if s.task_id not in locked and s.start + TOL < plan.now:
                out.append(f"task '{task.id}': unlocked stop starts in the past ({s.start})")
            minutes = task.remote_service_minutes if task.remote_ok else task.service_minutes
            if abs((s.end - s.start) - timedelta(minutes=minutes)) > TOL:
                out.append(f"task '{task.id}': service lasts {s.end - s.start}, not {minutes} min")
            t = s.end
            here = loc
        back = t + (travel(here, o.depot_id) if o.vehicle_id is not None else timedelta(0))
        if back > o.shift_end + TOL and r.stops and not r.stops[-1].locked:
            out.append(f"officer '{o.id}': cannot be back at the depot before shift end")
        if r.end + TOL < back:
            out.append(f"officer '{o.id}': route end {r.end} before the return {back}")
    dropped = {d.task_id for d in plan.dropped}
    for tid in dropped & set(seen):
        out.append(f"task '{tid}' both planned and dropped")
    for task in problem.tasks:
        if task.status == "done":
            continue
        if task.id not in seen and task.id not in dropped:
            out.append(f"task '{task.id}' neither planned nor dropped")
    return out
