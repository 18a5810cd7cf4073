"""Errors raised by the dispatch engine."""

from __future__ import annotations


class DispatchError(Exception):
    """Base class of every error the dispatch engine raises on purpose."""


class ProblemError(DispatchError):
    """The problem (or a merge request) is invalid.

    ``messages`` lists every problem found, each naming the offending task, officer or
    depot id, so an API can answer 422 with all of them at once.
    """

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("invalid dispatch problem: " + "; ".join(self.messages))


class TravelError(DispatchError):
    """A travel-time provider could not produce a matrix (e.g. OSRM unreachable)."""
