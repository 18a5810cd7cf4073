"""Port operator pages: look up containers or declarations (pasted or from a CSV), see whether
each may be loaded, and record loading; a vessel's direct-loading list with bulk loading."""

import csv
import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from customs import clearance, vessel_list
from customs.errors import DomainError
from routes.pages.core import PageRoute, PageSession, PortPage, language, render
from routes.pages.i18n import N_, gettext
from routes.port import csv_response

router = APIRouter(prefix="/port", route_class=PageRoute)
MAX_LOOKUPS = 200
MAX_CSV_BYTES = 1024 * 1024
CONTAINER = re.compile(r"^[A-Z]{4}\d{7}$")
TOKEN = re.compile(r"[A-Za-z]{4}[\s-]?\d{6}[\s-]?\d|CL\d{16}|[A-Za-z0-9-]{4,20}")


def numbers_in(text: str) -> list[str]:
    """Container or declaration numbers in pasted text or CSV cells, in order, without repeats."""
    seen: dict[str, None] = {}
    for raw in TOKEN.findall(text):
        number = re.sub(r"[\s-]", "", raw).upper()
        if CONTAINER.match(number) or number.startswith("CL"):
            seen.setdefault(number, None)
    return list(seen)[:MAX_LOOKUPS]


def look_up(session: PageSession, number: str) -> dict[str, Any]:
    """The same lookup as `GET /clearance`: one row, or the reason it failed."""
    is_container = bool(CONTAINER.match(number))
    try:
        declaration = clearance.find(session, container_no=number if is_container else None,
                                     declaration_no=None if is_container else number)
        return {"query": number, "result": clearance.status_of(session, declaration),
                "error": None}
    except DomainError as exc:
        return {"query": number, "result": None, "error": exc.message, "code": exc.code}


def _page(request: Request, user: Any, numbers: list[str], session: PageSession,
          notice: str | None = None, status_code: int = 200) -> Response:
    rows = [look_up(session, n) for n in numbers]
    return render(request, "port/lookup.html", status_code=status_code, user=user,
                  rows=rows, text="\n".join(numbers), notice=notice,
                  may_load=sum(1 for r in rows if r["result"] and r["result"].may_load))


@router.get("")
def lookup_form(request: Request, session: PageSession, user: PortPage) -> Response:
    return _page(request, user, [], session)


@router.post("")
async def lookup(request: Request, session: PageSession, user: PortPage,
                 numbers: Annotated[str, Form(max_length=20_000)] = "",
                 csv_file: Annotated[UploadFile | None, File()] = None) -> Response:
    text = numbers
    if csv_file is not None and csv_file.filename:
        data = await csv_file.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            return render(request, "port/lookup.html", status_code=413, user=user, rows=[],
                          text=numbers, may_load=0,
                          error=N_("The CSV file is too large (1 MB at most)."))
        decoded = data.decode("utf-8-sig", errors="replace")
        cells = [cell for row in csv.reader(io.StringIO(decoded)) for cell in row]
        text += "\n" + "\n".join(cells)
    return await run_in_threadpool(_page, request, user, numbers_in(text), session)


@router.post("/loaded")
def record_loaded(request: Request, session: PageSession, user: PortPage,
                  declaration_no: Annotated[str, Form(max_length=20)],
                  numbers: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    declaration = clearance.find(session, container_no=None, declaration_no=declaration_no)
    clearance.mark_loaded(session, user, declaration)
    notice = gettext(language(request), "Loading recorded for {number}.", number=declaration_no)
    return _page(request, user, numbers_in(numbers) or [declaration_no], session, notice)


# --- the direct-loading list of one vessel and voyage --------------------------------------

LOAD_LABELS = {"released": N_("May load"), "hold": N_("Hold"), "in_transit": N_("In transit"),
               "loaded": N_("Loaded")}
REASON_LABELS = {
    "released": N_("Released: may load"),
    "seal_intact": N_("Arrived with the e-seal intact: may load"),
    "released_after_port_inspection": N_("Released after inspection at the port: may load"),
    "in_transit": N_("In transit under e-seal"),
    "seal_broken": N_("E-seal broken: inspection at the port"),
    "not_submitted": N_("Declaration not yet submitted"),
    "screening_pending": N_("Customs screening not finished"),
    "inspection_pending": N_("Customs inspection not finished"),
    "rejected": N_("Rejected by customs: do not load"),
    "cancelled": N_("Declaration cancelled: do not load"),
    "loaded": N_("Loaded onto the vessel"),
    "already_loaded": N_("Already loaded"),
    "not_released": N_("Not released: cannot load"),
    "invalid_container_no": N_("Not a valid container number (ISO 6346 check digit)."),
    "not_found": N_("No declaration covers this number."),
}


def _vessel_page(request: Request, user: Any, session: PageSession, vessel: str, voyage: str,
                 result: Any = None, status_code: int = 200) -> Response:
    listing = None
    if vessel.strip() and voyage.strip():
        listing = vessel_list.vessel_list(session, vessel, voyage)
    return render(request, "port/vessel.html", status_code=status_code, user=user,
                  vessel=vessel, voyage=voyage, listing=listing, result=result,
                  load_labels=LOAD_LABELS, reason_labels=REASON_LABELS)


@router.get("/vessel")
def vessel_page(request: Request, session: PageSession, user: PortPage,
                vessel: Annotated[str, Query(max_length=100)] = "",
                voyage: Annotated[str, Query(max_length=40)] = "") -> Response:
    return _vessel_page(request, user, session, vessel, voyage)


@router.get("/vessel.csv")
def vessel_csv(session: PageSession, user: PortPage,
               vessel: Annotated[str, Query(min_length=1, max_length=100)],
               voyage: Annotated[str, Query(min_length=1, max_length=40)]) -> Response:
    return csv_response(vessel_list.vessel_list(session, vessel, voyage))


@router.post("/vessel/load")
def vessel_load(request: Request, session: PageSession, user: PortPage,
                vessel: Annotated[str, Form(max_length=100)],
                voyage: Annotated[str, Form(max_length=40)],
                scanned: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """Bulk loading: container numbers scanned (one per line) or pasted."""
    numbers = vessel_list.containers_in(scanned)
    result = vessel_list.bulk_load(session, user, numbers) if numbers else None
    return _vessel_page(request, user, session, vessel, voyage, result)
