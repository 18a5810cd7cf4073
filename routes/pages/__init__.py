"""Server-rendered web pages (Jinja2): exporters, officers, port operators, public verify.

Each module is one audience; all share `core` (templates, cookie login, role guards, error
pages) and call the same `customs` services as the JSON API routes.
"""

from fastapi import APIRouter

from routes.pages import admin, exporter, files, officer, port, public

router = APIRouter(include_in_schema=False)
for module in (public, files, exporter, officer, port, admin):
    router.include_router(module.router)
