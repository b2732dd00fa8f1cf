"""The coverage read model: each enrollment's `coverage_view` (the answer of `coverage`), with
its status as a column."""

from __future__ import annotations

from typing import Any

from ..domain.ledger import Ledger
from .folding import Batch
from .stored_views import StoredViewProjection, view_table

NAME = "coverage"

COVERAGE = view_table("ledger_coverage")

PROJECTION = StoredViewProjection(NAME, COVERAGE, Batch.coverage_view)


def current_coverage(ledger: Ledger, enrollment_id: str) -> dict[str, Any] | None:
    """The projected coverage answer, or None when the projection is not current."""
    return PROJECTION.current(ledger, enrollment_id)
