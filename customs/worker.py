"""The Celery worker for scale-out: `celery -A customs.worker worker` with the same settings."""

from functools import lru_cache

from celery import Celery
from sqlalchemy import Engine

from customs.db import make_engine
from customs.screening import screening_job
from customs.settings import get_settings
from customs.vision_screener import get_screener

settings = get_settings()
celery_app = Celery("clearlane", broker=settings.redis_url)
celery_app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1,
                       task_serializer="json", accept_content=["json"])


@lru_cache
def _engine() -> Engine:
    return make_engine(settings.resolved_database_url)


@celery_app.task(name="clearlane.screen_declaration")
def screen_declaration(declaration_id: int) -> None:
    screening_job(_engine(), settings, declaration_id, get_screener(settings))
