from fastapi import APIRouter, status

from customs import enterprises
from models import (
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
