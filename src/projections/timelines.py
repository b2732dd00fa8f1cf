"""The household timelines read model: one row per event of a household, its enrollments and its
appeals (every aggregate's first event names its household), with its store position, so a
timeline is read in store order without loading the household."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Date, Integer, String, Table, select
from sqlalchemy.orm import Session

from ..domain.events import event_id
from ..domain.ledger import Ledger
from ..runtime.columns import bigint
from .folding import Positioned, batch_of
from .tracking import METADATA, insert_rows, iso, read_rows

NAME = "timelines"

TIMELINES = Table(
    "ledger_timelines",
    METADATA,
    Column("household_id", String(200), primary_key=True),
    Column("position", bigint(), primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("aggregate_id", String(36), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("type", String(100), nullable=False),
    Column("on", Date(), nullable=True),
)


def timeline_events(
    positioned: Iterable[tuple[int, Any]], known_at: datetime | None = None
) -> list[Any]:
    """Events with their store positions -> the events in store order, ignoring those recorded
    after `known_at` (the `timeline` query's fold)."""
    ordered = sorted(positioned, key=lambda item: item[0])
    return [e for _p, e in ordered if known_at is None or e.timestamp <= known_at]


class TimelinesProjection:
    name = NAME
    tables: Sequence[Table] = (TIMELINES,)

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        shared = batch_of(ledger, batch)
        rows: list[dict[str, Any]] = []
        for item in shared:
            event = item.event
            aggregate_id = event.originator_id
            rows.append(
                {
                    "household_id": shared.household_of(event),
                    "position": item.position,
                    "event_id": event_id(aggregate_id, event.originator_version),
                    "aggregate_id": str(aggregate_id),
                    "version": event.originator_version,
                    "type": type(event).__name__,
                    "on": event.on,
                }
            )
        insert_rows(session, TIMELINES, rows)


PROJECTION = TimelinesProjection()


def timeline_rows(ledger: Ledger, household_id: str) -> list[dict[str, Any]]:
    """The household's events in store order: position, event id, aggregate, version, type, on."""
    query = (
        select(TIMELINES)
        .where(TIMELINES.c.household_id == household_id)
        .order_by(TIMELINES.c.position)
    )
    return [
        {
            "position": int(r["position"]),
            "event_id": r["event_id"],
            "aggregate_id": r["aggregate_id"],
            "version": int(r["version"]),
            "type": r["type"],
            "on": iso(r["on"]),
        }
        for r in read_rows(ledger, query)
    ]
