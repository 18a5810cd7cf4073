"""Automatic priority determination (优先级判定).

Every task gets a class, a score and a penalty, plus a sentence saying why:

========================  =====================================================
class                     when
========================  =====================================================
``green``  (base 10 000)  goods category in :data:`GREEN_CATEGORIES`
                          (perishable, live animals, fresh food, ...)
``appointment`` (1 000)   the task has an appointment window
``normal``  (100)         everything else
========================  =====================================================

On top of the class base:

* waiting time: ``+2`` per full hour since ``created_at`` (to ``now``), at most ``+200``;
* risk level of the declaration: ``low +0``, ``medium +50``, ``high +100``.

The class bases are far apart, so no amount of waiting or risk lifts a task into the next
class. The **drop penalty** (objective units = metres driven) is ``score × 10 000``: a
normal task is worth at least 1 000 km of driving, a green one at least 100 000 km, so the
solver drops a task only when it cannot fit, and when something must go the lower classes
go first.

Two more costs use the score:

* soft appointment windows: each minute of lateness costs ``score × 2`` metres-equivalent;
* green-channel tasks: each minute between ``now`` and the start of service costs
  ``score / 20`` metres-equivalent (500 m per minute at base), so perishables are served
  early in the day rather than merely served.
"""

from __future__ import annotations

from datetime import datetime

from .model import GREEN_CATEGORIES, Priority, Task

BASE = {"green": 10_000, "appointment": 1_000, "normal": 100}
RISK_BONUS = {"low": 0, "medium": 50, "high": 100}
WAIT_POINTS_PER_HOUR = 2
WAIT_POINTS_MAX = 200
PENALTY_PER_POINT = 10_000
LATE_COST_PER_MINUTE_PER_POINT = 2.0
GREEN_DELAY_COST_PER_MINUTE_PER_POINT = 0.05


def priority_of(task: Task, now: datetime) -> Priority:
    """Score one task. Pure and deterministic."""
    parts: list[str] = []
    category = task.goods_category.strip().lower()
    if category in GREEN_CATEGORIES:
        cls = "green"
        parts.append(f"green channel ({category.replace('_', ' ')})")
        if task.window is not None:
            parts.append("with appointment")
    elif task.window is not None:
        cls = "appointment"
        parts.append("appointment " + ("(hard window)" if task.window.hard else "(soft window)"))
    else:
        cls = "normal"
        parts.append("normal task")
    score = BASE[cls]
    if task.created_at is not None:
        hours = max(0.0, (now - task.created_at).total_seconds() / 3600.0)
        points = min(WAIT_POINTS_MAX, WAIT_POINTS_PER_HOUR * int(hours))
        if points:
            score += points
            parts.append(f"waiting {hours:.1f} h (+{points})")
    risk = RISK_BONUS[task.risk_level]
    if risk:
        score += risk
        parts.append(f"risk {task.risk_level} (+{risk})")
    return Priority(
        priority_class=cls,  # type: ignore[arg-type]
        score=score,
        penalty=score * PENALTY_PER_POINT,
        reason="; ".join(parts),
    )


def late_cost_per_second(priority: Priority) -> int:
    """Objective cost of one second of lateness past a soft window end."""
    return max(1, round(priority.score * LATE_COST_PER_MINUTE_PER_POINT / 60.0))


def green_delay_cost_per_second(priority: Priority) -> int:
    """Objective cost of one second between ``now`` and the start of a green-channel task."""
    if priority.priority_class != "green":
        return 0
    return max(1, round(priority.score * GREEN_DELAY_COST_PER_MINUTE_PER_POINT / 60.0))
