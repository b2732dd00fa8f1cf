"""Tracked positions, and the one-transaction-per-batch step every read model is written by.

A read model (`Projection`) owns some tables and a row in `ledger_projection_positions`
(`name` -> the last notification id it has processed). `process_next_batch` reads the next
notifications after that position, lets the read model write its rows, and moves the position,
all in one write transaction of the ledger's own recorder (on SQLite `BEGIN IMMEDIATE`; on
PostgreSQL the position row is locked `FOR UPDATE`, so two runners never process the same batch).
A crash therefore never leaves a view ahead of or behind its position. Read models at the same
position are processed together (`process_together`): the batch is read and decoded once, and
every one of them writes its rows and moves its position in the same transaction.

The positions table is the ledger's own rather than the library's `SQLAlchemyTrackingRecorder`:
a rebuild has to reset a position (the library's tracking recorder only moves forward), and its
`_insert_tracking` checks for a duplicate in a second session outside the caller's transaction.

Following is done by reading the notification log from the position in batches (the library's
push subscriptions exist only on PostgreSQL), so the same code runs on both stores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, PersistenceError
from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    RowMapping,
    Select,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..domain.ledger import Ledger
from ..runtime.columns import bigint
from .folding import Batch, Folds, Positioned
from .store import recorder_of

METADATA = MetaData()
"""Every read model's tables (each module adds its own)."""


POSITIONS = Table(
    "ledger_projection_positions",
    METADATA,
    Column("name", String(100), primary_key=True),
    Column("position", bigint(), nullable=False),
)


REBUILDING = -1
"""A projection's position while `runner.rebuild` rewrites its rows aggregate by aggregate (or
after such a rebuild was interrupted): no batch is processed for it until a rebuild sets its
position to the head it rebuilt to."""


class RebuildPending(RuntimeError):
    """A projection is being rebuilt, or its rebuild was interrupted."""


class Projection(Protocol):
    """A read model: its name, its tables, and how a batch of events changes its rows."""

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> Sequence[Table]: ...

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        """Write the rows the batch changes, in `session` (the batch's transaction). The runner
        passes a `folding.Batch`, shared by every read model processing it in that transaction
        (`folding.batch_of` turns any other sequence into one)."""


def engine_of(ledger: Ledger) -> Engine:
    engine = recorder_of(ledger).datastore.engine
    if not isinstance(engine, Engine):
        raise TypeError("the ledger's store has no SQLAlchemy engine")
    return engine


def ensure_tables(ledger: Ledger, names: Sequence[str]) -> None:
    """Create the read models' tables (if missing) and a position 0 for each name."""
    METADATA.create_all(engine_of(ledger), checkfirst=True)
    for name in names:
        try:
            with recorder_of(ledger).write_transaction() as session:
                exists = session.execute(
                    select(POSITIONS.c.position).where(POSITIONS.c.name == name)
                ).first()
                if exists is None:
                    session.execute(insert(POSITIONS).values(name=name, position=0))
        except IntegrityError:  # another runner inserted it first
            pass


def head(ledger: Ledger) -> int:
    """The last notification id in the store (0 when empty)."""
    return recorder_of(ledger).max_notification_id() or 0


def positions(ledger: Ledger) -> dict[str, int]:
    with recorder_of(ledger).transaction(commit=False) as session:
        rows = session.execute(select(POSITIONS.c.name, POSITIONS.c.position)).all()
    return {str(name): int(position) for name, position in rows}


def process_next_batch(
    ledger: Ledger, projection: Projection, batch_size: int, folds: Folds | None = None
) -> int | None:
    """Process the notifications after the projection's position (at most `batch_size`) and
    move the position, in one transaction. Returns the new position, or None when caught up."""
    moved = process_together(ledger, [projection], batch_size, folds)
    return None if moved is None else moved[1]


