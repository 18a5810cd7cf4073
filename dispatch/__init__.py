"""ClearLane inspection dispatch engine (pure: no database, no HTTP).

Public API::

    from dispatch import DispatchProblem, parse_problem, solve, merge, check_plan, ProblemError

    problem = parse_problem(json_data)            # or DispatchProblem.model_validate(...)
    plan = solve(problem, time_limit_s=5, seed=0)  # -> DispatchPlan (pydantic, JSON-ready)
    result = merge(plan, new_tasks, now, time_limit_s=1)  # -> MergeResult
    slots = free_slots(plan, task)                 # -> list[AppointmentSlot]

See ``dispatch/README.md``.
"""

from .appointments import book, free_slots
from .checker import check_plan
from .core import SearchConfig
from .errors import DispatchError, ProblemError, TravelError
from .merge import merge
from .model import (
    Alternative,
    AppointmentSlot,
    Depot,
    DispatchPlan,
    DispatchProblem,
    DisplacedTask,
    DroppedTask,
    HaversineTravel,
    MatrixTravel,
    MergedTask,
    MergeResult,
    Officer,
    OfficerRoute,
    OsrmTravel,
    PlannedStop,
    Priority,
    Task,
    TimeWindow,
    UnmergedTask,
)
from .plan import solve
from .priority import priority_of
from .validate import parse_problem, validate

__all__ = [
    "Alternative",
    "AppointmentSlot",
    "Depot",
    "DispatchError",
    "DispatchPlan",
    "DispatchProblem",
    "DisplacedTask",
    "DroppedTask",
    "HaversineTravel",
    "MatrixTravel",
    "MergeResult",
    "MergedTask",
    "Officer",
    "OfficerRoute",
    "OsrmTravel",
    "PlannedStop",
    "Priority",
    "ProblemError",
    "SearchConfig",
    "Task",
    "TimeWindow",
    "TravelError",
    "UnmergedTask",
    "book",
    "check_plan",
    "free_slots",
    "merge",
    "parse_problem",
    "priority_of",
    "solve",
    "validate",
]
