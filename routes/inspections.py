from fastapi import APIRouter

from customs import dispatching, inspections
from customs.declarations import to_public as declaration_public
from models import (
    AppointmentUpdate,
    DeclarationPublic,
    InspectionResult,
    InspectionStatus,
    InspectionTaskPublic,
    Page,
)
from routes.deps import Limit, Officer, Offset, RecordId, SessionDep, SettingsDep, StoreDep

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
                                            body.outcome, body.notes, body.reason_labels)
    return declaration_public(session, declaration)
