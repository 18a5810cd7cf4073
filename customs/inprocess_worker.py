"""The embedded default's job executor: a few threads in the API process.

They take jobs from the durable job table, so a job committed before a crash is found again
at the next start. At most `screening_concurrency` jobs run at once; the rest wait in the
table. The threads are their own, not the web server's thread pool, so a burst of screenings
never starves API requests of threads.
"""

import logging
import threading
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from customs import jobs
from customs.job_runner import run_job
from customs.screening import ScreeningContext

log = logging.getLogger(__name__)


class InProcessWorker:
    def __init__(self, context: ScreeningContext) -> None:
        self.context = context
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def notify(self, job_ids: Sequence[int]) -> None:
        self._wake.set()

    def start(self) -> None:
        """`screening_concurrency` threads for screenings (and other short jobs), and one
        of its own for plan building, so a 30-second solve never holds up a release."""
        lanes = [(f"clearlane-job-{n}", None) for n in
                 range(self.context.settings.screening_concurrency)]
        lanes.append(("clearlane-plans", jobs.DISPATCH_PLAN))
        for name, kind in lanes:
            thread = threading.Thread(target=self._loop, args=(kind,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads.clear()

    @property
    def running(self) -> bool:
        return bool(self._threads)

    def run_pending(self) -> int:
        """Runs every due job in the caller's thread (tools, and apps started without their
        lifespan); returns how many ran."""
        count = 0
        while (job := jobs.claim_next(self.context.engine,
                                      self.context.settings.job_lease_s)) is not None:
            run_job(self.context, job)
            count += 1
        return count

    def _loop(self, only_kind: str | None) -> None:
        settings = self.context.settings
        while not self._stopping.is_set():
            try:
                job = jobs.claim_next(self.context.engine, settings.job_lease_s,
                                      kinds=[only_kind] if only_kind else None,
                                      exclude_kinds=None if only_kind else [jobs.DISPATCH_PLAN])
            except SQLAlchemyError:
                log.exception("cannot reach the database to take a job; retrying")
                job = None
            if job is None:
                self._wake.wait(settings.job_poll_s)
                self._wake.clear()
                continue
            try:
                run_job(self.context, job)
            except SQLAlchemyError:  # its lease runs out and the job is taken again
                log.exception("job %s: the database failed while recording its outcome", job.id)
