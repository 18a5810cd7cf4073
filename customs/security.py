"""Passwords (Argon2 via pwdlib), bearer tokens (JWT via PyJWT), login throttling and the
account trail.

* Login costs one Argon2 verification whether or not the username exists (a dummy hash stands
  in for unknown users), so timing does not reveal which accounts exist.
* Failed logins are counted per account and per client address; past a free allowance each
  further failure doubles the wait (429 with Retry-After), up to a cap. While locked, even the
  right password is refused. Failures are written (and committed) before the 401 goes out.
* Every token carries `exp` and the user's session version; logout, a password change,
  disabling or deleting the account bump the version, so every earlier token stops working.
* Tokens also carry the role and enterprise, so hot read paths (`authenticate_caller`) check
  them against a per-process memory of the session version (`customs.session_cache`, about a
  second old at most) instead of reading the account on every request.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import case, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from customs import session_cache, transaction
from customs.errors import Throttled, Unauthorized
from customs.session_cache import AccountState, SessionCache
from customs.settings import Settings
from models import LoginThrottle, Role, SecurityEvent, User, as_utc, utcnow

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~50 ms per login.
_hasher = PasswordHash((Argon2Hasher(memory_cost=19_456, time_cost=2, parallelism=1),))
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("exp", "iat", "sub")
# Verified against when the username is unknown, so that a miss costs as much as a hit.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))
MAX_NAME = 64


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)


# --- tokens ---

def create_access_token(user_id: int, secret: str, minutes: int, session_version: int = 0,
                        role: Role | None = None, enterprise_id: int | None = None) -> str:
    now = utcnow()
    claims: dict[str, object] = {"sub": str(user_id), "iat": now,
                                 "exp": now + timedelta(minutes=minutes), "sv": session_version}
    if role is not None:
        claims["rl"] = role.value
        claims["ent"] = enterprise_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# Tokens whose signature checked out, with their claims: a token is sent with every request,
# and decoding it (base64, JSON, HMAC in Python) costs more than the rest of a lookup. A hit
# still checks the expiry; revocation is the session version's business, not this memory's.
_VERIFIED: dict[tuple[str, str], dict[str, object]] = {}
_VERIFIED_MAX = 4096


def _claims(token: str, secret: str) -> dict[str, object]:
    claims = _VERIFIED.get((token, secret))
    if claims is not None and time.time() < float(str(claims["exp"])):
        return claims
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": list(REQUIRED_CLAIMS)})
    except jwt.PyJWTError as exc:
        raise Unauthorized("the bearer token is invalid or expired; log in again") from exc
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(token, secret)] = claims
    return claims


def token_looks_valid(token: str, secret: str) -> bool:
    """Signature and expiry only, no database: lets the edge refuse junk before reading a body."""
    try:
        _claims(token, secret)
    except Unauthorized:
        return False
    return True


def _subject(claims: dict[str, object]) -> tuple[int, int]:
    """(user id, session version) of a decoded token."""
    try:
        return int(str(claims["sub"])), int(str(claims.get("sv", 0)))
    except ValueError as exc:
        raise Unauthorized("the bearer token is invalid or expired; log in again") from exc


def _refuse_unless_current(usable: bool, token_version: int, version: int) -> None:
    if not usable:
        raise Unauthorized("this account no longer exists or is disabled")
    if token_version != version:
        raise Unauthorized("this token was revoked (logged out or password changed); "
                           "log in again")


def authenticate_token(session: Session, token: str, settings: Settings) -> User:
    """The user a bearer token stands for, if the token is genuine, unexpired and not revoked."""
    user_id, version = _subject(_claims(token, settings.secret_key))
    user = session.get(User, user_id)
    if user is None:
        raise Unauthorized("this account no longer exists or is disabled")
    _refuse_unless_current(user.is_active and user.deleted_at is None, version,
                           user.session_version)
    return user


@dataclass(frozen=True)
class Caller:
    """Who sent a request, for read paths that need only the role and the enterprise."""

    id: int
    role: Role
    enterprise_id: int | None


def account_state(session: Session, user_id: int) -> AccountState | None:
    """The columns a token check needs (one small query, no ORM object)."""
    row = session.exec(select(User.session_version, User.is_active, User.deleted_at,
                              User.role, User.enterprise_id)
                       .where(User.id == user_id)).first()
    if row is None:
        return None
    version, active, deleted_at, role, enterprise_id = row
    return AccountState(version, bool(active) and deleted_at is None, Role(role), enterprise_id)


def caller_claims(token: str, settings: Settings) -> tuple[int, int, Caller | None]:
    """(user id, session version, the caller as the token states it or None for tokens that
    carry no role). Checks signature and expiry only; `check_caller` does the rest."""
    claims = _claims(token, settings.secret_key)
    user_id, version = _subject(claims)
    stated = None
    if "rl" in claims:
        try:
            enterprise = claims.get("ent")
            stated = Caller(user_id, Role(str(claims["rl"])),
                            None if enterprise is None else int(str(enterprise)))
        except ValueError as exc:
            raise Unauthorized("the bearer token is invalid or expired; log in again") from exc
    return user_id, version, stated


def remembered_state(cache: SessionCache, user_id: int, version: int) -> AccountState | None:
    """The remembered account state, if it can decide on a token of this version: a token
    newer than what is remembered (a login since) needs a fresh read."""
    state = cache.recall(user_id)
    if state is None or version > state.session_version:
        return None
    return state


def check_caller(user_id: int, version: int, stated: Caller | None,
                 state: AccountState | None) -> Caller:
    """The caller, if the account exists, is usable and the token's version is current."""
    if state is None:
        raise Unauthorized("this account no longer exists or is disabled")
    _refuse_unless_current(state.usable, version, state.session_version)
    return stated or Caller(user_id, state.role, state.enterprise_id)


