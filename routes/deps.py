"""Request-scoped dependencies: settings, one session (one transaction) per request, the user."""

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from customs import jobs, session_cache, transaction
from customs.errors import Forbidden, Unauthorized
from customs.security import (
    Caller,
    account_state,
    authenticate_token,
    caller_claims,
    check_caller,
    remembered_state,
)
from customs.session_cache import AccountState
from customs.settings import Settings
from customs.storage import BlobStore
from models import Role, User

log = logging.getLogger(__name__)
oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


# Dependencies that do no blocking work are `async def`: a sync dependency costs a trip to the
# thread pool on every request.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """The request's session. The use case it calls commits before the endpoint returns, so a
    2xx is only ever sent for a committed change; whatever is left uncommitted here (an error,
    or a read) is rolled back."""
    with request_session(request) as session:
        yield session


@contextmanager
def request_session(request: Request) -> Iterator[Session]:
    """`get_session` for a sync endpoint to open itself, in its own worker thread: a generator
    dependency costs two more thread hops (open, close) per request."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        jobs.bind_notifier(session, request.app.state.notifier)
        session_cache.bind(session, request.app.state.session_cache)
        try:
            yield session
        finally:
            try:
                transaction.rollback(session)
            except SQLAlchemyError:  # the connection died; the pool drops it
                log.warning("rollback on a broken database connection", exc_info=True)


async def get_store(request: Request) -> BlobStore:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
StoreDep = Annotated[BlobStore, Depends(get_store)]


def get_current_user(session: SessionDep, settings: SettingsDep,
                     token: Annotated[str | None, Depends(oauth2)]) -> User:
    if not token:
        raise Unauthorized("log in first: send 'Authorization: Bearer <token>' from /auth/token")
    return authenticate_token(session, token, settings)


CurrentUser = Annotated[User, Depends(get_current_user)]


def _read_account_state(engine: Engine, user_id: int) -> AccountState | None:
    with Session(engine) as session:  # a read: closing the session rolls back
        return account_state(session, user_id)


async def get_caller(request: Request, token: Annotated[str | None, Depends(oauth2)]
                     ) -> Caller:
    """For hot paths: the token's caller, checked against the session version this process
    remembers (refreshed about once a second per account, see customs.session_cache); no
    database session and no thread hop while it is remembered."""
    if not token:
        raise Unauthorized("log in first: send 'Authorization: Bearer <token>' from /auth/token")
    user_id, version, stated = caller_claims(token, request.app.state.settings)
    cache = request.app.state.session_cache
    state = remembered_state(cache, user_id, version)
    if state is None:
        state = await run_in_threadpool(_read_account_state, request.app.state.engine, user_id)
        if state is not None:
            cache.remember(user_id, state)
    return check_caller(user_id, version, stated, state)


def require(*roles: Role) -> Callable[[User], Awaitable[User]]:
    allowed = ", ".join(r.value for r in roles)

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"this needs the role {allowed}; you are {user.role}")
        return user

    return check


# The role checks of `require_caller`: each needs a login (routes.limits refuses anonymous
# callers of their routes before reading a body).
CALLER_CHECKS: set[Callable[..., Awaitable[Caller]]] = set()


def require_caller(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """`get_caller` and the role check in one dependency: FastAPI's cost per request grows
    with the number of dependencies solved, and these guard the hot paths."""
    allowed = ", ".join(r.value for r in roles)

    async def check(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Caller:
        caller = await get_caller(request, token)
        if caller.role not in roles:
            raise Forbidden(f"this needs the role {allowed}; you are {caller.role}")
        return caller

    CALLER_CHECKS.add(check)
    return check


Admin = Annotated[User, Depends(require(Role.admin))]
Officer = Annotated[User, Depends(require(Role.officer))]
Exporter = Annotated[User, Depends(require(Role.exporter))]
ExporterOrOfficer = Annotated[User, Depends(require(Role.exporter, Role.officer))]
PortOrOfficer = Annotated[User, Depends(require(Role.port_operator, Role.officer))]
PortOperator = Annotated[User, Depends(require(Role.port_operator))]
# Hot paths: the caller from the token, no account query (see get_caller).
PortOrOfficerCaller = Annotated[Caller, Depends(require_caller(Role.port_operator,
                                                               Role.officer))]
ExporterOrOfficerCaller = Annotated[Caller, Depends(require_caller(Role.exporter,
                                                                   Role.officer))]
ExporterCaller = Annotated[Caller, Depends(require_caller(Role.exporter))]

MAX_ID = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
