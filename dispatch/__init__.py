"""ClearLane inspection dispatch engine (pure: no database, no HTTP).

Public API::

    from dispatch import DispatchProblem, parse_problem, solve, merge, check_plan, ProblemError

    problem = parse_problem(json_data)            # or DispatchProblem.model_validate(...)
    plan = solve(problem, time_limit_s=5, seed=0)  # -> DispatchPlan (pydantic, JSON-ready)
    result = merge(plan, new_tasks, now, time_limit_s=1)  # -> MergeResult

See ``dispatch/README.md``.
"""

from .checker import check_plan
from .domain import merge, parse_problem, solve, validate
from .errors import DispatchError, ProblemError, TravelError
from .model import (
    Depot,
    DispatchPlan,
    DispatchProblem,
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
from .priority import priority_of

__all__ = [
    "Depot",
    "DispatchError",
    "DispatchPlan",
    "DispatchProblem",
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
    "Task",
    "TimeWindow",
    "TravelError",
    "UnmergedTask",
    "check_plan",
    "merge",
    "parse_problem",
    "priority_of",
    "solve",
    "validate",
]
