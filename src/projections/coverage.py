"""The coverage read model: each enrollment's `coverage_view` (the answer of `coverage`), kept
current by folding every enrollment a batch touched forward with the domain's fold (the batch's
folds and views are shared with the balance read model, see `folding.Batch`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, String, Table, Text
from sqlalchemy.orm import Session

from ..domain.ledger import Ledger
from .folding import batch_of
from .tracking import METADATA, Positioned, current_view, replace_enrollment_rows

NAME = "coverage"

COVERAGE = Table(
    "ledger_coverage",
    METADATA,
    Column("enrollment_id", String(200), primary_key=True),
    Column("household_id", String(200), nullable=False, index=True),
    Column("status", String(40), nullable=False, index=True),
    Column("view", Text(), nullable=False),
)


class CoverageProjection:
    name = NAME
    tables: Sequence[Table] = (COVERAGE,)

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        shared = batch_of(ledger, batch)
        rows: list[dict[str, Any]] = []
        for folded in shared.enrollments():
            enrollment = folded.state
            view = shared.coverage_view(folded)
            rows.append(
                {
                    "enrollment_id": enrollment.enrollment_id,
                    "household_id": enrollment.household_id,
                    "status": enrollment.status,
                    "view": json.dumps(view),
                }
            )
        replace_enrollment_rows(session, COVERAGE, [r["enrollment_id"] for r in rows], rows)


PROJECTION = CoverageProjection()


def current_coverage(ledger: Ledger, enrollment_id: str) -> dict[str, Any] | None:
    """The projected coverage answer, or None when the projection is not current."""
    return current_view(ledger, NAME, COVERAGE, enrollment_id)
