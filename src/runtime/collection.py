"""Garbage collection tuned for long batch work.

A rebuild or the relay decodes millions of short-lived, acyclic objects (events, rows, records)
while holding long-lived ones (folded enrollments, producer buffers). With CPython's default
thresholds (700, 10, 10) the collector then walks every long-lived object again and again: a
fifth of a rebuild's time here. While such work runs, young objects are collected less often
(reference counting still frees acyclic garbage at once); the thresholds are restored after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLDS = (20_000, 100, 100)


@contextmanager
def batch_collection() -> Iterator[None]:
    """Run the block with `BATCH_THRESHOLDS`, then put the previous thresholds back."""
    previous = gc.get_threshold()
    gc.set_threshold(*BATCH_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
