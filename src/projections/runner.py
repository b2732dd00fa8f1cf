"""Runs the read models: catch up from each tracked position (or keep following the store until
SIGTERM/SIGINT), report each one's position and lag, and rebuild one from zero (aggregate by
aggregate, see `rebuild`).

Every step is `tracking.process_together`: at most `batch_size` notifications read and decoded
once for every read model at the same position, their rows and positions written in one
transaction, so memory stays constant and a run killed at any point resumes from the last
committed batch. A run keeps the enrollments it folded in a size-bounded cache
(`folding.Folds`), so each batch folds only its own events forward.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

from ..domain.ledger import Ledger
from ..runtime.collection import batch_collection
from ..runtime.outage import STORE_ERRORS, Outage
from ..runtime.signals import stop_on_signals
from . import balance, coverage, delinquency, schedule, terminations, timelines
from .folding import DEFAULT_CACHE_SIZE, Folds
from .store import recorder_of
from .tracking import (
    REBUILDING,
    Projection,
    RebuildPending,
    ensure_tables,
    head,
    positions,
    process_together,
    reset,
    set_positions,
    write_batch,
)

PROJECTIONS: dict[str, Projection] = {
    p.name: p
    for p in (
        coverage.PROJECTION,
        balance.PROJECTION,
        delinquency.PROJECTION,
        terminations.PROJECTION,
        timelines.PROJECTION,
    )
}
"""The projected read models, by name (the schedule index is kept by the recorder itself)."""

NAMES: tuple[str, ...] = (*PROJECTIONS, schedule.NAME)

Progress = Callable[[str, int, int], None]
"""Called as `progress(name, position, head)` after each batch."""

DEFAULT_BATCH_SIZE = 500
REBUILD_BATCH_SIZE = 20000
"""About how many events a rebuild writes per transaction (groups of whole aggregates)."""
DEFAULT_POLL_SECONDS = 1.0


class UnknownProjection(ValueError):
    pass


def select_projections(names: Sequence[str] | None) -> list[Projection]:
    """The named projections (all when None or empty); the schedule index is skipped."""
    if not names:
        return list(PROJECTIONS.values())
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise UnknownProjection(
            f"unknown projection {', '.join(unknown)}; one of {', '.join(NAMES)}"
        )
    return [PROJECTIONS[n] for n in dict.fromkeys(names) if n in PROJECTIONS]


def catch_up(
    ledger: Ledger,
    projection: Projection,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    folds: Folds | None = None,
) -> int | None:
    """Process batches until the projection reaches the head (or `stop` is set); returns the
    last position it committed (None when it was already current)."""
    return catch_up_together(ledger, [projection], batch_size, progress, stop, folds)


def catch_up_together(
    ledger: Ledger,
    projections: Sequence[Projection],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    folds: Folds | None = None,
) -> int | None:
    """Bring the projections to the head (or until `stop` is set), processing those at the
    same position together: the ones behind catch up alone until they reach the next one's
    position and join it. Returns the last position committed (None when all were current)."""
    folds = folds if folds is not None else Folds(ledger)
    last: int | None = None
    while stop is None or not stop.is_set():
        moved = process_together(ledger, projections, batch_size, folds)
        if moved is None:
            break
        names, last = moved
        if progress is not None:
            top = head(ledger)
            for name in names:
                progress(name, last, top)
    return last


def run(
    ledger: Ledger,
    names: Sequence[str] | None = None,
    follow: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    *,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    stop: threading.Event | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
    outage_seconds: float = 300.0,
) -> dict[str, int]:
    """Bring the projections up to the store's head; with `follow`, keep polling the
    notification log every `poll_seconds` until SIGTERM/SIGINT (or `stop` is set). Returns each
    projection's position. Folded enrollments are kept between batches (at most `cache_size`).
    While following, an unreachable store is retried with bounded backoff for `outage_seconds`,
    and a projection being rebuilt (`RebuildPending`) is waited for; without `follow`, both
    are raised."""
    selected = select_projections(names)
    ensure_tables(ledger, [p.name for p in selected])
    stop = stop or threading.Event()
    folds = Folds(ledger, cache_size)
    outage = Outage("store", outage_seconds, stop, _say)
    waiting: str | None = None
    with stop_on_signals(stop, install=follow), batch_collection():
        while True:
            try:
                catch_up_together(ledger, selected, batch_size, progress, stop, folds)
            except STORE_ERRORS as e:
                if not follow:
                    raise
                outage.failed(e)  # a batch that failed wrote nothing: try it again
                continue
            except RebuildPending as e:
                if not follow:
                    raise
                if str(e) != waiting:
                    waiting = str(e)
                    _say(f"waiting for a rebuild: {e}")
                if stop.wait(poll_seconds):
                    break
                continue
            waiting = None
            outage.recovered()
            if not follow or stop.wait(poll_seconds):
                break
    tracked = positions(ledger)
    return {p.name: tracked.get(p.name, 0) for p in selected}


def rebuild(
    ledger: Ledger,
    name: str | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
    *,
    cache_size: int = 1,
) -> dict[str, int]:
    """Drop the projection's rows (all projections' when `name` is None) and rebuild them from
    the first event up to the store's head at the start, all of them together, aggregate by
    aggregate: each transaction writes the rows of a group of aggregates (about `batch_size`
    events, `REBUILD_BATCH_SIZE` by default, read with `select_aggregates` and decoded once), every aggregate folded once from its
    first event. Every read model's rows depend only on its own aggregates' events, so the result
    is the one the position-ordered `run` gives, without keeping every live enrollment folded
    between batches (which a store with more enrollments than the fold cache would thrash).

    Meanwhile the positions say `REBUILDING` (queries fold; `run` refuses); the last transaction
    sets them to that head, and `run` goes on from there. An interrupted rebuild is finished by
    running it again. (`cache_size`: no fold is needed past its own group.)"""
    selected = select_projections([name] if name else None)
    ensure_tables(ledger, [p.name for p in selected])
    recorder = recorder_of(ledger)
    top = head(ledger)
    reset(ledger, *selected, position=REBUILDING)
    folds = Folds(ledger, cache_size)
    extents = recorder.aggregate_extents(top)
    total, done = sum(count for _a, count in extents), 0
    with batch_collection():
        for group in aggregate_groups(extents, batch_size or REBUILD_BATCH_SIZE):
            notifications = recorder.select_aggregates(group, through=top)
            with recorder.write_transaction() as session:
                write_batch(session, ledger, selected, notifications, folds)
            done += len(notifications)
            if progress is not None:
                for projection in selected:
                    progress(projection.name, done, total)
    with recorder.write_transaction() as session:
        set_positions(session, selected, top)
    tracked = positions(ledger)
    return {p.name: tracked.get(p.name, 0) for p in selected}


MAX_GROUP_AGGREGATES = 2000
"""At most this many aggregates in one rebuild transaction (the size of its `IN` list)."""


def aggregate_groups(extents: Sequence[tuple[UUID, int]], batch_size: int) -> Iterator[list[UUID]]:
    """Consecutive aggregates, each group with about `batch_size` events (at least one
    aggregate, at most `MAX_GROUP_AGGREGATES`)."""
    group: list[UUID] = []
    events = 0
    for aggregate_id, count in extents:
        group.append(aggregate_id)
        events += count
        if events >= batch_size or len(group) >= MAX_GROUP_AGGREGATES:
            yield group
            group, events = [], 0
    if group:
        yield group


def status(ledger: Ledger) -> list[dict[str, Any]]:
    """Each read model's position, the store's head, the lag between them and its state:
    `current` (at the head: queries read it), `behind` or `rebuilding` (a rebuild is running or
    was interrupted; the lag then counts every event)."""
    ensure_tables(ledger, list(PROJECTIONS))
    tracked = positions(ledger)
    top = head(ledger)
    rows: list[dict[str, Any]] = []
    for name in PROJECTIONS:
        position = tracked.get(name, 0)
        state = (
            "rebuilding" if position == REBUILDING else "current" if position >= top else "behind"
        )
        lag = top if position == REBUILDING else top - position
        rows.append({"name": name, "position": position, "head": top, "lag": lag, "state": state})
    rows.append(schedule.schedule_status(ledger))
    return rows


def _say(message: str) -> None:
    print(f"projections: {message}", file=sys.stderr, flush=True)
