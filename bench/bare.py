"""The bare `eventsourcing` baseline of the apply figure: the same events, in the same
per-command groups over the same aggregate ids, saved by a plain Application."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

Shape = list[tuple[UUID, int]]
"""The aggregates a command recorded events for, and how many each (in order)."""


class Thing(Aggregate):
    @event("Opened")
    def __init__(self, key: UUID, payload: str) -> None:
        self.payload = payload

    @staticmethod
    def create_id(key: UUID, payload: str) -> UUID:
        return key

    @event("Happened")
    def happened(self, payload: str) -> None:
        self.payload = payload


class Bare(Application):  # type: ignore[type-arg]
    name = "Bare"

    def replay(self, shapes: Sequence[Shape], payload: str) -> float:
        """Load (or create) each command's aggregates, trigger its event counts and save them
        in one `save`; the seconds it took."""
        known: set[UUID] = set()
        started = time.perf_counter()
        for shape in shapes:
            things: list[Any] = []
            for aggregate_id, count in shape:
                remaining = count
                if aggregate_id in known:
                    thing: Any = self.repository.get(aggregate_id)
                else:
                    thing = Thing(aggregate_id, payload)
                    known.add(aggregate_id)
                    remaining -= 1
                for _ in range(remaining):
                    thing.happened(payload)
                things.append(thing)
            if things:
                self.save(*things)
        return time.perf_counter() - started


def bare_application(sqlalchemy_url: str) -> Bare:
    return Bare(
        env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": sqlalchemy_url}
    )
