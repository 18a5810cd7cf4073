from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from customs import clearance
from models import ClearanceStatus
from routes.deps import PortOperator, PortOrOfficerCaller, SessionDep
from routes.json import model_response

router = APIRouter(prefix="/clearance", tags=["clearance"])


@router.get("", response_model=ClearanceStatus)
async def get_clearance(
    request: Request, _: PortOrOfficerCaller,
    container_no: Annotated[str | None, Query(max_length=20)] = None,
    declaration_no: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The port's hot path: one SELECT, never cached (a release shows on the next lookup)."""
    statement, params, missing = clearance.lookup_statement(container_no=container_no,
                                                            declaration_no=declaration_no)
    rows = await request.app.state.reads.all(statement, params)
    if clearance.needs_full_status(rows):  # released under e-seal: the seals decide too
        return model_response(await run_in_threadpool(
            clearance.full_status, request.app.state.engine, rows[0][0]))
    return model_response(clearance.answer(rows, missing))


@router.post("/{declaration_no}/loaded", response_model=ClearanceStatus)
def record_loaded(declaration_no: Annotated[str, Path(max_length=20)], session: SessionDep,
                  user: PortOperator) -> ClearanceStatus:
    declaration = clearance.find(session, container_no=None, declaration_no=declaration_no)
    clearance.mark_loaded(session, user, declaration)
    return clearance.status_of(session, declaration)
