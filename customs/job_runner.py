"""Runs one claimed job to its end: done, retried with back-off, or failed for an officer."""

import logging
import time

from customs import jobs, plan_jobs, webhooks
from customs.notifications import WEBHOOK
from customs.screening import ScreeningContext, screen_declaration
from models import Job

log = logging.getLogger(__name__)


class _LeaseKeeper:
    """Renews the job's lease when a third of it has passed, so a long job is not re-run."""

    def __init__(self, context: ScreeningContext, job_id: int) -> None:
        self.context, self.job_id = context, job_id
        self.lease_s = context.settings.job_lease_s
        self.renewed = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.renewed > self.lease_s / 3:
            jobs.renew(self.context.engine, self.job_id, self.lease_s)
            self.renewed = time.monotonic()


def run_job(context: ScreeningContext, job: Job) -> None:
    assert job.id is not None
    job_context = ScreeningContext(context.engine, context.settings, context.store,
                                   context.screener, keep_alive=_LeaseKeeper(context, job.id))
    try:
        if job.kind == jobs.DISPATCH_PLAN:
            plan_jobs.run(context.engine, context.settings, job.id)
        elif job.kind == WEBHOOK:
            webhooks.deliver(context.engine, context.settings, job)
        elif job.kind != jobs.SCREENING or job.declaration_id is None:
            raise ValueError(f"unknown job kind {job.kind!r}")
        else:
            screen_declaration(job_context, job.declaration_id)
    except Exception as exc:
        status = jobs.fail(context.engine, job, f"{type(exc).__name__}: {exc}")
        log.warning("job %s (%s) attempt %s failed, now %s: %s", job.id, job.kind,
                    job.attempts, status, exc)
    else:
        jobs.finish(context.engine, job.id)
