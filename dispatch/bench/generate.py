"""Reproducible synthetic dispatch problems (tests, examples, merge benchmark).

Tasks are scattered around Sanming (三明) with a mix of green-channel goods, appointments
(hard and soft), skills, risk levels and remote-capable inspections.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from ..model import Depot, DispatchProblem, Officer, Task, TimeWindow

CST = timezone(timedelta(hours=8))
CENTER = (26.2634, 117.6389)
SKILLS = ["food", "plants", "animals", "dangerous_goods"]
CATEGORIES = [
    "general",
    "general",
    "general",
    "bamboo_wood",
    "perishable",
    "live_animals",
    "fresh_food",
    "electronics",
]


def generate_problem(
    n_tasks: int = 40,
    n_officers: int = 6,
    seed: int = 0,
    day: datetime | None = None,
    remote_share: float = 0.3,
    radius_km: float = 25.0,
    vehicle_share: float = 0.8,
) -> DispatchProblem:
    rng = np.random.default_rng(seed)
    day = day or datetime(2025, 11, 26, tzinfo=CST)
    d8 = day.replace(hour=8, minute=0)
    depots = [
        Depot(id="SM-HQ", name="Sanming customs", lat=CENTER[0], lon=CENTER[1]),
        Depot(id="SM-YA", name="Yong'an office", lat=25.9420, lon=117.3650),
    ]
    officers = []
    for k in range(n_officers):
        skills = sorted(set(rng.choice(SKILLS, size=int(rng.integers(1, 3)), replace=False)))
        officers.append(
            Officer(
                id=f"O{k + 1:02d}",
                name=f"Officer {k + 1}",
                depot_id=depots[k % 2].id,
                shift_start=d8 + timedelta(minutes=int(rng.integers(0, 3)) * 30),
                shift_end=d8 + timedelta(hours=9, minutes=int(rng.integers(0, 3)) * 30),
                skills=[str(s) for s in skills],
                vehicle_id=f"V{k + 1:02d}" if (k == 0 or rng.random() < vehicle_share) else None,
            )
        )
    all_skills = sorted({s for o in officers for s in o.skills})
    tasks = []
    for i in range(n_tasks):
        ang = rng.uniform(0, 2 * np.pi)
        r = radius_km * np.sqrt(rng.uniform(0, 1))
        lat = CENTER[0] + (r * np.sin(ang)) / 111.0
        lon = CENTER[1] + (r * np.cos(ang)) / (111.0 * np.cos(np.radians(CENTER[0])))
        window = None
        if rng.random() < 0.3:
            start = d8 + timedelta(minutes=int(rng.integers(0, 12)) * 30)
            window = TimeWindow(
                start=start,
                end=start + timedelta(minutes=int(rng.integers(2, 5)) * 30),
                hard=bool(rng.random() < 0.6),
            )
        tasks.append(
            Task(
                id=f"T{i + 1:03d}",
                lat=round(float(lat), 6),
                lon=round(float(lon), 6),
                service_minutes=float(rng.choice([20, 30, 45, 60])),
                remote_ok=bool(rng.random() < remote_share),
                remote_service_minutes=float(rng.choice([15, 20, 30])),
                window=window,
                goods_category=str(rng.choice(CATEGORIES)),
                required_skill=(str(rng.choice(all_skills)) if rng.random() < 0.5 else None),
                risk_level=str(rng.choice(["low", "low", "medium", "high"])),  # type: ignore[arg-type]
                created_at=d8 - timedelta(hours=float(rng.uniform(0, 30))),
                exporter=f"Exporter {i % 17 + 1}",
                address=f"No. {i + 1} Industrial Rd",
            )
        )
    return DispatchProblem(
        now=d8 - timedelta(minutes=30), depots=depots, officers=officers, tasks=tasks
    )


def generate_new_tasks(
    problem: DispatchProblem, n: int, seed: int, prefix: str = "N"
) -> list[Task]:
    """New on-site tasks near the existing ones (as if just created by screening)."""
    rng = np.random.default_rng(seed + 1000)
    base = [t for t in problem.tasks if not t.remote_ok] or problem.tasks
    out = []
    for i in range(n):
        near = base[int(rng.integers(0, len(base)))]
        out.append(
            Task(
                id=f"{prefix}{i + 1:03d}",
                lat=round(near.lat + float(rng.normal(0, 0.01)), 6),
                lon=round(near.lon + float(rng.normal(0, 0.01)), 6),
                service_minutes=30.0,
                goods_category=str(rng.choice(["general", "perishable"])),
                created_at=problem.now,
            )
        )
    return out
