"""Photos an officer takes during an inspection (a remote call or on site), kept as evidence of
the result: content-addressed blobs listed on the task (`evidence_sha256s`, so the orphan sweep
in `customs.cleanup` keeps them) and in the declaration's audit trail."""

from sqlmodel import Session

from customs import audit, declarations, transaction
from customs.errors import Conflict, NotFound
from customs.photos import check_upload, stored_blob
from customs.settings import Settings
from customs.storage import BlobStore
from models import InspectionStatus, InspectionTask, User

MAX_PHOTOS_PER_TASK = 40
OPEN = (InspectionStatus.open, InspectionStatus.scheduled)
_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def add(session: Session, settings: Settings, store: BlobStore, officer: User,
        task: InspectionTask, data: bytes) -> str:
    """Stores one checked photo as evidence of the task's result; returns its sha256.

    Only while the inspection is open (the result is not recorded yet): evidence added after
    the decision would not be what the decision was based on. The same photo twice is kept
    once."""
    if task.status not in OPEN:
        raise Conflict(f"inspection task {task.id} is {task.status.value}; photos are taken "
                       "before the result is recorded", code="inspection_closed")
    if len(task.evidence_sha256s) >= MAX_PHOTOS_PER_TASK:
        raise Conflict(f"inspection task {task.id} already has {MAX_PHOTOS_PER_TASK} photos",
                       code="too_many_photos")
    image = check_upload(data, settings)
    with stored_blob(store, image.data) as sha256:
        if sha256 not in task.evidence_sha256s:
            task.evidence_sha256s = [*task.evidence_sha256s, sha256]
            session.add(task)
            audit.record(session, task.declaration_id, officer, "inspection_photo",
                         reason=f"{task.mode.value} inspection #{task.id}: result photo "
                                f"{len(task.evidence_sha256s)} ({image.width}×{image.height})",
                         evidence=[sha256])
        transaction.commit(session)
    return sha256


def photo(session: Session, store: BlobStore, user: User, task: InspectionTask, sha256: str
          ) -> tuple[bytes, str]:
    """One of the task's photos and its media type; 404 unless the user may see the task's
    declaration (officers, or the exporter who owns it) and the photo is the task's."""
    declarations.get_declaration(session, user, task.declaration_id)
    if sha256 not in task.evidence_sha256s:
        raise NotFound(f"inspection task {task.id} has no photo {sha256[:12]}…")
    data = store.get(sha256)
    return data, media_type(data)


def media_type(data: bytes) -> str:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return "image/webp" if data[8:12] == b"WEBP" else "application/octet-stream"
