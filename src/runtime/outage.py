"""Bounded backoff while a server is unreachable, for the long-running loops (relay, projections):
wait 0.5 s, doubling to 8 s, and give up (re-raise) once the outage has lasted `limit_seconds`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from eventsourcing.persistence import PersistenceError
from sqlalchemy.exc import SQLAlchemyError

STORE_ERRORS = (PersistenceError, SQLAlchemyError)
"""What the store raises when it cannot be reached (or refuses a statement)."""


class Outage:
    def __init__(
        self,
        what: str,
        limit_seconds: float = 300.0,
        stop: threading.Event | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.what = what
        self.limit_seconds = limit_seconds
        self.stop = stop or threading.Event()
        self.say = say
        self.began: float | None = None
        self.retries = 0

    def failed(self, error: Exception) -> None:
        """Wait before the next try; re-raise `error` when the outage has lasted too long."""
        now = time.monotonic()
        if self.began is None:
            self.began = now
        waited = now - self.began
        if waited > self.limit_seconds:
            raise error
        delay = min(8.0, 0.5 * 2**self.retries)
        self.retries += 1
        if self.say is not None:
            self.say(f"{self.what} unavailable for {waited:.0f} s; retrying in {delay:.1f} s")
        self.stop.wait(delay)

    def recovered(self) -> None:
        self.began = None
        self.retries = 0
