from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi.responses import Response

from customs import filings
from models import (
    FilingApproval,
    FilingCreate,
    FilingPhotoPublic,
    FilingPublic,
    FilingReview,
    FilingStatus,
    Page,
    QuadUpdate,
)
from routes.deps import (
    Exporter,
    ExporterOrOfficer,
    Limit,
    Officer,
    Offset,
    RecordId,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from routes.uploads import read_capped

router = APIRouter(prefix="/filings", tags=["filings"])


@router.post("", response_model=FilingPublic, status_code=status.HTTP_201_CREATED)
def create_filing(data: FilingCreate, session: SessionDep, user: Exporter) -> FilingPublic:
    return filings.to_public(session, filings.create_filing(session, user, data))


@router.get("", response_model=Page[FilingPublic])
def list_filings(session: SessionDep, user: ExporterOrOfficer, offset: Offset = 0,
                 limit: Limit = 50, status: FilingStatus | None = None) -> Page[FilingPublic]:
    items, total = filings.list_filings(session, user, status=status, offset=offset,
                                        limit=limit)
    return Page(items=[filings.to_public(session, f) for f in items], total=total, offset=offset,
                limit=limit)


@router.get("/{filing_id}", response_model=FilingPublic)
def get_filing(filing_id: RecordId, session: SessionDep, user: ExporterOrOfficer
               ) -> FilingPublic:
    return filings.to_public(session, filings.get_filing(session, user, filing_id))


@router.post("/{filing_id}/photos", response_model=FilingPhotoPublic,
             status_code=status.HTTP_201_CREATED)
def upload_reference_photo(
    filing_id: RecordId, session: SessionDep, settings: SettingsDep, store: StoreDep,
    user: Exporter, file: Annotated[UploadFile, File(description="JPEG, PNG or WebP")],
    face: Annotated[str, Form(max_length=20, description="front, back, left, right, top, bottom")],
) -> FilingPhotoPublic:
    photo = filings.accept_reference_photo(session, settings, store, user, filing_id, face,
                                           read_capped(file, settings.max_upload_bytes))
    return FilingPhotoPublic.model_validate(photo)


@router.get("/{filing_id}/photos/{photo_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}})
def get_reference_photo(filing_id: RecordId, photo_id: RecordId, session: SessionDep,
                        store: StoreDep, user: ExporterOrOfficer) -> Response:
    filing = filings.get_filing(session, user, filing_id)
    photo = filings.get_photo(session, filing, photo_id)
    return Response(store.get(photo.sha256), media_type=photo.content_type)


@router.post("/{filing_id}/photos/{photo_id}/quad", response_model=FilingPhotoPublic)
def correct_face_quad(filing_id: RecordId, photo_id: RecordId, data: QuadUpdate,
                      session: SessionDep, store: StoreDep, user: Exporter) -> FilingPhotoPublic:
    """Correct the detected corners of the carton face; the face is flattened again."""
    photo = filings.correct_quad(session, store, user, filing_id, photo_id, data.corners)
    return FilingPhotoPublic.model_validate(photo)


@router.get("/{filing_id}/photos/{photo_id}/rectified", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def get_rectified_face(filing_id: RecordId, photo_id: RecordId, session: SessionDep,
                       store: StoreDep, user: ExporterOrOfficer) -> Response:
    """The flattened carton face the packing photos are matched against."""
    filing = filings.get_filing(session, user, filing_id)
    photo = filings.get_photo(session, filing, photo_id)
    if not photo.rectified_sha256:
        return Response(store.get(photo.sha256), media_type=photo.content_type)
    return Response(store.get(photo.rectified_sha256), media_type="image/png")


@router.post("/{filing_id}/approve", response_model=FilingPublic)
def approve(filing_id: RecordId, review: FilingApproval, session: SessionDep,
            officer: Officer) -> FilingPublic:
    """Into the compliance library: the vision check compares packing photos with it.
    `photo_ids` are the photos you reviewed; if they changed since, 409: review again."""
    filing = filings.get_filing(session, officer, filing_id)
    return filings.to_public(session, filings.review(session, officer, filing, True,
                                                     review.note, review.photo_ids,
                                                     review.face_sha256s,
                                                     review.accept_missing_labels))


@router.post("/{filing_id}/reject", response_model=FilingPublic)
def reject(filing_id: RecordId, session: SessionDep, officer: Officer,
           review: FilingReview | None = None) -> FilingPublic:
    filing = filings.get_filing(session, officer, filing_id)
    note = review.note if review else ""
    return filings.to_public(session, filings.review(session, officer, filing, False, note))
