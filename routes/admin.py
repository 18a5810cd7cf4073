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
from routes.deps import Admin, SessionDep

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
