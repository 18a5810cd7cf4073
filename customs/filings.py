"""Packaging filings (形式备案) and the compliance library of approved ones."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from customs import rectification, transaction
from customs.errors import Conflict, Forbidden, Invalid, NotFound
from customs.pagination import paginate
from customs.photos import check_upload, stored_blob
from customs.scoping import get_owned, scoped
from customs.settings import Settings
from customs.storage import BlobStore
from customs.uploads import CheckedImage
from models import (
    MAX_FILING_PHOTOS,
    Filing,
    FilingCreate,
    FilingPhoto,
    FilingPhotoPublic,
    FilingPublic,
    FilingStatus,
    LabelRegimePublic,
    Role,
    User,
    utcnow,
)

FACES = ("front", "back", "left", "right", "top", "bottom")
PROVISIONS = ("fully_regulated", "small_battery", "section_ib")  # see vision.regime


def create_filing(session: Session, user: User, data: FilingCreate) -> Filing:
    if user.role != Role.exporter or user.enterprise_id is None:
        raise Forbidden("only exporters file packaging designs")
    _check_ranges(data)
    if data.replaces_filing_id is not None:
        try:
            get_filing(session, user, data.replaces_filing_id)  # the one ownership rule
        except NotFound:
            raise Invalid(f"replaces_filing_id {data.replaces_filing_id} is not one of your "
                          "filings: give the id of your earlier filing of this design, or "
                          "leave it out", code="unknown_replaced_filing") from None
    regime = label_regime(data.un_numbers, data.transport_mode, data.provision)
    filing = Filing.model_validate(data, update={"enterprise_id": user.enterprise_id,
                                                 "un_numbers": sorted(set(data.un_numbers)),
                                                 "provision": regime.provision})
    session.add(filing)
    transaction.commit(session)
    return filing


def _check_ranges(data: FilingCreate) -> None:
    for low, high, label in (
        (data.net_weight_min_kg, data.net_weight_max_kg, "net weight"),
        (data.gross_weight_min_kg, data.gross_weight_max_kg, "gross weight"),
    ):
        if low is not None and high is not None and high < low:
            raise Invalid(f"the {label} range is reversed: max {high} kg < min {low} kg",
                          code="invalid_weight_range")


def label_regime(un_numbers: list[str], transport_mode: str, provision: str) -> Any:
    """The marks and labels the package must (and must not) carry, from the one rules table
    in `vision.regime`; a combination the regulations don't allow is a 422 saying why."""
    from vision.regime import RegimeError, expected_marks

    try:
        return expected_marks(un_numbers, str(transport_mode), provision)
    except RegimeError as exc:
        raise Invalid(str(exc), code="invalid_label_regime") from exc


def regime_preview(un_numbers: list[str], transport_mode: str, provision: str
                   ) -> LabelRegimePublic:
    """The marks a filing with these values would expect (shown while the exporter fills in
    the form); 422 with what to change for a combination the regulations don't allow."""
    regime = label_regime(un_numbers, transport_mode, provision)
    return LabelRegimePublic.model_validate(regime.to_dict())


def expected_marks_of(filing: Filing) -> LabelRegimePublic | None:
    try:
        regime = label_regime(list(filing.un_numbers), filing.transport_mode, filing.provision)
    except Invalid:
        return None
    return LabelRegimePublic.model_validate(regime.to_dict())


def list_filings(session: Session, user: User, *, status: FilingStatus | None,
                 offset: int, limit: int) -> tuple[list[Filing], int]:
    query = scoped(select(Filing), Filing, user).order_by(col(Filing.id).desc())
    if status is not None:
        query = query.where(Filing.status == status)
    return paginate(session, query, offset, limit)


def get_filing(session: Session, user: User, filing_id: int) -> Filing:
    return get_owned(session, Filing, filing_id, user)


def photos_of(session: Session, filing_id: int) -> list[FilingPhoto]:
    query = select(FilingPhoto).where(FilingPhoto.filing_id == filing_id).order_by(
        col(FilingPhoto.id))
    return list(session.exec(query))


def labels_missing(filing: Filing, photos: Sequence[FilingPhoto]) -> list[str] | None:
    """The labels the filing's regime requires that none of its flattened faces shows; None
    while a face has not been looked at (or the regime is not one the rules allow)."""
    from vision.filed_faces import missing_labels

    regime = expected_marks_of(filing)
    if regime is None or not photos or any(p.labels_seen is None for p in photos):
        return None
    return missing_labels(regime.required, (p.labels_seen or () for p in photos))


def to_public(session: Session, filing: Filing) -> FilingPublic:
    assert filing.id is not None
    stored = photos_of(session, filing.id)
    photos = [FilingPhotoPublic.model_validate(p) for p in stored]
    return FilingPublic.model_validate(filing, update={
        "photos": photos, "expected_marks": expected_marks_of(filing),
        "labels_missing": labels_missing(filing, stored)})


def get_photo(session: Session, filing: Filing, photo_id: int) -> FilingPhoto:
    photo = session.get(FilingPhoto, photo_id)
    if photo is None or photo.filing_id != filing.id:
        raise NotFound(f"filing {filing.id} has no photo {photo_id}")
    return photo


def _check_editable(filing: Filing) -> None:
    if filing.status == FilingStatus.approved:
        raise Conflict(f"filing {filing.id} is approved and part of the compliance library; "
                       "file a new design instead of changing it", code="filing_locked")



