"""Runs the read models: catch up from each tracked position (or keep following the store until
SIGTERM/SIGINT), report each one's position and lag, and rebuild one from zero.

Every step is `tracking.process_next_batch`: at most `batch_size` notifications read, the view's
rows and the position written in one transaction, so memory stays constant and a run killed at
any point resumes from the last committed batch.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

from ..domain.ledger import Ledger
from . import balance, coverage, delinquency, schedule, terminations, timelines
from .tracking import Projection, ensure_tables, head, positions, process_next_batch, reset

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
) -> int | None:
    """Process batches until the projection reaches the head (or `stop` is set); returns the
    last position it committed (None when it was already current)."""
    last: int | None = None
    while stop is None or not stop.is_set():
        position = process_next_batch(ledger, projection, batch_size)
        if position is None:
            break
        last = position
        if progress is not None:
            progress(projection.name, position, head(ledger))
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
) -> dict[str, int]:
    """Bring the projections up to the store's head; with `follow`, keep polling the
    notification log every `poll_seconds` until SIGTERM/SIGINT (or `stop` is set). Returns each
    projection's position."""
    selected = select_projections(names)
    ensure_tables(ledger, [p.name for p in selected])
    stop = stop or threading.Event()
    with _stop_on_signals(stop, follow):
        while True:
            for projection in selected:
                catch_up(ledger, projection, batch_size, progress, stop)
            if not follow or stop.wait(poll_seconds):
                break
    tracked = positions(ledger)
    return {p.name: tracked.get(p.name, 0) for p in selected}


def rebuild(
    ledger: Ledger,
    name: str | None = None,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, int]:
    """Drop the projection's rows and position (all projections when `name` is None) and
    rebuild from the first event, in batches. Until it reaches the head, queries fold events."""
    selected = select_projections([name] if name else None)
    ensure_tables(ledger, [p.name for p in selected])
    for projection in selected:
        reset(ledger, projection)
        catch_up(ledger, projection, batch_size, progress)
    tracked = positions(ledger)
    return {p.name: tracked.get(p.name, 0) for p in selected}


def status(ledger: Ledger) -> list[dict[str, Any]]:
    """Each read model's position, the store's head and the lag between them."""
    ensure_tables(ledger, list(PROJECTIONS))
    tracked = positions(ledger)
    top = head(ledger)
    rows: list[dict[str, Any]] = []
    for name in PROJECTIONS:
        position = tracked.get(name, 0)
        rows.append({"name": name, "position": position, "head": top, "lag": top - position})
    rows.append(schedule.schedule_status(ledger))
    return rows


@contextmanager
def _stop_on_signals(stop: threading.Event, install: bool) -> Iterator[None]:
    """While following, SIGTERM and SIGINT finish the current batch and stop."""
    if not install or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
