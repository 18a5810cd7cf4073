"""Building the dispatch plan as a durable background job, with progress officers can watch.

An officer's request writes a `dispatch_plan` job (one at a time: while one is pending or
running, asking again returns it) and answers at once; a worker (the in-process one, or Celery)
runs it through `job_runner.run_job`. The solver has a fixed time limit, so progress is the
share of that budget used so far; the job's payload says the phase and, once committed, the
plan's id. The plan and the plan id in the payload are committed together, so a job re-run
after a crash finds its plan and does not build a second one.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from customs import dispatching, jobs, transaction
from customs.db import session_scope
from customs.errors import NotFound
from customs.settings import Settings
from models import Job, JobStatus, User, UtcDatetime, as_utc, utcnow

SOLVE_OVERHEAD_S = 1.0  # building the problem and saving the plan, on top of the solver


class PlanJobPublic(BaseModel):
    """A plan build as officers follow it."""

    id: int
    status: JobStatus
    phase: str = Field(description="queued, solving, saved or failed")
    percent: int = Field(ge=0, le=100, description="share of the solver's time limit used")
    time_limit_s: float
    attempts: int
    last_error: str
    plan_id: int | None = Field(description="the plan, once it is saved")
    created_at: UtcDatetime
    updated_at: UtcDatetime


def enqueue(session: Session, settings: Settings, officer: User, *,
            time_limit_s: float | None = None, seed: int = 0) -> Job:
    """The live plan job (a new one if none is waiting or running).

    The problem is checked first, so a request that cannot be planned (no officer has an
    office) answers 422 now instead of failing in the background."""
    dispatching.build_problem(session, settings)
    payload = {"officer_id": officer.id, "seed": seed, "phase": "queued",
               "time_limit_s": dispatching.solver_budget(settings, time_limit_s)}
    try:
        job = jobs.enqueue_singleton(session, jobs.DISPATCH_PLAN, payload)
        transaction.commit(session)
    except IntegrityError:  # another officer's request created it first
        transaction.rollback(session)
        job = jobs.enqueue_singleton(session, jobs.DISPATCH_PLAN, payload)
        transaction.commit(session)
    return job


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.kind != jobs.DISPATCH_PLAN:
        raise NotFound(f"dispatch plan job {job_id} does not exist")
    return job


def public(job: Job, now: datetime | None = None) -> PlanJobPublic:
    assert job.id is not None
    payload: dict[str, Any] = job.payload or {}
    limit = float(payload.get("time_limit_s") or 0.0)
    phase = str(payload.get("phase", "queued"))
    percent = 0
    if job.status == JobStatus.done:
        phase, percent = "saved", 100
    elif job.status == JobStatus.failed:
        phase = "failed"
    elif phase == "solving" and payload.get("solving_since"):
        since = as_utc(datetime.fromisoformat(payload["solving_since"]))
        elapsed = ((now or utcnow()) - since).total_seconds()
        percent = max(1, min(99, int(100 * elapsed / (limit + SOLVE_OVERHEAD_S))))
    return PlanJobPublic(id=job.id, status=job.status, phase=phase, percent=percent,
                         time_limit_s=limit, attempts=job.attempts, last_error=job.last_error,
                         plan_id=payload.get("plan_id"), created_at=job.created_at,
                         updated_at=job.updated_at)


def run(engine: Engine, settings: Settings, job_id: int) -> None:
    """Builds the plan for a claimed job (called by `job_runner.run_job`)."""
    with session_scope(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        if job.payload.get("plan_id") is not None:
            return  # built before a crash: the plan is committed already
        job.payload = {**job.payload, "phase": "solving", "solving_since": utcnow().isoformat()}
        session.add(job)
    with session_scope(engine) as session, _lease_kept(engine, job_id, settings.job_lease_s):
        job = session.get(Job, job_id)
        assert job is not None
        officer = session.get(User, job.payload.get("officer_id"))
        if officer is None:
            raise NotFound(f"the officer who asked for plan job {job_id} no longer exists")
        dispatching.build_plan(session, settings, officer,
                               time_limit_s=job.payload.get("time_limit_s"),
                               seed=int(job.payload.get("seed", 0)), job=job)


@contextmanager
def _lease_kept(engine: Engine, job_id: int, lease_s: float) -> Iterator[None]:
    """Renews the job's lease from a side thread while the solver runs (it has no callback),
    so a long solve is not taken for a dead worker's and run twice."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_s / 3):
            jobs.renew(engine, job_id, lease_s)

    thread = threading.Thread(target=beat, name=f"clearlane-plan-lease-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
