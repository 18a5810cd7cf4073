from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from customs import calibration, enterprises
from models import (
    CalibrationApply,
    CalibrationVersion,
    CalibrationVersionPublic,
    Enterprise,
    EnterpriseCreate,
    EnterprisePublic,
    Office,
    OfficeCreate,
    OfficePublic,
    User,
    UserCreate,
    UserPublic,
)
from routes.deps import Admin, RecordId, SessionDep

router = APIRouter(tags=["admin"])


@router.post("/enterprises", response_model=EnterprisePublic,
             status_code=status.HTTP_201_CREATED)
def create_enterprise(data: EnterpriseCreate, session: SessionDep, _: Admin) -> Enterprise:
    return enterprises.create_enterprise(session, data)


@router.post("/offices", response_model=OfficePublic, status_code=status.HTTP_201_CREATED)
def create_office(data: OfficeCreate, session: SessionDep, _: Admin) -> Office:
    return enterprises.create_office(session, data)


@router.post("/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, session: SessionDep, _: Admin) -> User:
    return enterprises.create_user(session, data)


@router.get("/users/{user_id}", response_model=UserPublic)
def get_user(user_id: RecordId, session: SessionDep, _: Admin) -> User:
    return enterprises.get_user(session, user_id)


@router.post("/users/{user_id}/disable", response_model=UserPublic)
def disable_user(user_id: RecordId, session: SessionDep, admin: Admin) -> User:
    """The account can no longer log in and its tokens stop working at once."""
    return enterprises.set_active(session, admin, user_id, active=False)


@router.post("/users/{user_id}/enable", response_model=UserPublic)
def enable_user(user_id: RecordId, session: SessionDep, admin: Admin) -> User:
    return enterprises.set_active(session, admin, user_id, active=True)


@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: RecordId, session: SessionDep, admin: Admin) -> None:
    """Deletes the account (its username becomes free); records it made stay attributed."""
    enterprises.delete_user(session, admin, user_id)


@router.get("/calibration/proposal")
def calibration_proposal(session: SessionDep, _: Admin,
                         max_false_releases: Annotated[int, Query(ge=0, le=1000)] = 0
                         ) -> dict[str, Any]:
    """New vision thresholds proposed from the inspection outcomes officers labelled: the
    report gives the 95 % bound on false release and the gain in clean release."""
    return calibration.propose(session, max_false_releases)


@router.get("/calibration/versions", response_model=list[CalibrationVersionPublic])
def calibration_versions(session: SessionDep, _: Admin) -> list[CalibrationVersion]:
    return calibration.list_versions(session)


@router.post("/calibration/versions", response_model=CalibrationVersionPublic,
             status_code=status.HTTP_201_CREATED)
def apply_calibration(data: CalibrationApply, session: SessionDep, admin: Admin
                      ) -> CalibrationVersion:
    """Applies the proposal computed now as a new calibration version; every later screening
    uses it and records its name."""
    return calibration.apply(session, admin, data.version, data.max_false_releases)
