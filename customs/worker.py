"""The Celery worker for scale-out: `celery -A customs.worker worker`.

It reads the same CLEARLANE_* settings as the API when it starts. Celery carries only job ids;
the job itself is a row in the database (the outbox), written in the transaction that needed
it. Tasks are acknowledged late and rejected back to the queue if their pool process dies, and
a sweeper thread in each pool process re-publishes jobs whose message was never sent (broker down at
commit) or whose runner died (lease expired), so every committed job runs.
"""

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from customs import jobs
from customs.db import make_engine
from customs.job_runner import run_job
from customs.screening import ScreeningContext
from customs.settings import Settings, get_settings
from customs.storage import BlobStore
from customs.vision_screener import get_screener

log = logging.getLogger(__name__)
TASK = "clearlane.run_job"

celery_app = Celery("clearlane")


def configure(settings: Settings) -> Celery:
    """Points the producer and the worker at one deployment's broker."""
    timeout = settings.broker_timeout_s
    celery_app.conf.update(
        broker_url=settings.redis_url,
        task_default_queue=settings.celery_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=timeout,
        broker_transport_options={
            # An unacknowledged message (its worker died) comes back after this long; the
            # sweeper usually re-publishes the job sooner, when its lease runs out.
            "visibility_timeout": max(300, int(settings.job_lease_s * 5)),
            "socket_timeout": timeout, "socket_connect_timeout": timeout,
            "max_retries": 1,
        },
        task_publish_retry=False,
        worker_proc_alive_timeout=60,  # a new pool process may load the vision models first
    )
    return celery_app


configure(get_settings())  # the documented command reads CLEARLANE_* at start-up


@lru_cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def _context(settings: Settings) -> ScreeningContext:
    return ScreeningContext(_engine(settings.resolved_database_url), settings,
                            BlobStore(settings.blob_dir), get_screener(settings))


@celery_app.task(name=TASK)
def run_job_task(job_id: int) -> None:
    settings = get_settings()
    context = _context(settings)
    job = jobs.claim(context.engine, job_id, settings.job_lease_s)
    if job is None:
        return  # done already, or another worker holds it
    run_job(context, job)


class CeleryNotifier:
    """The API side: after commit, tells Celery about new jobs from a small thread pool, so a
    slow or absent broker never holds up a request. A job whose message could not be sent is
    still in the table; the worker's sweeper publishes it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="clearlane-publish")

    def notify(self, job_ids: Sequence[int]) -> None:
        self._pool.submit(publish, self.engine, list(job_ids))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def publish(engine: Engine, job_ids: Sequence[int]) -> None:
    sent = []
    for job_id in job_ids:
        try:
            celery_app.send_task(TASK, args=[job_id], retry=False)
        except Exception as exc:  # the broker is down: the sweeper retries
            log.warning("could not publish job %s: %s", job_id, exc)
            break
        sent.append(job_id)
    try:
        jobs.mark_published(engine, sent)
    except SQLAlchemyError:
        log.exception("could not record published jobs %s", sent)


class Sweeper:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="clearlane-sweeper",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def sweep_once(self) -> list[int]:
        due = jobs.due_for_publish(self.engine, republish_after_s=self.settings.job_lease_s)
        if due:
            publish(self.engine, due)
        return due

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.job_poll_s):
            try:
                self.sweep_once()
            except Exception:
                log.exception("sweep failed; retrying")


_sweeper: Sweeper | None = None


@worker_process_init.connect
def _start_process(**_: object) -> None:
    """Each pool process loads the vision models once and runs a sweeper thread. The sweeper
    lives in the pool processes, not the main one: a thread in the main process could hold a
    lock at the moment Celery forks a replacement child, and that child would hang."""
    global _sweeper
    settings = get_settings()
    if get_screener(settings) is not None and settings.screening_engine == "vision":
        import vision

        vision.warm_up()
    _sweeper = Sweeper(_engine(settings.resolved_database_url), settings)
    _sweeper.start()


@worker_process_shutdown.connect
def _stop_sweeper(**_: object) -> None:
    if _sweeper is not None:
        _sweeper.stop()
