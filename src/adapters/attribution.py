"""Who recorded stored events, as the store keeps it: each event's chain link names its actor
(`recorded_by`), outside the event itself, and the hash chain covers it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast
from uuid import UUID

from ..domain.ledger import Ledger

EventKey = tuple[UUID, int]


class _Attributing(Protocol):
    def recorded_by(self, aggregate_ids: Sequence[UUID]) -> dict[EventKey, str | None]: ...


def actors_by_event(ledger: Ledger, aggregate_ids: Iterable[UUID]) -> dict[EventKey, str | None]:
    """Who recorded each stored event of these aggregates, by (aggregate id, version), in one
    read (None for an event recorded before actors were kept)."""
    recorder = cast(_Attributing, ledger.recorder)
    return recorder.recorded_by(list(dict.fromkeys(aggregate_ids)))


def actors_of(ledger: Ledger, events: Sequence[Any]) -> list[str | None]:
    """Who recorded each of these stored events, in their order."""
    known = actors_by_event(ledger, (e.originator_id for e in events))
    return [known.get((e.originator_id, e.originator_version)) for e in events]


def actor_of(known: dict[EventKey, str | None], event: Any) -> str | None:
    return known.get((event.originator_id, event.originator_version))
