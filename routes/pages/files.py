"""Images and certificate PDFs behind the login cookie, served by the API's own route functions
(so ownership is checked in the same place: another enterprise's record answers 404)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from models import Role, User
from routes import certificates as certificates_api
from routes import declarations as declarations_api
from routes import filings as filings_api
from routes import inspections as inspections_api
from routes.deps import RecordId, StoreDep
from routes.pages.core import PageRoute, PageSession, PageUser, role

router = APIRouter(prefix="/files", route_class=PageRoute)
ExporterOrOfficerPage = Annotated[User, Depends(role(Role.exporter, Role.officer))]


@router.get("/filings/{filing_id}/photos/{photo_id}")
def filing_photo(filing_id: RecordId, photo_id: RecordId, session: PageSession, store: StoreDep,
                 user: ExporterOrOfficerPage) -> Response:
    return filings_api.get_reference_photo(filing_id, photo_id, session, store, user)


@router.get("/declarations/{declaration_id}/photos/{photo_id}")
def packing_photo(declaration_id: RecordId, photo_id: RecordId, session: PageSession,
                  store: StoreDep, user: ExporterOrOfficerPage) -> Response:
    return declarations_api.get_packing_photo(declaration_id, photo_id, session, store, user)


@router.get("/declarations/{declaration_id}/evidence/{sha256}")
def evidence(declaration_id: RecordId, sha256: Annotated[str, Path(max_length=64)],
             session: PageSession, store: StoreDep, user: ExporterOrOfficerPage) -> Response:
    return declarations_api.get_evidence(declaration_id, sha256, session, store, user)


@router.get("/inspections/{task_id}/photos/{sha256}")
def inspection_photo(task_id: RecordId, sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
                     session: PageSession, store: StoreDep, user: ExporterOrOfficerPage
                     ) -> Response:
    return inspections_api.get_result_photo(task_id, sha256, session, store, user)


@router.get("/certificates/{certificate_no}")
def certificate_pdf(certificate_no: Annotated[str, Path(max_length=32)], session: PageSession,
                    store: StoreDep, user: PageUser) -> Response:
    response = certificates_api.get_certificate_pdf(certificate_no, session, store, user)
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate_no}.pdf"'
    return response
