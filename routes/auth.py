from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import select

from customs.errors import Unauthorized
from customs.security import create_access_token, verify_password
from models import Token, User, UserPublic
from routes.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=Token)
def login(session: SessionDep, settings: SettingsDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = session.exec(select(User).where(User.username == form.username)).first()
    if user is None or not verify_password(form.password, user.hashed_password):
        raise Unauthorized("wrong username or password")
    if not user.is_active:
        raise Unauthorized("this account is disabled")
    return Token(access_token=create_access_token(user.id, settings.secret_key,
                                                  settings.token_minutes))


@router.get("/users/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    return user
