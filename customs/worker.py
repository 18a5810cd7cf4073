"""The Celery worker for scale-out: `celery -A customs.worker worker` with the same settings.

It runs the same `screening_job` as the in-process default, against the configured database.
"""

from functools import lru_cache

from celery import Celery
from celery.signals import worker_process_init
from sqlalchemy import Engine

from customs.db import make_engine
from customs.screening import screening_job
from customs.settings import Settings, get_settings
from customs.vision_screener import get_screener

celery_app = Celery("clearlane")
celery_app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1,
                       task_serializer="json", accept_content=["json"],
                       broker_connection_retry_on_startup=True)
_settings: Settings | None = None


def configure(settings: Settings) -> Celery:
    """Points the producer and the worker at one deployment's broker and database."""
    global _settings
    _settings = settings
    celery_app.conf.broker_url = settings.redis_url
    return celery_app


def ensure_configured(settings: Settings | None = None) -> Settings:
    if _settings is None:
        configure(settings or get_settings())
    assert _settings is not None
    return _settings


@worker_process_init.connect
def _load_models(**_: object) -> None:
    """Each worker process loads the vision models once, before its first task."""
    screener = get_screener(ensure_configured())
    if screener is not None:
        import vision

        vision.warm_up()


@lru_cache
def _engine(url: str) -> Engine:
    return make_engine(url)


@celery_app.task(name="clearlane.screen_declaration")
def screen_declaration(declaration_id: int) -> None:
    settings = ensure_configured()
    screening_job(_engine(settings.resolved_database_url), settings, declaration_id,
                  get_screener(settings))
