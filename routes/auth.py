from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from customs import security
from models import PasswordChange, Token, User, UserPublic
from routes.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["auth"])
THROTTLED = {429: {"description": "Too many failed logins: wait `Retry-After` seconds"}}


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/auth/token", response_model=Token, responses=THROTTLED)
def login(request: Request, session: SessionDep, settings: SettingsDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Failed attempts back off per account and per client (429 with Retry-After)."""
    return Token(access_token=security.login(session, settings, form.username, form.password,
                                             client_address(request)))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, session: SessionDep, user: CurrentUser) -> None:
    """Revokes every token of this account (all devices); log in again to continue."""
    security.logout(session, user, client_address(request))


@router.get("/users/me", response_model=UserPublic)
def me(user: CurrentUser) -> User:
    return user


@router.post("/users/me/password", status_code=status.HTTP_204_NO_CONTENT,
             responses=THROTTLED)
def change_password(body: PasswordChange, request: Request, session: SessionDep,
                    settings: SettingsDep, user: CurrentUser) -> None:
    """Revokes every token of this account, including the one sent: log in again."""
    security.change_password(session, settings, user, body.current_password,
                             body.new_password, client_address(request))
