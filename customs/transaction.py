"""The unit of work: use cases commit, and what must happen after the commit runs after it.

A use case changes state through the domain services (which only flush), then calls `commit`.
Anything that must not happen unless the change is durable (waking a worker, publishing to the
broker) is registered with `after_commit` and runs only once the commit has succeeded.
"""

import logging
from collections.abc import Callable

from sqlmodel import Session

log = logging.getLogger(__name__)
_AFTER_COMMIT = "clearlane.after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def commit(session: Session) -> None:
    session.commit()
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # the change is committed; a failed notification is retried later
            log.exception("after-commit callback failed")


def rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    session.rollback()
