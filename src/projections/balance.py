"""The balance read model: each enrollment's `balance_view` (the answer of `balance`), with its
status, first unpaid month and payment date as columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Date, String

from ..domain.ledger import Ledger
from .folding import AnyEnrollment, Batch
from .stored_views import StoredViewProjection, view_table

NAME = "balance"

BALANCE = view_table(
    "ledger_balance",
    Column("first_unpaid_month", String(7), nullable=True),
    Column("payment_due_on", Date(), nullable=True),
)


def delinquency_columns(enrollment: AnyEnrollment, view: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "first_unpaid_month": view["delinquency"]["first_unpaid_month"],
        "payment_due_on": enrollment.payment_due_on,
    }


PROJECTION = StoredViewProjection(NAME, BALANCE, Batch.balance_view, delinquency_columns)


def current_balance(ledger: Ledger, enrollment_id: str) -> dict[str, Any] | None:
    """The projected balance answer, or None when the projection is not current."""
    return PROJECTION.current(ledger, enrollment_id)
