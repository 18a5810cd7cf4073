"""Background jobs: in-process by default; Celery on Redis when CLEARLANE_TASK_QUEUE=celery.

Both run the same function (`screening.screening_job`), so the scale-out path is the same code.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from customs.screening import Screener, screening_job
from customs.settings import Settings

Schedule = Callable[..., Any]  # e.g. FastAPI's BackgroundTasks.add_task


def enqueue_screening(settings: Settings, engine: Engine, declaration_id: int,
                      schedule: Schedule, screener: Screener | None) -> None:
    if settings.task_queue == "celery":
        from customs import worker

        worker.ensure_configured(settings)
        worker.screen_declaration.delay(declaration_id)
    else:
        schedule(screening_job, engine, settings, declaration_id, screener)
