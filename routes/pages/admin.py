"""The administrator's page: the vision calibration in force, the proposal computed from the
inspection outcomes officers labelled, and applying it as a new calibration version."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from customs import calibration
from customs.errors import Conflict
from models.calibration import CALIBRATION_VERSION_PATTERN
from routes.pages.core import AdminPage, PageRoute, PageSession, language, redirect, render
from routes.pages.i18n import N_, gettext

router = APIRouter(prefix="/admin", route_class=PageRoute)


def _proposal(session: PageSession, max_false_releases: int
              ) -> tuple[dict[str, Any] | None, Conflict | None]:
    """The proposal report, or why there is none (no labelled outcome yet)."""
    try:
        return calibration.propose(session, max_false_releases), None
    except Conflict as exc:
        return None, exc


@router.get("")
def admin_home(request: Request, session: PageSession, user: AdminPage,
               max_false_releases: Annotated[int, Query(ge=0, le=1000)] = 0,
               done: Annotated[str | None, Query(max_length=60)] = None) -> Response:
    proposal, missing = _proposal(session, max_false_releases)
    in_force = calibration.active(session)
    notice = (gettext(language(request), N_("Calibration {version} is now in force."),
                      version=done) if done else None)
    return render(request, "admin.html", user=user, proposal=proposal, missing=missing,
                  in_force=in_force, versions=calibration.list_versions(session),
                  engine_version=calibration.engine_version(),
                  for_this_engine=calibration.for_this_engine,
                  max_false_releases=max_false_releases, notice=notice)


@router.post("/calibration")
def apply_calibration(session: PageSession, user: AdminPage,
                      version: Annotated[str, Form(min_length=1, max_length=60,
                                                   pattern=CALIBRATION_VERSION_PATTERN)],
                      max_false_releases: Annotated[int, Form(ge=0, le=1000)] = 0
                      ) -> Response:
    """Computes the proposal again (outcomes may have arrived since the page was shown) and
    makes it the calibration every later screening uses."""
    record = calibration.apply(session, user, version, max_false_releases)
    return redirect(f"/admin?done={record.version}")
