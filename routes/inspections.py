from typing import Annotated

from fastapi import APIRouter, File, Path, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel

from customs import dispatching, inspection_photos, inspections
from customs.declarations import to_public as declaration_public
from models import (
    AppointmentUpdate,
    DeclarationPublic,
    InspectionResult,
    InspectionStatus,
    InspectionTaskPublic,
    Page,
)
from routes.deps import (
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

router = APIRouter(prefix="/inspections", tags=["inspections"])


@router.get("", response_model=Page[InspectionTaskPublic])
def list_inspections(session: SessionDep, settings: SettingsDep, _: Officer, offset: Offset = 0,
                     limit: Limit = 50, status: InspectionStatus | None = None
                     ) -> Page[InspectionTaskPublic]:
    items, total = inspections.list_tasks(session, status=status, offset=offset, limit=limit)
    return Page(items=[dispatching.task_public(session, settings, t) for t in items], total=total,
                offset=offset, limit=limit)


@router.get("/{task_id}", response_model=InspectionTaskPublic)
def get_inspection(task_id: RecordId, session: SessionDep, settings: SettingsDep, _: Officer
                   ) -> InspectionTaskPublic:
    return dispatching.task_public(session, settings, inspections.get_task(session, task_id))


@router.post("/{task_id}/appointment", response_model=InspectionTaskPublic)
def set_appointment(task_id: RecordId, body: AppointmentUpdate, session: SessionDep,
                    settings: SettingsDep, _: Officer) -> InspectionTaskPublic:
    task = inspections.get_task(session, task_id)
    inspections.set_appointment(session, task, body.window_start, body.window_end)
    return dispatching.task_public(session, settings, task)


@router.post("/{task_id}/result", response_model=DeclarationPublic)
def record_result(task_id: RecordId, body: InspectionResult, session: SessionDep,
                  settings: SettingsDep, store: StoreDep, officer: Officer) -> DeclarationPublic:
    task = inspections.get_task(session, task_id)
    declaration = inspections.record_result(session, settings, store, officer, task,
                                            body.outcome, body.notes)
    return declaration_public(session, declaration)


class ResultPhotoPublic(BaseModel):
    sha256: str
    url: str
    evidence_sha256s: list[str]


@router.post("/{task_id}/photos", response_model=ResultPhotoPublic,
             status_code=status.HTTP_201_CREATED)
def add_result_photo(task_id: RecordId, session: SessionDep, settings: SettingsDep,
                     store: StoreDep, officer: Officer, file: Annotated[UploadFile, File()]
                     ) -> ResultPhotoPublic:
    """A photo taken during the inspection (video call or on site), kept as result evidence."""
    task = inspections.get_task(session, task_id)
    sha256 = inspection_photos.add(session, settings, store, officer, task,
                                   read_capped(file, settings.max_upload_bytes))
    return ResultPhotoPublic(sha256=sha256, url=f"/inspections/{task_id}/photos/{sha256}",
                             evidence_sha256s=task.evidence_sha256s)


@router.get("/{task_id}/photos/{sha256}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}})
def get_result_photo(task_id: RecordId,
                     sha256: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
                     session: SessionDep, store: StoreDep, user: ExporterOrOfficer) -> Response:
    task = inspections.get_task(session, task_id)
    data, media_type = inspection_photos.photo(session, store, user, task, sha256)
    return Response(data, media_type=media_type)