def issue_token(user: User, settings: Settings) -> str:
    assert user.id is not None
    return create_access_token(user.id, settings.secret_key, settings.token_minutes,
                               user.session_version, Role(user.role), user.enterprise_id)


def revoke_tokens(session: Session, user: User, action: str, actor: User | None = None,
                  client: str = "") -> None:
    """Every token issued to the user so far stops working (flushed; the caller commits)."""
    user.session_version += 1
    session.add(user)
    record_event(session, action, user.username, user=user, actor=actor, client=client)
    session.flush()
    if user.id is not None:  # this process sees the revocation at once, others within a second
        session_cache.forget_after_commit(session, user.id)


def logout(session: Session, user: User, client: str) -> None:
    """Ends every session of the account (all devices)."""
    revoke_tokens(session, user, "logout", actor=user, client=client)
    transaction.commit(session)


# --- the account trail ---

def record_event(session: Session, action: str, username: str, *, user: User | None = None,
                 actor: User | None = None, client: str = "", detail: str = "") -> None:
    session.add(SecurityEvent(action=action, username=username[:MAX_NAME],
                              user_id=user.id if user else None,
                              actor_id=actor.id if actor else None, client=client[:64],
                              detail=detail[:300]))


# --- login with throttling ---

def _throttle_keys(username: str, client: str) -> list[str]:
    return [f"user:{username.lower()[:MAX_NAME]}", f"client:{client[:64]}"]


def _wait_s(row: LoginThrottle, now: datetime) -> int:
    if row.locked_until is None:
        return 0
    remaining = (as_utc(row.locked_until) - now).total_seconds()
    return max(0, int(remaining + 0.999))


def _check_throttle(session: Session, keys: list[str], now: datetime) -> None:
    waits = [_wait_s(row, now) for key in keys
             if (row := session.get(LoginThrottle, key)) is not None]
    wait = max(waits, default=0)
    if wait > 0:
        raise Throttled(f"too many failed logins; try again in {wait} s", retry_after_s=wait)


def _upsert(session: Session) -> Any:
    """The dialect's INSERT that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert
    return sqlite_insert


def _count_failure(session: Session, settings: Settings, key: str, now: datetime) -> None:
    """One more failure under `key`, counted atomically (ON CONFLICT DO UPDATE), so parallel
    guesses can neither lose counts nor collide on the first insert."""
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    window_start = now - timedelta(seconds=settings.login_failure_window_s)
    statement = _upsert(session)(table).values(key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((table.c.last_failure_at < window_start, 1),
                               else_=table.c.failures + 1),
              "last_failure_at": now},
    ).returning(table.c.failures)
    failures = int(session.execute(statement).scalar_one())
    free = (settings.login_free_failures if key.startswith("user:")
            else settings.login_client_free_failures)
    if failures >= free:
        doublings = min(failures - free, 30)
        wait = min(settings.login_backoff_max_s, settings.login_backoff_base_s * 2 ** doublings)
        until = now + timedelta(seconds=wait)
        session.execute(update(table).where(
            table.c.key == key,
            or_(table.c.locked_until.is_(None), table.c.locked_until < until),
        ).values(locked_until=until))


def _forget_account_failures(session: Session, username: str) -> None:
    row = session.get(LoginThrottle, _throttle_keys(username, "")[0])
    if row is not None:
        session.delete(row)


def login(session: Session, settings: Settings, username: str, password: str,
          client: str) -> str:
    """A bearer token for the right password; commits the failure record before refusing."""
    now = utcnow()
    keys = _throttle_keys(username, client)
    try:
        _check_throttle(session, keys, now)
    except Throttled:
        record_event(session, "login_throttled", username, client=client)
        transaction.commit(session)
        raise
    user = session.exec(select(User).where(User.username == username)).first()
    password_ok = verify_password(password, user.hashed_password if user else DUMMY_HASH)
    if user is None or not password_ok or user.deleted_at is not None:
        for key in keys:
            _count_failure(session, settings, key, now)
        record_event(session, "login_failed", username, user=user, client=client,
                     detail="unknown username" if user is None else "wrong password")
        transaction.commit(session)
        raise Unauthorized("wrong username or password")
    if not user.is_active:
        record_event(session, "login_failed", username, user=user, client=client,
                     detail="account disabled")
        transaction.commit(session)
        raise Unauthorized("this account is disabled")
    _forget_account_failures(session, username)
    token = issue_token(user, settings)
    transaction.commit(session)
    return token


def change_password(session: Session, settings: Settings, user: User, current: str,
                    new: str, client: str) -> None:
    """Needs the current password; revokes every token, including the one used to ask."""
    now = utcnow()
    keys = _throttle_keys(user.username, client)
    _check_throttle(session, keys, now)
    if not verify_password(current, user.hashed_password):
        for key in keys:
            _count_failure(session, settings, key, now)
        record_event(session, "password_change_failed", user.username, user=user,
                     client=client)
        transaction.commit(session)
        raise Unauthorized("the current password is wrong")
    user.hashed_password = hash_password(new)
    revoke_tokens(session, user, "password_changed", actor=user, client=client)
    transaction.commit(session)
