"""Accepting a packing photo: the exporter's upload use case.

In one transaction: the photo row, its exact fingerprint (first declaration wins), the move
into SCREENING, the audit event and the durable screening job. The blob is written first and
removed again if the transaction fails, so a failed upload leaves neither file nor row.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from customs import audit, declarations, jobs, lifecycle, transaction
from customs.errors import Conflict
from customs.photos import check_upload, stored_blob
from customs.settings import Settings
from customs.storage import BlobStore
from models import Declaration, DeclarationStatus, PackingPhoto, PhotoFingerprint, User


def accept_packing_photo(session: Session, settings: Settings, store: BlobStore, user: User,
                         declaration_id: int, data: bytes) -> PackingPhoto:
    declaration = declarations.get_declaration(session, user, declaration_id)
    declarations.require_owner(user, declaration)
    _require_photo_state(declaration)
    image = check_upload(data, settings)
    jobs.check_capacity(session, settings, jobs.SCREENING)
    with stored_blob(store, image.data) as sha256:
        declarations.lock(session, declaration)
        status = _require_photo_state(declaration)
        assert declaration.id is not None
        duplicate = _same_photo(session, declaration.id, sha256)
        if duplicate is not None:
            transaction.rollback(session)
            if status == DeclarationStatus.photos_rejected:
                raise Conflict("this very photo was already screened and asked to be retaken; "
                               "take a new photo", code="photo_already_rejected")
            return duplicate  # the same upload again: one photo, one job
        photo = PackingPhoto(declaration_id=declaration.id, sha256=sha256,
                             content_type=image.content_type, width=image.width,
                             height=image.height, uploaded_by=user.id,
                             reused_from_declaration_id=_claim_fingerprint(
                                 session, sha256, declaration.id))
        session.add(photo)
        session.flush()
        audit.record(session, declaration.id, user, "photo_uploaded", evidence=[sha256])
        if status != DeclarationStatus.screening:
            lifecycle.transition(session, declaration, DeclarationStatus.screening, user,
                                 reason="packing photo uploaded", evidence=[sha256])
        jobs.enqueue(session, jobs.SCREENING, declaration.id)
        transaction.commit(session)
    return photo


def _require_photo_state(declaration: Declaration) -> DeclarationStatus:
    status = DeclarationStatus(declaration.status)
    if status not in declarations.PHOTO_STATES:
        raise Conflict(
            f"declaration {declaration.declaration_no} is {status}; packing photos are taken "
            "after submitting and before a decision", code="photos_not_accepted")
    return status


def _same_photo(session: Session, declaration_id: int, sha256: str) -> PackingPhoto | None:
    return session.exec(select(PackingPhoto).where(
        PackingPhoto.declaration_id == declaration_id, PackingPhoto.sha256 == sha256)
        .order_by(col(PackingPhoto.id))).first()


def _claim_fingerprint(session: Session, sha256: str, declaration_id: int) -> int | None:
    """Records the photo as this declaration's; returns the other declaration that had it
    first, if any. The primary key decides between simultaneous uploads."""
    owner = session.get(PhotoFingerprint, sha256)
    if owner is None:
        try:
            with session.begin_nested():
                session.add(PhotoFingerprint(sha256=sha256, declaration_id=declaration_id))
            return None
        except IntegrityError:  # a concurrent upload of the same bytes committed first
            owner = session.get(PhotoFingerprint, sha256, populate_existing=True)
    assert owner is not None
    return owner.declaration_id if owner.declaration_id != declaration_id else None
