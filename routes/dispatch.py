from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from customs import dispatching, plan_jobs
from customs.errors import NotFound
from customs.plan_jobs import PlanJobPublic
from customs.settings import MAX_DISPATCH_TIME_LIMIT_S
from models import DispatchPlanRecord, UtcDatetime
from routes.deps import Officer, RecordId, SessionDep, SettingsDep

router = APIRouter(prefix="/dispatch", tags=["dispatch"])


class PlanRequest(BaseModel):
    time_limit_s: float | None = Field(default=None, gt=0, le=MAX_DISPATCH_TIME_LIMIT_S,
                                       description="solver budget; default from settings")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class MergeRequest(BaseModel):
    time_limit_s: float = Field(default=1.0, ge=0, le=MAX_DISPATCH_TIME_LIMIT_S,
                                description="improvement budget after the first answer")


class PlanPublic(BaseModel):
    id: int
    created_by: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
    plan: dict[str, Any] = Field(description="routes per officer, dropped tasks, totals")
    merges: list[dict[str, Any]]


def _public(record: DispatchPlanRecord) -> PlanPublic:
    return PlanPublic.model_validate(record, from_attributes=True)


@router.post("/plans", response_model=PlanJobPublic, status_code=status.HTTP_202_ACCEPTED,
             responses={201: {"model": PlanPublic, "description": "built (`wait=true`)"}})
def build_plan(session: SessionDep, settings: SettingsDep, officer: Officer,
               body: PlanRequest | None = None,
               wait: Annotated[bool, Query(description="build in this request and answer 201 "
                                                       "with the plan (scripts)")] = False
               ) -> PlanJobPublic | JSONResponse:
    """Plans every open inspection task across the officers on duty today, in the background:
    answers 202 with the job to follow at `GET /dispatch/jobs/{id}` (one build at a time;
    asking again while one runs returns it)."""
    body = body or PlanRequest()
    if wait:
        record = dispatching.build_plan(session, settings, officer,
                                        time_limit_s=body.time_limit_s, seed=body.seed)
        return JSONResponse(_public(record).model_dump(mode="json"),
                            status_code=status.HTTP_201_CREATED)
    job = plan_jobs.enqueue(session, settings, officer, time_limit_s=body.time_limit_s,
                            seed=body.seed)
    return plan_jobs.public(job)


@router.get("/jobs/{job_id}", response_model=PlanJobPublic)
def get_plan_job(job_id: RecordId, session: SessionDep, _: Officer) -> PlanJobPublic:
    """A plan build's phase, progress and, once saved, the plan's id."""
    return plan_jobs.public(plan_jobs.get(session, job_id))


@router.get("/plans/latest", response_model=PlanPublic)
def latest_plan(session: SessionDep, _: Officer) -> PlanPublic:
    record = dispatching.latest_plan(session)
    if record is None:
        raise NotFound("no dispatch plan has been built yet")
    return _public(record)


@router.get("/plans/{plan_id}", response_model=PlanPublic)
def get_plan(plan_id: RecordId, session: SessionDep, _: Officer) -> PlanPublic:
    return _public(dispatching.get_plan(session, plan_id))


@router.post("/plans/{plan_id}/merge", response_model=dict[str, Any])
def merge(plan_id: RecordId, session: SessionDep, settings: SettingsDep, officer: Officer,
          body: MergeRequest | None = None) -> dict[str, Any]:
    """Merges inspection tasks created since the plan into it; says vehicle and detour."""
    record = dispatching.get_plan(session, plan_id)
    return dispatching.merge_new_tasks(session, settings, officer, record,
                                       time_limit_s=(body or MergeRequest()).time_limit_s)
