"""Durable jobs (the outbox): a job row is written in the same transaction as the change that
needs it, so it exists exactly when that change is committed.

Workers claim a job with a lease (a conditional UPDATE, so of two claimers one wins). A worker
that dies stops renewing its lease; once the lease runs out the job is claimed again. Jobs are
idempotent (a screening decides only if the declaration is still the one it looked at), so a
job run twice after a crash does no harm. Who executes them is pluggable (`Notifier`): the
in-process worker of the embedded default, or Celery, which gets each job's id after commit
and again from the sweeper if a message was lost.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, func, select

from customs import audit, transaction
from customs.db import session_scope
from customs.errors import Conflict, TooBusy
from customs.settings import Settings
from models import Declaration, DeclarationStatus, Job, JobStatus, User, utcnow

SCREENING = "screening"
DISPATCH_PLAN = "dispatch_plan"
MAX_ATTEMPTS = 5
_NOTIFIER = "clearlane.notifier"


class Notifier(Protocol):
    """Told the ids of jobs that were just committed; must not block."""

    def notify(self, job_ids: Sequence[int]) -> None: ...


def bind_notifier(session: Session, notifier: Notifier | None) -> Session:
    if notifier is not None:
        session.info[_NOTIFIER] = notifier
    return session


def active_key(kind: str, declaration_id: int) -> str:
    return f"{kind}:{declaration_id}"


def active_job(session: Session, kind: str, declaration_id: int) -> Job | None:
    return session.exec(
        select(Job).where(Job.active_key == active_key(kind, declaration_id))).first()


def unfinished_count(session: Session, kind: str) -> int:
    query = select(func.count()).select_from(Job).where(
        Job.kind == kind, col(Job.status).in_([JobStatus.pending, JobStatus.running]))
    return int(session.exec(query).one())


def check_capacity(session: Session, settings: Settings, kind: str) -> None:
    """Back-pressure: refuse new work while the queue is this deep (the caller maps to 429)."""
    depth = unfinished_count(session, kind)
    if depth >= settings.max_queued_screenings:
        raise TooBusy(f"{depth} screenings are waiting; upload again in a minute",
                      retry_after_s=30)


def enqueue(session: Session, kind: str, declaration_id: int,
            payload: dict[str, Any] | None = None) -> Job:
    """The declaration's live job of this kind, created if there is none.

    A pending job reads the declaration's state when it runs, so it already covers whatever
    the caller just changed: one job, however many uploads. The caller must hold the
    declaration's row (see `declarations.lock`) so two callers can't both create one.
    """
    return _live_or_new(session, kind, declaration_id, payload, active_key(kind, declaration_id))


def enqueue_each(session: Session, kind: str, declaration_id: int | None,
                 payload: dict[str, Any]) -> Job:
    """A job of its own, however many others of this kind are live (e.g. one per webhook
    delivery): no `active_key`."""
    return _live_or_new(session, kind, declaration_id, payload, key=None)


def singleton_key(kind: str) -> str:
    return f"{kind}:global"


def enqueue_singleton(session: Session, kind: str, payload: dict[str, Any]) -> Job:
    """The one live job of a kind that is about no declaration (building the dispatch plan),
    created if none is pending or running. Two callers racing both flush a row; the unique
    `active_key` lets only one commit (the caller retries and finds the winner's)."""
    return _live_or_new(session, kind, None, payload, singleton_key(kind))


def _live_or_new(session: Session, kind: str, declaration_id: int | None,
                 payload: dict[str, Any] | None, key: str | None) -> Job:
    """The live job holding `key`, or a new one (told to the notifier after commit)."""
    if key is not None:
        existing = session.exec(select(Job).where(Job.active_key == key)).first()
        if existing is not None:
            return existing
    job = Job(kind=kind, declaration_id=declaration_id, payload=payload or {}, active_key=key)
    session.add(job)
    session.flush()
    _notify_after_commit(session, job)
    return job


def _notify_after_commit(session: Session, job: Job) -> None:
    notifier: Notifier | None = session.info.get(_NOTIFIER)
    job_id = job.id
    if notifier is not None and job_id is not None:
        transaction.after_commit(session, lambda: notifier.notify([job_id]))


def _claimable(now: datetime) -> Any:
    return or_(
        (col(Job.status) == JobStatus.pending)
        & (col(Job.run_after).is_(None) | (col(Job.run_after) <= now)),
        (col(Job.status) == JobStatus.running) & (col(Job.lease_until) < now),
    )


def claim(engine: Engine, job_id: int, lease_s: float) -> Job | None:
    """Takes the job if it is due (or its last runner's lease ran out); None if another has it."""
    now = utcnow()
    with session_scope(engine) as session:
        result = session.execute(
            update(Job).where(col(Job.id) == job_id, _claimable(now))
            .values(status=JobStatus.running, attempts=Job.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_s), updated_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(Job, job_id)


def claim_next(engine: Engine, lease_s: float, kinds: Sequence[str] | None = None,
               exclude_kinds: Sequence[str] | None = None) -> Job | None:
    with session_scope(engine) as session:
        query = select(Job.id).where(_claimable(utcnow()))
        if kinds:
            query = query.where(col(Job.kind).in_(kinds))
        if exclude_kinds:
            query = query.where(col(Job.kind).not_in(exclude_kinds))
        candidates = list(session.exec(query.order_by(col(Job.id)).limit(8)))
    for job_id in candidates:
        assert job_id is not None
        job = claim(engine, job_id, lease_s)
        if job is not None:
            return job
    return None


def renew(engine: Engine, job_id: int, lease_s: float) -> None:
    """Keeps a long job's lease from running out while it still works on it."""
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(update(Job).where(col(Job.id) == job_id,
                                          col(Job.status) == JobStatus.running)
                        .values(lease_until=now + timedelta(seconds=lease_s), updated_at=now))


def finish(engine: Engine, job_id: int) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        session.execute(update(Job).where(col(Job.id) == job_id)
                        .values(status=JobStatus.done, active_key=None, lease_until=None,
                                finished_at=now, updated_at=now, last_error=""))


def fail(engine: Engine, job: Job, error: str) -> JobStatus:
    """Retries with exponential back-off; after MAX_ATTEMPTS the job is failed and its
    declaration shows in the officers' stuck list."""
    now = utcnow()
    final = job.attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = {"last_error": error[:1000], "lease_until": None, "updated_at": now}
    if final:
        values |= {"status": JobStatus.failed, "active_key": None, "finished_at": now}
    else:
        values |= {"status": JobStatus.pending,
                   "run_after": now + timedelta(seconds=2 ** job.attempts)}
    with session_scope(engine) as session:
        session.execute(update(Job).where(col(Job.id) == job.id).values(**values))
    return JobStatus.failed if final else JobStatus.pending


def due_for_publish(engine: Engine, republish_after_s: float) -> list[int]:
    """Jobs a broker should (again) be told about: never published, published so long ago that
    the message was evidently lost, or running under a lease that ran out."""
    now = utcnow()
    stale = now - timedelta(seconds=republish_after_s)
    with session_scope(engine) as session:
        query = select(Job.id).where(_claimable(now), or_(
            col(Job.status) == JobStatus.running,
            col(Job.enqueued_at).is_(None), col(Job.enqueued_at) < stale))
        return [job_id for job_id in session.exec(query.order_by(col(Job.id)).limit(500))
                if job_id is not None]


def mark_published(engine: Engine, job_ids: Sequence[int]) -> None:
    if not job_ids:
        return
    with session_scope(engine) as session:
        session.execute(update(Job).where(col(Job.id).in_(job_ids))
                        .values(enqueued_at=utcnow()))


def stuck_screenings(session: Session, settings: Settings,
                     now: datetime | None = None) -> list[tuple[Declaration, datetime, Job | None]]:
    """Declarations in SCREENING for longer than the setting, with their job if any."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=settings.stuck_screening_minutes)
    declarations = session.exec(select(Declaration).where(
        Declaration.status == DeclarationStatus.screening).order_by(col(Declaration.id)))
    stuck = []
    for declaration in declarations:
        assert declaration.id is not None
        since = audit.entered_status_at(session, declaration.id, DeclarationStatus.screening)
        if since is not None and since < cutoff:
            stuck.append((declaration, since, latest_job(session, SCREENING, declaration.id)))
    return stuck


def latest_job(session: Session, kind: str, declaration_id: int) -> Job | None:
    return session.exec(select(Job).where(Job.kind == kind, Job.declaration_id == declaration_id)
                        .order_by(col(Job.id).desc())).first()


def rerun_screening(session: Session, officer: User, declaration: Declaration) -> Job:
    """An officer re-runs a stuck screening: its job becomes due now, or a new one is made."""
    if declaration.status != DeclarationStatus.screening:
        raise Conflict(f"declaration {declaration.declaration_no} is {declaration.status}, "
                       "not being screened; nothing to re-run", code="not_screening")
    assert declaration.id is not None
    job = active_job(session, SCREENING, declaration.id)
    if job is not None:
        job.status, job.run_after, job.lease_until = JobStatus.pending, None, None
        job.attempts, job.updated_at = 0, utcnow()
        session.add(job)
        _notify_after_commit(session, job)
    else:
        job = enqueue(session, SCREENING, declaration.id)
    audit.record(session, declaration.id, officer, "screening_rerun",
                 reason="screening re-run by an officer")
    transaction.commit(session)
    return job
