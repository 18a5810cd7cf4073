"""Validation of dispatch problems: every problem found is reported at once, naming its id."""

from __future__ import annotations

from pydantic import ValidationError

from .errors import ProblemError
from .model import DispatchProblem, MatrixTravel, Officer, Task
from .travel import MatrixProvider

ACTIVE = ("open", "en_route", "in_service")
"""Task statuses the planner works with (``done`` tasks are ignored)."""


def parse_problem(data: object) -> DispatchProblem:
    """Validate JSON-like data into a :class:`DispatchProblem` (ProblemError on failure)."""
    try:
        problem = DispatchProblem.model_validate(data)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()))
            msgs.append(f"{loc}: {err.get('msg')}")
        raise ProblemError(msgs) from exc
    validate(problem)
    return problem


def validate(problem: DispatchProblem, extra_tasks: list[Task] | None = None) -> None:
    """Semantic checks; raises :class:`ProblemError` listing every problem found."""
    tasks = list(problem.tasks) + list(extra_tasks or [])
    known = set(problem.skills) if problem.skills is not None else None
    depot_ids = {d.id for d in problem.depots}
    officer_ids = {o.id for o in problem.officers}
    errors = _duplicates("depot", [d.id for d in problem.depots])
    errors += _duplicates("officer", [o.id for o in problem.officers])
    errors += _duplicates("task", [t.id for t in tasks])
    errors += _duplicates("vehicle", [o.vehicle_id for o in problem.officers if o.vehicle_id])
    errors += [
        f"depot '{d.id}': coordinates ({d.lat}, {d.lon}) out of range"
        for d in problem.depots
        if not _on_earth(d.lat, d.lon)
    ]
    for o in problem.officers:
        errors += _officer_errors(o, depot_ids, known)
    for t in tasks:
        errors += _task_errors(t, officer_ids, known)
    errors += _matrix_errors(problem, tasks)
    if errors:
        raise ProblemError(errors)


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for i in ids:
        if i in seen:
            out.append(f"duplicate {kind} id '{i}'")
        seen.add(i)
    return out


def _on_earth(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180


def _officer_errors(o: Officer, depot_ids: set[str], known: set[str] | None) -> list[str]:
    out = []
    if o.depot_id not in depot_ids:
        out.append(f"officer '{o.id}': unknown depot '{o.depot_id}'")
    if o.shift_end < o.shift_start:
        out.append(
            f"officer '{o.id}': shift ends ({o.shift_end.isoformat()}) before it starts "
            f"({o.shift_start.isoformat()})"
        )
    if known is not None:
        out += [f"officer '{o.id}': unknown skill '{s}'" for s in o.skills if s not in known]
    return out


def _task_errors(t: Task, officer_ids: set[str], known: set[str] | None) -> list[str]:
    out = []
    if not _on_earth(t.lat, t.lon):
        out.append(f"task '{t.id}': coordinates ({t.lat}, {t.lon}) out of range")
    if t.window is not None and t.window.end < t.window.start:
        out.append(
            f"task '{t.id}': appointment window ends ({t.window.end.isoformat()}) before "
            f"it starts ({t.window.start.isoformat()})"
        )
    if known is not None and t.required_skill is not None and t.required_skill not in known:
        out.append(f"task '{t.id}': unknown skill '{t.required_skill}'")
    if t.assigned_officer_id is not None and t.assigned_officer_id not in officer_ids:
        out.append(f"task '{t.id}': assigned to unknown officer '{t.assigned_officer_id}'")
    if t.status in ("en_route", "in_service") and t.assigned_officer_id is None:
        out.append(f"task '{t.id}': status '{t.status}' needs assigned_officer_id")
    return out


def _matrix_errors(problem: DispatchProblem, tasks: list[Task]) -> list[str]:
    """An explicit matrix must be well formed and have a row for every depot and every
    active on-site task."""
    if not isinstance(problem.travel, MatrixTravel):
        return []
    try:
        provider = MatrixProvider(problem.travel)
    except ProblemError as exc:
        return list(exc.messages)
    need = [d.id for d in problem.depots]
    need += [t.id for t in tasks if not t.remote_ok and t.status in ACTIVE]
    return [f"travel matrix has no row for location '{k}'" for k in provider.missing(need)]
