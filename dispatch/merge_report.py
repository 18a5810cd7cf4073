"""What a merge tells the officers: merged tasks with exact detours, displaced stops, and
alternatives for tasks that did not fit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from .appointments import next_shift_slots
from .build import BuiltProblem, build
from .insertion import Insertion, allowed_vehicles, best_on_route
from .model import (
    Alternative,
    DispatchPlan,
    DisplacedTask,
    EtaChange,
    MergedTask,
    OfficerRoute,
)
from .schedule import route_distance_m, route_travel_s, schedule_route

MAX_DISPLACED_FOR_ALTERNATIVE = 2
"""An "other officer" alternative moves at most this many lower-priority stops."""
MAX_OFFICER_ALTERNATIVES = 2


@dataclass(frozen=True)
class _MergeFacts:
    """What every merged-task entry needs to know about the merge as a whole."""

    b: BuiltProblem
    old_start: dict[str, datetime]
    inserted_ids: set[str]
    retried: set[str]
    moved_from: dict[str, str]


def merged_report(
    b: BuiltProblem,
    old: DispatchPlan,
    new: DispatchPlan,
    kept: list[list[int]],
    final: list[list[int]],
    inserted: set[int],
    rank: dict[int, int],
    retried: set[str],
    moved_from: dict[str, str],
) -> list[MergedTask]:
    """One entry per inserted task. Detours are exact: per route, the inserted tasks are
    added back in insertion order to the kept stops (in their final positions), and each one's
    detour is the travel after minus before; they sum to the route's after minus before."""
    facts = _MergeFacts(
        b=b,
        old_start={st.task_id: st.start for r in old.routes for st in r.stops},
        inserted_ids={b.task_of(n).id for n in inserted},
        retried=retried,
        moved_from=moved_from,
    )
    out: list[MergedTask] = []
    for v, route in enumerate(final):
        present = set(kept[v])
        partial = [n for n in route if n in present]
        before_s, before_m = route_travel_s(b, v, partial), route_distance_m(b, v, partial)
        for node in sorted((n for n in route if n in inserted), key=lambda n: rank.get(n, n)):
            present.add(node)
            partial = [n for n in route if n in present]
            after_s, after_m = route_travel_s(b, v, partial), route_distance_m(b, v, partial)
            stop_index = route.index(node)
            detour = (after_s - before_s, after_m - before_m)
            out.append(_merged_task(facts, new.routes[v], stop_index, *detour))
            before_s, before_m = after_s, after_m
    return out


def _merged_task(
    facts: _MergeFacts, route: OfficerRoute, k: int, detour_s: int, detour_m: int
) -> MergedTask:
    st = route.stops[k]
    affected = [
        EtaChange(task_id=o.task_id, old_start=facts.old_start.get(o.task_id), new_start=o.start)
        for o in route.stops[k + 1 :]
        if o.task_id not in facts.inserted_ids and facts.old_start.get(o.task_id) != o.start
    ]
    return MergedTask(
        task_id=st.task_id,
        officer_id=route.officer_id,
        vehicle_id=route.vehicle_id,
        position=st.sequence,
        mode=st.mode,
        start=st.start,
        detour_minutes=round(detour_s / 60.0, 1),
        detour_km=round(detour_m / 1000.0, 3),
        detour_seconds=detour_s,
        detour_m=detour_m,
        affected=affected,
        priority=st.priority,
        retried=st.task_id in facts.retried,
        displaced_from=facts.moved_from.get(st.task_id),
    )


def displaced_report(
    b: BuiltProblem, old: DispatchPlan, new: DispatchPlan, lost_reasons: dict[str, str]
) -> list[DisplacedTask]:
    """Every stop of the previous plan that is not on the same officer's list any more.

    Computed from the two plans alone, so no code path can lose a stop silently."""
    now_on = {st.task_id: r.officer_id for r in new.routes for st in r.stops}
    where = {st.task_id: (r.officer_id, st) for r in new.routes for st in r.stops}
    dropped = {d.task_id: d for d in new.dropped}
    done = {t.id for t in b.problem.tasks if t.status == "done"}
    out: list[DisplacedTask] = []
    for r in old.routes:
        for st in r.stops:
            if st.task_id in done or now_on.get(st.task_id) == r.officer_id:
                continue
            why = lost_reasons.get(st.task_id) or b.pre_dropped.get(st.task_id) or "re-planned"
            if st.task_id in where:
                officer, stop = where[st.task_id]
                went = f"moved to {officer}, stop {stop.sequence} at {stop.start:%H:%M}"
            elif st.task_id in dropped:
                went = "not planned: " + dropped[st.task_id].reason
            else:
                went = "no longer in the problem"
            out.append(
                DisplacedTask(
                    task_id=st.task_id,
                    officer_id=r.officer_id,
                    previous_sequence=st.sequence,
                    reason=f"{why}; {went}",
                    priority=st.priority,
                )
            )
    return out


