"""Stopping a long-running loop (the relay, the consumer, `projections run --follow`) cleanly."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def stop_on_signals(stop: threading.Event, install: bool = True) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT set `stop` (the loop finishes its current batch,
    then stops) instead of raising; the previous handlers are put back after. Handlers are
    installed only when `install` is true and in the main thread (the only one Python lets set
    them)."""
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
