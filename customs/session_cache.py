"""A short-lived, per-process memory of each account's session version, so that the hot read
paths (clearance lookups, listings) authenticate a bearer token without a database query.

Revocation stays in force: logout, a password change, disabling or deleting an account bump the
stored `session_version`. The process that bumps it forgets its entry once the change commits
(so its next request sees the new version at once); every other process notices within
`ttl_s` seconds, when its entry expires. A token carrying a *newer* version than the remembered
one (a fresh login after a bump) always triggers a re-read.
"""

import threading
import time
from dataclasses import dataclass

from sqlmodel import Session

from customs import transaction
from models import Role

DEFAULT_TTL_S = 1.0
_BOUND = "clearlane.session_cache"


@dataclass(frozen=True)
class AccountState:
    """What a token check needs to know about an account."""

    session_version: int
    usable: bool  # active and not deleted
    role: Role
    enterprise_id: int | None


class SessionCache:
    """One per application (its database): user id -> state, each entry kept `ttl_s`."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[int, tuple[AccountState, float]] = {}
        self._lock = threading.Lock()

    def recall(self, user_id: int) -> AccountState | None:
        entry = self._entries.get(user_id)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def remember(self, user_id: int, state: AccountState) -> None:
        with self._lock:
            self._entries[user_id] = (state, time.monotonic() + self.ttl_s)

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._entries.pop(user_id, None)


def bind(session: Session, cache: SessionCache) -> None:
    """The request's session knows the cache, so a revocation made in it can clear the entry."""
    session.info[_BOUND] = cache


def forget_after_commit(session: Session, user_id: int) -> None:
    cache = session.info.get(_BOUND)
    if isinstance(cache, SessionCache):
        transaction.after_commit(session, lambda: cache.forget(user_id))
