"""Read models that store each enrollment's answer to a query (`coverage`, `balance`) as JSON,
with the columns a cross-member question selects by, kept current by folding every enrollment a
batch touched forward with the domain's fold. The views are computed once per batch and shared
by every read model processing it (see `folding.Batch`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, String, Table, Text
from sqlalchemy.orm import Session

from ..domain.ledger import Ledger
from .folding import AnyEnrollment, Batch, Folded, Positioned, batch_of, owner_of
from .tracking import METADATA, current_view, replace_enrollment_rows

View = Callable[[Batch, Folded], dict[str, Any]]
"""The answer for an enrollment, from the batch that folded it (`Batch.coverage_view`, ...)."""

Columns = Callable[[AnyEnrollment, Mapping[str, Any]], dict[str, Any]]
"""The values of a read model's own columns, from the folded enrollment and its answer."""


def view_table(name: str, *columns: Column[Any]) -> Table:
    """A table of one stored answer per enrollment (an individual's or a small group's): its
    id, household (the employer for a small group) and status, the read
    model's own `columns`, and the answer (`view`, JSON)."""
    return Table(
        name,
        METADATA,
        Column("enrollment_id", String(200), primary_key=True),
        Column("household_id", String(200), nullable=False, index=True),
        Column("status", String(40), nullable=False, index=True),
        *columns,
        Column("view", Text(), nullable=False),
    )


def no_columns(_enrollment: AnyEnrollment, _view: Mapping[str, Any]) -> dict[str, Any]:
    return {}


class StoredViewProjection:
    """The read model `name`: `table` (made by `view_table`) holds `view` of every enrollment,
    with the values `columns` gives for the table's own columns."""

    def __init__(self, name: str, table: Table, view: View, columns: Columns = no_columns) -> None:
        self.name = name
        self.table = table
        self.tables: Sequence[Table] = (table,)
        self.view = view
        self.columns = columns

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        shared = batch_of(ledger, batch)
        rows: list[dict[str, Any]] = []
        for folded in shared.enrollments():
            enrollment = folded.state
            view = self.view(shared, folded)
            rows.append(
                {
                    "enrollment_id": enrollment.enrollment_id,
                    "household_id": owner_of(enrollment),
                    "status": enrollment.status,
                    **self.columns(enrollment, view),
                    "view": json.dumps(view),
                }
            )
        replace_enrollment_rows(session, self.table, [r["enrollment_id"] for r in rows], rows)

    def current(self, ledger: Ledger, enrollment_id: str) -> dict[str, Any] | None:
        """The stored answer, or None when the read model is not current."""
        return current_view(ledger, self.name, self.table, enrollment_id)
