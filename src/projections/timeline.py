"""A household's timeline: every event of the household, its enrollments and its appeals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any


def timeline_events(
    positioned: Iterable[tuple[int, Any]], known_at: datetime | None = None
) -> list[Any]:
    """The events in store order, ignoring those recorded after `known_at`."""
    ordered = sorted(positioned, key=lambda item: item[0])
    return [e for _p, e in ordered if known_at is None or e.timestamp <= known_at]
