"""Inspection tasks: created by the red channel, dispatched, and closed by an officer's result."""

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from customs import calibration, certificates, lifecycle, transaction
from customs.errors import Conflict, Invalid, NotFound
from customs.pagination import paginate
from customs.settings import Settings
from customs.storage import BlobStore
from models import (
    Channel,
    Declaration,
    DeclarationStatus,
    Enterprise,
    GoodsCategory,
    InspectionMode,
    InspectionOutcome,
    InspectionStatus,
    InspectionTask,
    InspectionTaskPublic,
    User,
    utcnow,
)

GREEN_CHANNEL_GOODS = {GoodsCategory.perishable, GoodsCategory.live_animals,
                       GoodsCategory.fresh_food}
SERVICE_MINUTES = {InspectionMode.onsite: 45, InspectionMode.remote: 30}


def create_task(session: Session, declaration: Declaration, reasons: list[str], *,
                remote_allowed: bool, risk_level: int) -> InspectionTask:
    enterprise = session.get(Enterprise, declaration.enterprise_id)
    assert enterprise is not None
    mode = InspectionMode.remote if remote_allowed else InspectionMode.onsite
    task = InspectionTask(
        declaration_id=declaration.id,
        mode=mode,
        goods_category=declaration.goods_category,
        address=declaration.inspection_address or enterprise.address,
        latitude=declaration.inspection_latitude if declaration.inspection_latitude is not None
        else enterprise.latitude,
        longitude=declaration.inspection_longitude
        if declaration.inspection_longitude is not None else enterprise.longitude,
        service_minutes=SERVICE_MINUTES[mode],
        required_skill="dangerous_goods"
        if declaration.goods_category == GoodsCategory.dangerous_goods else None,
        risk_level=risk_level,
        reasons=reasons,
    )
    session.add(task)
    session.flush()
    return task


def list_tasks(session: Session, *, status: InspectionStatus | None, offset: int, limit: int
               ) -> tuple[list[InspectionTask], int]:
    query = select(InspectionTask).order_by(col(InspectionTask.id).desc())
    if status is not None:
        query = query.where(InspectionTask.status == status)
    return paginate(session, query, offset, limit)


def open_tasks(session: Session) -> list[InspectionTask]:
    query = select(InspectionTask).where(col(InspectionTask.status).in_(
        [InspectionStatus.open, InspectionStatus.scheduled])).order_by(col(InspectionTask.id))
    return list(session.exec(query))


def tasks_for(session: Session, declaration_id: int) -> list[InspectionTask]:
    """A declaration's inspection tasks, oldest first."""
    query = select(InspectionTask).where(InspectionTask.declaration_id == declaration_id)
    return list(session.exec(query.order_by(col(InspectionTask.id))))


def get_task(session: Session, task_id: int) -> InspectionTask:
    task = session.get(InspectionTask, task_id)
    if task is None:
        raise NotFound(f"inspection task {task_id} does not exist")
    return task


def schedule(session: Session, task: InspectionTask, officer: User | None, actor: User | None,
             reason: str) -> None:
    """Marks a task as planned (by dispatch or by the officer who takes it)."""
    declaration = session.get(Declaration, task.declaration_id)
    assert declaration is not None
    if declaration.status == DeclarationStatus.inspection_required:
        lifecycle.transition(session, declaration, DeclarationStatus.inspection_scheduled,
                             actor, reason=reason)
    task.status = InspectionStatus.scheduled
    if officer is not None:
        task.officer_id = officer.id
    session.add(task)


def unschedule(session: Session, task: InspectionTask, actor: User | None, reason: str) -> None:
    """Back to open: the task left every officer's list (a merge displaced it)."""
    if task.status != InspectionStatus.scheduled:
        return
    declaration = session.get(Declaration, task.declaration_id)
    assert declaration is not None
    if declaration.status == DeclarationStatus.inspection_scheduled:
        lifecycle.transition(session, declaration, DeclarationStatus.inspection_required,
                             actor, reason=reason)
    task.status = InspectionStatus.open
    task.officer_id = None
    session.add(task)


def video_room_url(settings: Settings, task: InspectionTask | InspectionTaskPublic
                   ) -> str | None:
    """The video room of a remote inspection: ``{video_base_url}/clearlane-<room>``.

    The room name is an HMAC of the task id under the server's secret key: stable (no
    column to store), unguessable without the key, different for every task.
    """
    if task.mode != InspectionMode.remote or not settings.video_base_url or task.id is None:
        return None
    digest = hmac.new(settings.secret_key.encode(), f"inspection-room:{task.id}".encode(),
                      hashlib.sha256).hexdigest()[:32]
    return f"{settings.video_base_url.rstrip('/')}/clearlane-{digest}"


def set_appointment(session: Session, task: InspectionTask, start: datetime, end: datetime
                    ) -> None:
    if end <= start:
        raise Invalid("the appointment window must end after it starts", code="invalid_window")
    if end - start < timedelta(minutes=task.service_minutes):
        raise Invalid(f"the window is shorter than the {task.service_minutes}-minute inspection",
                      code="invalid_window")
    task.window_start, task.window_end = start, end
    session.add(task)
    transaction.commit(session)


def record_result(session: Session, settings: Settings, store: BlobStore, officer: User,
                  task: InspectionTask, outcome: InspectionOutcome, notes: str,
                  reason_labels: dict[str, str] | None = None) -> Declaration:
    """Pass → released with a certificate; fail → rejected. `reason_labels` (screening reason
    code → confirmed | false_alarm) are kept with the outcome for the vision calibration."""
    if task.status in (InspectionStatus.done, InspectionStatus.cancelled):
        raise Conflict(f"inspection task {task.id} is already {task.status}",
                       code="inspection_closed")
    calibration.record_outcome(session, task, reason_labels or {},
                               bad=outcome != InspectionOutcome.passed)
    declaration = session.get(Declaration, task.declaration_id)
    assert declaration is not None
    if declaration.status == DeclarationStatus.inspection_required:
        schedule(session, task, officer, officer, reason="taken by the inspecting officer")
    lifecycle.transition(session, declaration, DeclarationStatus.inspected, officer,
                         reason=f"{task.mode} inspection: {outcome.value}. {notes}".strip())
    target = (DeclarationStatus.released if outcome == InspectionOutcome.passed
              else DeclarationStatus.rejected)
    lifecycle.transition(session, declaration, target, officer,
                         reason=notes or f"inspection {outcome.value}")
    if target == DeclarationStatus.released:
        certificates.issue(session, settings, store, declaration, Channel.red)
    task.status = InspectionStatus.done
    task.outcome = outcome
    task.notes = notes
    task.officer_id = officer.id
    task.completed_at = utcnow()
    session.add(task)
    transaction.commit(session)
    return declaration
