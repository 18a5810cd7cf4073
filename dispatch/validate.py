"""Validation of dispatch problems: every problem found is reported at once, naming its id."""

from __future__ import annotations

from pydantic import ValidationError

from .errors import ProblemError
from .model import DispatchProblem, MatrixTravel, Task
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
    errors: list[str] = []

    def dupes(kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                errors.append(f"duplicate {kind} id '{i}'")
            seen.add(i)

    tasks = list(problem.tasks) + list(extra_tasks or [])
    dupes("depot", [d.id for d in problem.depots])
    dupes("officer", [o.id for o in problem.officers])
    dupes("task", [t.id for t in tasks])
    dupes(
        "vehicle",
        [o.vehicle_id for o in problem.officers if o.vehicle_id is not None],
    )
    depot_ids = {d.id for d in problem.depots}
    officer_ids = {o.id for o in problem.officers}
    known = set(problem.skills) if problem.skills is not None else None

    for d in problem.depots:
        if not (-90 <= d.lat <= 90 and -180 <= d.lon <= 180):
            errors.append(f"depot '{d.id}': coordinates ({d.lat}, {d.lon}) out of range")
    for o in problem.officers:
        if o.depot_id not in depot_ids:
            errors.append(f"officer '{o.id}': unknown depot '{o.depot_id}'")
        if o.shift_end < o.shift_start:
            errors.append(
                f"officer '{o.id}': shift ends ({o.shift_end.isoformat()}) before it starts "
                f"({o.shift_start.isoformat()})"
            )
        if known is not None:
            for s in o.skills:
                if s not in known:
                    errors.append(f"officer '{o.id}': unknown skill '{s}'")
    for t in tasks:
        if not (-90 <= t.lat <= 90 and -180 <= t.lon <= 180):
            errors.append(f"task '{t.id}': coordinates ({t.lat}, {t.lon}) out of range")
        if t.window is not None and t.window.end < t.window.start:
            errors.append(
                f"task '{t.id}': appointment window ends ({t.window.end.isoformat()}) before "
                f"it starts ({t.window.start.isoformat()})"
            )
        if known is not None and t.required_skill is not None and t.required_skill not in known:
            errors.append(f"task '{t.id}': unknown skill '{t.required_skill}'")
        if t.assigned_officer_id is not None and t.assigned_officer_id not in officer_ids:
            errors.append(f"task '{t.id}': assigned to unknown officer '{t.assigned_officer_id}'")
        if t.status in ("en_route", "in_service") and t.assigned_officer_id is None:
            errors.append(f"task '{t.id}': status '{t.status}' needs assigned_officer_id")
    if isinstance(problem.travel, MatrixTravel):
        try:
            prov = MatrixProvider(problem.travel)
        except ProblemError as exc:
            errors.extend(exc.messages)
        else:
            need = [d.id for d in problem.depots] + [
                t.id for t in tasks if not t.remote_ok and t.status in ACTIVE
            ]
            errors.extend(
                f"travel matrix has no row for location '{k}'" for k in prov.missing(need)
            )
    if errors:
        raise ProblemError(errors)
