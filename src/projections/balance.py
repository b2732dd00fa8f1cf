"""The balance read model: each enrollment's `balance_view` (the answer of `balance`), with its
status, first unpaid month and payment date as columns, kept current by folding every enrollment
a batch touched forward with the domain's fold (shared with the other read models of the batch,
see `folding.Batch`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Date, String, Table, Text
from sqlalchemy.orm import Session

from ..domain.ledger import Ledger
from .folding import batch_of
from .tracking import METADATA, Positioned, current_view, replace_enrollment_rows

NAME = "balance"

BALANCE = Table(
    "ledger_balance",
    METADATA,
    Column("enrollment_id", String(200), primary_key=True),
    Column("household_id", String(200), nullable=False, index=True),
    Column("status", String(40), nullable=False, index=True),
    Column("first_unpaid_month", String(7), nullable=True),
    Column("payment_due_on", Date(), nullable=True),
    Column("view", Text(), nullable=False),
)


class BalanceProjection:
    name = NAME
    tables: Sequence[Table] = (BALANCE,)

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        shared = batch_of(ledger, batch)
        rows: list[dict[str, Any]] = []
        for folded in shared.enrollments():
            enrollment = folded.state
            view = shared.balance_view(folded)
            rows.append(
                {
                    "enrollment_id": enrollment.enrollment_id,
                    "household_id": enrollment.household_id,
                    "status": enrollment.status,
                    "first_unpaid_month": view["delinquency"]["first_unpaid_month"],
                    "payment_due_on": enrollment.payment_due_on,
                    "view": json.dumps(view),
                }
            )
        replace_enrollment_rows(session, BALANCE, [r["enrollment_id"] for r in rows], rows)


PROJECTION = BalanceProjection()


def current_balance(ledger: Ledger, enrollment_id: str) -> dict[str, Any] | None:
    """The projected balance answer, or None when the projection is not current."""
    return current_view(ledger, NAME, BALANCE, enrollment_id)