def process_together(
    ledger: Ledger,
    projections: Sequence[Projection],
    batch_size: int,
    folds: Folds | None = None,
) -> tuple[list[str], int] | None:
    """One batch for the projections furthest behind, in one transaction: lock every given
    projection's position, read and decode the notifications after the lowest position (at most
    `batch_size`, and not past the next projection's position, so the laggards join it), let
    each projection at that position write its rows, and move their positions. Returns the names
    moved and their new position, or None when every projection is at the head."""
    if not projections:
        return None
    recorder = recorder_of(ledger)
    names = [p.name for p in projections]
    with recorder.write_transaction() as session:
        rows = session.execute(
            select(POSITIONS.c.name, POSITIONS.c.position)
            .where(POSITIONS.c.name.in_(names))
            .order_by(POSITIONS.c.name)
            .with_for_update()
        ).all()
        tracked = {str(name): int(position) for name, position in rows}
        for name in names:
            if name not in tracked:
                raise LookupError(f"no tracked position for projection {name!r}")
        rebuilding = [name for name in names if tracked[name] == REBUILDING]
        if rebuilding:
            raise RebuildPending(
                f"{', '.join(rebuilding)}: being rebuilt, or a rebuild was interrupted; "
                "run `projections rebuild` to finish it"
            )
        start = min(tracked[name] for name in names)
        members = [p for p in projections if tracked[p.name] == start]
        ahead = [tracked[name] for name in names if tracked[name] > start]
        notifications = recorder.read_notifications(
            start, max(1, batch_size), min(ahead) if ahead else None
        )
        if not notifications:
            return None
        write_batch(
            session, ledger, members, notifications, folds if folds is not None else Folds(ledger)
        )
        end = int(notifications[-1].id)
        set_positions(session, members, end)
        return [p.name for p in members], end


def write_batch(
    session: Session,
    ledger: Ledger,
    projections: Sequence[Projection],
    notifications: Sequence[Any],
    folds: Folds,
) -> None:
    """Decode the notifications once and let each projection write its rows, in `session`."""
    batch = Batch(
        ledger, [Positioned(n.id, ledger.mapper.to_domain_event(n)) for n in notifications], folds
    )
    for projection in projections:
        projection.process(session, ledger, batch)


def replace_enrollment_rows(
    session: Session, table: Table, enrollment_ids: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """Swap a read model's rows of these enrollments for `rows`, in the batch's transaction."""
    if enrollment_ids:
        session.execute(delete(table).where(table.c.enrollment_id.in_(list(enrollment_ids))))
    insert_rows(session, table, rows)


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the rows (each with every column of `table`) in one `executemany` of the driver:
    the statement SQLAlchemy compiles for `insert(table)`, each value converted by its column's
    own bind processor, but without SQLAlchemy's per-row parameter handling (most of the cost of
    writing a rebuild's rows, one timeline row per event)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect)
    names = list(compiled.positiontup or ()) if compiled.positional else list(table.c.keys())
    converters = {
        i: convert
        for i, name in enumerate(names)
        if (convert := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    }
    values = itemgetter(*names)
    tuples: list[Any] = [values(row) for row in rows]
    if len(names) == 1:
        tuples = [(value,) for value in tuples]
    if converters:
        tuples = [_converted(t, converters) for t in tuples]
    parameters = (
        tuples if compiled.positional else [dict(zip(names, t, strict=True)) for t in tuples]
    )
    connection.exec_driver_sql(str(compiled), parameters)


def _converted(values: Sequence[Any], converters: Mapping[int, Any]) -> tuple[Any, ...]:
    converted = list(values)
    for i, convert in converters.items():
        converted[i] = convert(converted[i])
    return tuple(converted)


def reset(ledger: Ledger, *projections: Projection, position: int = 0) -> None:
    """Drop the projections' rows and set their positions (back to 0), in one transaction."""
    with recorder_of(ledger).write_transaction() as session:
        for projection in projections:
            for table in projection.tables:
                session.execute(delete(table))
        set_positions(session, projections, position)


def set_positions(session: Session, projections: Sequence[Projection], position: int) -> None:
    session.execute(
        update(POSITIONS)
        .where(POSITIONS.c.name.in_([p.name for p in projections]))
        .values(position=position)
    )


def current_view(ledger: Ledger, name: str, table: Table, key: str) -> dict[str, Any] | None:
    """The stored JSON `view` of `key` in `table` when the projection `name` is current (its
    position at the store's head); None when it is behind, never run, or holds no such row."""
    recorder = recorder_of(ledger)
    key_column = table.c[table.primary_key.columns.keys()[0]]
    try:
        with recorder.transaction(commit=False) as session:
            tracked = session.execute(
                select(POSITIONS.c.position).where(POSITIONS.c.name == name)
            ).first()
            if tracked is None:
                return None
            row = session.execute(select(table.c.view).where(key_column == key)).first()
            if int(tracked[0]) < head(ledger) or row is None:
                return None
            view: dict[str, Any] = json.loads(row[0])
            return view
    except (PersistenceError, SQLAlchemyError):  # the read model's tables were never created
        return None


def read_rows(ledger: Ledger, query: Select[Any]) -> Sequence[RowMapping]:
    """The rows of a cross-member query of the read models, read in one read transaction."""
    with recorder_of(ledger).transaction(commit=False) as session:
        return session.execute(query).mappings().all()


def iso(day: date | None) -> str | None:
    """A stored date as the answers write it (None stays None)."""
    return day.isoformat() if day is not None else None