def lost_reason(b: BuiltProblem, v: int, kept_before: list[int], node: int) -> str:
    """Why a dispatched stop cannot stay on officer ``v``'s list after the kept stops."""
    o = b.officers[v]
    sched = schedule_route(b, v, [*kept_before, node], delay_departure=False)
    stop = sched.stops[-1]
    if stop.start > int(b.spec.tw_end[node]):
        return (
            f"{o.id} can no longer start it before its appointment window closes at "
            f"{b.at(int(b.spec.tw_end[node])):%H:%M} (earliest {b.at(stop.start):%H:%M})"
        )
    return f"{o.id} could no longer be back at the office before the shift ends"


class Alternatives:
    """Ways to serve a task that did not fit; each needs an officer's acceptance."""

    def __init__(self, b: BuiltProblem, plan: DispatchPlan, routes: list[list[int]]) -> None:
        self.b, self.plan, self.routes = b, plan, routes

    def for_node(self, node: int) -> list[Alternative]:
        out = self._other_officers(node)
        remote = self._remote_option(node)
        if remote is not None:
            out.append(remote)
        nxt = self._next_shift(node)
        if nxt is not None:
            out.append(nxt)
        return out

    def _other_officers(self, node: int) -> list[Alternative]:
        b = self.b
        score = {n: b.priority[b.task_of(n).id].score for r in self.routes for n in r}
        mine = b.priority[b.task_of(node).id].score
        options: list[tuple[int, int, Alternative]] = []
        for v in allowed_vehicles(b, node):
            route = self.routes[v]
            free = [n for n in route[len(b.spec.locked.get(v, [])) :] if score[n] < mine]
            free.sort(key=lambda n: score[n])
            found = self._displacing(v, route, node, free[:4])
            if found is None:
                continue
            ins, gone = found
            ids = [b.task_of(n).id for n in gone]
            note = (
                (
                    f"{b.officers[v].id} can take it at {b.at(ins.start):%H:%M} if "
                    f"{', '.join(ids)} move to another list or the next plan"
                )
                if ids
                else (f"{b.officers[v].id} can take it at {b.at(ins.start):%H:%M}")
            )
            options.append(
                (
                    len(ids),
                    ins.detour_s,
                    Alternative(
                        kind="other_officer",
                        officer_id=b.officers[v].id,
                        start=b.at(ins.start),
                        mode="remote" if b.task_of(node).remote_ok else "onsite",
                        displaces=ids,
                        note=note,
                    ),
                )
            )
        options.sort(key=lambda x: (x[0], x[1]))
        return [a for _, _, a in options[:MAX_OFFICER_ALTERNATIVES]]

    def _displacing(
        self, v: int, route: list[int], node: int, removable: list[int]
    ) -> tuple[Insertion, list[int]] | None:
        for k in range(MAX_DISPLACED_FOR_ALTERNATIVE + 1):
            for gone in combinations(removable, k):
                rest = [n for n in route if n not in gone]
                ins = best_on_route(self.b, v, rest, node)
                if ins is not None:
                    return ins, list(gone)
        return None

    def _remote_option(self, node: int) -> Alternative | None:
        task = self.b.task_of(node)
        if task.remote_ok:
            return None
        rb = self._remote_problem(task.id)
        rnode = rb.node_of[task.id]
        best: Insertion | None = None
        for v in allowed_vehicles(rb, rnode):
            ins = best_on_route(rb, v, self.routes[v], rnode)
            if ins is not None and (best is None or ins.start < best.start):
                best = ins
        if best is None:
            return None
        officer = rb.officers[best.vehicle].id
        return Alternative(
            kind="remote",
            officer_id=officer,
            start=rb.at(best.start),
            mode="remote",
            note=f"remote video inspection by {officer} at {rb.at(best.start):%H:%M} "
            f"({task.remote_service_minutes:.0f} min), if an on-site visit is not required",
        )

    def _remote_problem(self, task_id: str) -> BuiltProblem:
        """The same problem and locks with this one task done remotely (node numbers are
        unchanged, so the live routes apply as they are)."""
        from .merge import locked_prefixes

        p = self.b.problem
        tasks = [
            t.model_copy(update={"remote_ok": True}) if t.id == task_id else t for t in p.tasks
        ]
        problem = p.model_copy(update={"tasks": tasks})
        return build(problem, locked_prefixes(self.plan, p.now), balance=False)

    def _next_shift(self, node: int) -> Alternative | None:
        task = self.b.task_of(node)
        slots = next_shift_slots(self.plan.problem, task, count=1)
        if not slots:
            return None
        slot = slots[0]
        return Alternative(
            kind="next_shift",
            officer_id=slot.officer_id,
            start=slot.start,
            mode=slot.mode,
            note=f"next shift: {slot.officer_id} from {slot.start:%d %b %H:%M}",
        )