def add_photo(session: Session, filing: Filing, face: str, image: CheckedImage,
              sha256: str, face_quad: dict[str, Any] | None = None,
              rectified_sha256: str = "", labels_seen: list[str] | None = None
              ) -> FilingPhoto:
    face = face.strip().lower()
    if face not in FACES:
        raise Invalid(f"face {face!r} is not one of {', '.join(FACES)}", code="invalid_face")
    _check_editable(filing)
    if len(photos_of(session, filing.id)) >= MAX_FILING_PHOTOS:
        raise Conflict(f"filing {filing.id} already has {MAX_FILING_PHOTOS} reference photos, "
                       "the most a filing may hold; file a new design instead",
                       code="filing_photo_limit")
    photo = FilingPhoto(filing_id=filing.id, face=face, sha256=sha256,
                        content_type=image.content_type, width=image.width, height=image.height,
                        quad=face_quad or {}, rectified_sha256=rectified_sha256,
                        labels_seen=labels_seen)
    session.add(photo)
    transaction.commit(session)
    return photo


def accept_reference_photo(session: Session, settings: Settings, store: BlobStore, user: User,
                           filing_id: int, face: str, data: bytes) -> FilingPhoto:
    """The exporter's upload of one face: checked, stored, the carton face found in it and
    flattened (the rectified face is what packing photos are matched against); nothing
    half-written."""
    filing = get_filing(session, user, filing_id)
    _check_editable(filing)
    image = check_upload(data, settings)
    detected = rectification.detect(image.data)
    with stored_blob(store, image.data) as sha256:
        if detected is None:
            return add_photo(session, filing, face, image, sha256)
        with stored_blob(store, detected.rectified_png) as rectified_sha256:
            return add_photo(session, filing, face, image, sha256, detected.quad,
                             rectified_sha256, detected.labels_seen)


def correct_quad(session: Session, store: BlobStore, user: User, filing_id: int,
                 photo_id: int, corners: list[list[float]]) -> FilingPhoto:
    """The exporter's corrected corners of the face: the face is flattened again from them."""
    filing = get_filing(session, user, filing_id)
    _check_editable(filing)
    photo = get_photo(session, filing, photo_id)
    face = rectification.from_corners(store.get(photo.sha256), corners, photo.width,
                                      photo.height)
    with stored_blob(store, face.rectified_png) as rectified_sha256:
        photo.quad = face.quad
        photo.rectified_sha256 = rectified_sha256
        photo.labels_seen = face.labels_seen
        session.add(photo)
        transaction.commit(session)
    return photo


def _check_reviewed_set(session: Session, filing: Filing, reviewed: Sequence[int]) -> None:
    """Approval binds to the photos the officer saw: any photo added or removed since → 409."""
    current = {p.id for p in photos_of(session, filing.id)}
    if not current:
        raise Conflict(f"filing {filing.id} has no reference photos; the exporter must upload "
                       "at least one face before it can be approved", code="filing_incomplete")
    if set(reviewed) != current:
        added = sorted(i for i in current - set(reviewed) if i is not None)
        missing = sorted(set(reviewed) - current)
        details = "; ".join(part for part in (
            f"not reviewed: {', '.join(map(str, added))}" if added else "",
            f"no longer on the filing: {', '.join(map(str, missing))}" if missing else "")
            if part)
        raise Conflict(f"the reference photos of filing {filing.id} changed since your review "
                       f"({details}); review the filing again", code="filing_changed")


def _check_reviewed_faces(session: Session, filing: Filing, reviewed: Sequence[str]) -> None:
    current = {p.rectified_sha256 or p.sha256 for p in photos_of(session, filing.id)}
    if set(reviewed) != current:
        raise Conflict(f"the flattened faces of filing {filing.id} changed after you reviewed "
                       "them (corners corrected); review the filing again",
                       code="filing_changed")


def _labels_note(session: Session, filing: Filing, note: str, accepted: bool) -> str:
    """The review note, with the labels the faces do not show when the officer accepted that
    (kept with the filing: who approved what, knowingly); 409 when they did not accept it."""
    missing = labels_missing(filing, photos_of(session, filing.id))
    if not missing:
        return note
    if accepted:  # the note column holds 1000 characters: the acceptance comes first
        return (f"(approved although the flattened faces do not show {', '.join(missing)}) "
                f"{note}").strip()[:1000]
    raise Conflict(f"the flattened faces of filing {filing.id} do not show "
                   f"{', '.join(missing)}, which its label regime requires: packing photos "
                   "cannot be checked for a covered, torn or missing label there, nor for "
                   "damage outside a face cut short. Ask the exporter to correct the corners "
                   "or file the face that carries them, or approve with accept_missing_labels",
                   code="filing_labels_missing")


def review(session: Session, officer: User, filing: Filing, approve: bool, note: str,
           reviewed_photo_ids: Sequence[int] = (),
           reviewed_faces: Sequence[str] | None = None,
           accept_missing_labels: bool = False) -> Filing:
    """`reviewed_faces`, when given, are the SHA-256 of the flattened faces the officer saw:
    corners corrected since then make the approval 409 as well. Approval of faces that do
    not show every label the regime requires is a 409 unless the officer accepts it."""
    target = FilingStatus.approved if approve else FilingStatus.rejected
    if filing.status != FilingStatus.pending:
        raise Conflict(f"filing {filing.id} is already {filing.status}; only pending filings "
                       "can be reviewed", code="filing_already_reviewed")
    if approve:
        _check_reviewed_set(session, filing, reviewed_photo_ids)
        if reviewed_faces is not None:
            _check_reviewed_faces(session, filing, reviewed_faces)
        note = _labels_note(session, filing, note, accept_missing_labels)
    filing.status = target
    filing.review_note = note
    filing.reviewed_by = officer.id
    filing.reviewed_at = utcnow()
    session.add(filing)
    transaction.commit(session)
    return filing
