from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile, status
from fastapi.responses import Response

from customs import (
    audit,
    certificates,
    declaration_pages,
    declarations,
    jobs,
    packing_photos,
    screening,
)
from customs.errors import NotFound
from models import (
    AuditEventPublic,
    Declaration,
    DeclarationCreate,
    DeclarationPublic,
    DeclarationStatus,
    ErrorBody,
    JobPublic,
    PackingPhotoPublic,
    Page,
    Screening,
    ScreeningPublic,
    Transition,
)
from routes.deps import (
    Exporter,
    ExporterCaller,
    ExporterOrOfficer,
    ExporterOrOfficerCaller,
    Limit,
    Officer,
    Offset,
    RecordId,
    SessionDep,
    SettingsDep,
    StoreDep,
    request_session,
)
from routes.json import FastJSONResponse, model_response
from routes.uploads import read_capped

router = APIRouter(prefix="/declarations", tags=["declarations"])
IMAGE_RESPONSE = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}}


@router.post("", response_model=DeclarationPublic, status_code=status.HTTP_201_CREATED)
def create_declaration(data: DeclarationCreate, request: Request, user: ExporterCaller
                       ) -> Response:
    with request_session(request) as session:  # in this worker thread: no extra hops
        return model_response(declarations.file_declaration(session, user, data),
                              status.HTTP_201_CREATED)


@router.get("", response_model=Page[DeclarationPublic])
async def list_declarations(request: Request, user: ExporterOrOfficerCaller, offset: Offset = 0,
                            limit: Limit = 50, status: DeclarationStatus | None = None
                            ) -> Response:
    """Three Core SELECTs on the read pool, no session and no thread hop (PostgreSQL)."""
    page = await declaration_pages.read_page(request.app.state.reads, user, status=status,
                                             offset=offset, limit=limit)
    return FastJSONResponse(page)


@router.get("/{declaration_id}", response_model=DeclarationPublic)
def get_declaration(declaration_id: RecordId, session: SessionDep, user: ExporterOrOfficer
                    ) -> DeclarationPublic:
    return declarations.to_public(
        session, declarations.get_declaration(session, user, declaration_id))


@router.post("/{declaration_id}/submit", response_model=DeclarationPublic)
def submit(declaration_id: RecordId, session: SessionDep, user: Exporter) -> DeclarationPublic:
    declaration = declarations.get_declaration(session, user, declaration_id)
    return declarations.to_public(session, declarations.submit(session, user, declaration))


@router.post("/{declaration_id}/cancel", response_model=DeclarationPublic)
def cancel(declaration_id: RecordId, session: SessionDep, user: Exporter,
           body: Transition | None = None) -> DeclarationPublic:
    declaration = declarations.get_declaration(session, user, declaration_id)
    reason = body.reason if body else ""
    return declarations.to_public(session,
                                  declarations.cancel(session, user, declaration, reason))


@router.post("/{declaration_id}/revoke", response_model=DeclarationPublic)
def revoke(declaration_id: RecordId, body: Transition, session: SessionDep, officer: Officer
           ) -> DeclarationPublic:
    """Officers: withdraw a release after the fact; its certificate stops verifying."""
    declaration = declarations.get_declaration(session, officer, declaration_id)
    return declarations.to_public(
        session, declarations.revoke_release(session, officer, declaration, body.reason))


@router.post("/{declaration_id}/photos", response_model=PackingPhotoPublic,
             status_code=status.HTTP_202_ACCEPTED,
             responses={429: {"model": ErrorBody, "description": "Too many screenings waiting"}})
def upload_packing_photo(
    declaration_id: RecordId, session: SessionDep, settings: SettingsDep, store: StoreDep,
    user: Exporter,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP packing photo")],
) -> PackingPhotoPublic:
    """Stores the photo and queues the screening of all the declaration's photos (durably:
    it runs even if this server stops); poll `GET /declarations/{id}/screening`."""
    photo = packing_photos.accept_packing_photo(
        session, settings, store, user, declaration_id,
        read_capped(file, settings.max_upload_bytes))
    return PackingPhotoPublic.model_validate(photo)


@router.post("/{declaration_id}/rescreen", response_model=JobPublic,
             status_code=status.HTTP_202_ACCEPTED)
def rescreen(declaration_id: RecordId, session: SessionDep, officer: Officer) -> JobPublic:
    """Officers: run a screening again that has been stuck (see `GET /screenings/stuck`)."""
    declaration = declarations.get_declaration(session, officer, declaration_id)
    return JobPublic.model_validate(jobs.rerun_screening(session, officer, declaration))


@router.get("/{declaration_id}/photos", response_model=list[PackingPhotoPublic])
def list_packing_photos(declaration_id: RecordId, session: SessionDep, user: ExporterOrOfficer
                        ) -> list[PackingPhotoPublic]:
    declaration = declarations.get_declaration(session, user, declaration_id)
    return [PackingPhotoPublic.model_validate(p)
            for p in declarations.photos_of(session, declaration.id)]


@router.get("/{declaration_id}/photos/{photo_id}", response_class=Response,
            responses=IMAGE_RESPONSE)
def get_packing_photo(declaration_id: RecordId, photo_id: RecordId, session: SessionDep,
                      store: StoreDep, user: ExporterOrOfficer) -> Response:
    declaration = declarations.get_declaration(session, user, declaration_id)
    photo = declarations.get_photo(session, declaration, photo_id)
    return Response(store.get(photo.sha256), media_type=photo.content_type)


def _screening_public(declaration: Declaration, record: Screening) -> ScreeningPublic:
    urls = [f"/declarations/{declaration.id}/evidence/{sha}" for sha in record.evidence]
    return ScreeningPublic.model_validate(record, update={"evidence_urls": urls})


@router.get("/{declaration_id}/screening", response_model=ScreeningPublic)
def get_screening(declaration_id: RecordId, session: SessionDep, user: ExporterOrOfficer
                  ) -> ScreeningPublic:
    declaration = declarations.get_declaration(session, user, declaration_id)
    return _screening_public(declaration, screening.current(session, declaration))


@router.get("/{declaration_id}/evidence/{sha256}", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def get_evidence(declaration_id: RecordId, sha256: str, session: SessionDep, store: StoreDep,
                 user: ExporterOrOfficer) -> Response:
    declaration = declarations.get_declaration(session, user, declaration_id)
    return Response(store.get(screening.evidence_sha(session, declaration, sha256)),
                    media_type="image/png")


@router.get("/{declaration_id}/events", response_model=list[AuditEventPublic])
def get_events(declaration_id: RecordId, session: SessionDep, user: ExporterOrOfficer
               ) -> list[AuditEventPublic]:
    declaration = declarations.get_declaration(session, user, declaration_id)
    return [AuditEventPublic.model_validate(e) for e in audit.events_for(session, declaration.id)]


@router.get("/{declaration_id}/certificate", response_model=dict[str, str])
def get_certificate_links(declaration_id: RecordId, session: SessionDep, settings: SettingsDep,
                          store: StoreDep, user: ExporterOrOfficer) -> dict[str, str]:
    declaration = declarations.get_declaration(session, user, declaration_id)
    certificate = certificates.for_declaration(session, declaration.id)
    if certificate is None:
        raise NotFound(f"declaration {declaration.declaration_no} has no certificate yet")
    number = certificate.certificate_no
    return {"certificate_no": number, "pdf_url": f"/certificates/{number}",
            "verify_url": certificates.owner_verify_url(settings, store, certificate)}
