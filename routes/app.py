"""The ASGI application: `routes.app:app`, or `create_app(settings)` for tests and tools."""

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from customs import cleanup
from customs.db import make_engine, session_scope
from customs.enterprises import ensure_admin
from customs.inprocess_worker import InProcessWorker
from customs.jobs import Notifier
from customs.reads import Reads
from customs.screening import ScreeningContext
from customs.session_cache import SessionCache
from customs.settings import Settings, get_settings
from customs.storage import BlobStore
from customs.vision_screener import get_screener, warm_up_in_background
from routes import (
    admin,
    appointments,
    auth,
    certificates,
    clearance,
    declarations,
    dispatch,
    docs,
    filings,
    health,
    inspections,
    pages,
    port,
    screenings,
    stats,
    transit,
    webhooks,
)
from routes.errors import COMMON_RESPONSES, install
from routes.headers import SecurityHeaders
from routes.hygiene import InputHygiene
from routes.limits import RequestLimits

log = logging.getLogger(__name__)

# Matched in order, first the hot paths: the port's clearance lookups, then declarations.
API_ROUTERS = (clearance, declarations, auth, admin, filings, screenings, inspections, dispatch,
               certificates, stats, appointments, port, transit, webhooks)


def _job_executor(settings: Settings, engine: Engine, store: BlobStore
                  ) -> tuple[Notifier, InProcessWorker | None]:
    """Celery in scale-out (vision never runs in the API process); else in-process threads."""
    if settings.task_queue == "celery":
        from customs import worker

        worker.configure(settings)
        return worker.CeleryNotifier(engine), None
    in_process = InProcessWorker(ScreeningContext(engine, settings, store,
                                                  get_screener(settings)))
    return in_process, in_process


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.blob_dir.mkdir(parents=True, exist_ok=True)
        if settings.admin_password:
            with session_scope(app.state.engine) as session:
                if ensure_admin(session, settings.admin_password):
                    log.info("created the admin user")
        sweep = threading.Thread(target=cleanup.collect, args=(app.state.engine, app.state.store),
                                 name="clearlane-cleanup", daemon=True)
        sweep.start()
        worker = app.state.in_process_worker
        if worker is not None:
            warm_up_in_background(worker.context.screener)
            worker.start()  # resumes whatever jobs an earlier process left
        if settings.environment != "test":
            # What start-up built lives as long as the process: moved out of the collector's
            # reach, a full collection no longer walks ~200,000 objects (about 50-80 ms, a
            # stall every request in flight waits out). Tests build many apps in one process,
            # whose cycles must stay collectable.
            gc.collect()
            gc.freeze()
        yield
        if worker is not None:
            worker.stop()
        # the start-up sweep may still be reading: the engine is disposed under it otherwise,
        # and its query outlives the app (it deadlocked a test's DROP SCHEMA)
        sweep.join(30.0)
        await app.state.reads.dispose()
        close = getattr(app.state.notifier, "close", None)
        if close is not None:
            close()
        app.state.engine.dispose()

    app = FastAPI(
        title="ClearLane",
        version="0.1.0",
        summary="Packing-photo screening, inspection dispatch and declaration tracking "
                "for export customs.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: routes.docs, with local assets
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url)
    app.state.reads = Reads(app.state.engine, settings.resolved_database_url,
                            settings.read_pool_size)
    app.state.session_cache = SessionCache()
    app.state.store = BlobStore(settings.blob_dir)
    app.state.notifier, app.state.in_process_worker = _job_executor(
        settings, app.state.engine, app.state.store)
    install(app)
    if settings.docs_enabled:
        docs.install(app)
    app.include_router(health.router)
    for module in API_ROUTERS:
        app.include_router(module.router, responses=COMMON_RESPONSES)
    app.include_router(pages.router)
    app.include_router(certificates.keys_router)
    # The last added runs first: headers on every answer, then the limits (before any body
    # is read), then hygiene on what was let in.
    app.add_middleware(InputHygiene)
    app.add_middleware(RequestLimits, fastapi_app=app, settings=settings)
    app.add_middleware(SecurityHeaders, hsts_seconds=settings.hsts_seconds)
    return app


def __getattr__(name: str) -> FastAPI:
    """`routes.app:app` is built on first access, so importing this module reads no settings."""
    if name == "app":
        globals()["app"] = application = create_app()
        return application
    raise AttributeError(name)
