"""The delinquency read model: for each enrollment, the periods (business dates) during which the
ledger's record has it delinquent, i.e. in a grace period, with its first unpaid month and the
payment date its notices gave.

A period is read off the domain's own fold: the enrollment folded as of each business date that
appears in its events (`fold(events, as_of=day)`, the same answer as `coverage --as-of day`), and
a new period starts whenever its status, first unpaid month or payment date changes. So
`delinquent --as-of D` answers what folding every enrollment as of D would, without folding them.
Only enrollments with a `PaymentMissed` event are folded day by day (nothing else makes one
delinquent); a batch rewrites the periods of each enrollment it touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, Date, String, Table, and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from ..domain.calendar import month_key
from ..domain.enrollment import DELINQUENT, Enrollment
from ..domain.ledger import Ledger
from .enrollment_views import fold
from .folding import enrollment_events, touched_enrollments
from .tracking import METADATA, Positioned, recorder_of

NAME = "delinquency"

PERIODS = Table(
    "ledger_delinquency",
    METADATA,
    Column("enrollment_id", String(200), primary_key=True),
    Column("from_on", Date(), primary_key=True),
    Column("until_on", Date(), nullable=True, index=True),
    Column("since_on", Date(), nullable=False),
    Column("household_id", String(200), nullable=False),
    Column("first_unpaid_month", String(7), nullable=False),
    Column("payment_due_on", Date(), nullable=True),
)


@dataclass(frozen=True)
class GracePeriod:
    """Delinquent from `from_on` (inclusive) until `until_on` (exclusive; None: still) with the
    same first unpaid month and payment date; `since_on`: the start of the unbroken delinquency
    this period is part of."""

    from_on: date
    until_on: date | None
    since_on: date
    first_unpaid_month: str
    payment_due_on: date | None


def grace_periods(events: Sequence[Any]) -> list[GracePeriod]:
    """The enrollment's delinquent periods in business time, from the domain's fold."""
    if not any(isinstance(e, Enrollment.PaymentMissed) for e in events):
        return []
    periods: list[GracePeriod] = []
    opened = since = date.min
    open_key: tuple[str, date | None] | None = None
    for day in sorted({e.on for e in events}):
        state = fold(events, as_of=day)
        key: tuple[str, date | None] | None = None
        if state is not None and state.status == DELINQUENT and state.first_unpaid_month:
            key = (month_key(state.first_unpaid_month), state.payment_due_on)
        if key == open_key:
            continue
        if open_key is not None:
            periods.append(GracePeriod(opened, day, since, *open_key))
        if open_key is None:
            since = day
        opened, open_key = day, key
    if open_key is not None:
        periods.append(GracePeriod(opened, None, since, *open_key))
    return periods


class DelinquencyProjection:
    name = NAME
    tables: Sequence[Table] = (PERIODS,)

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        for aggregate_id, version in touched_enrollments(batch).items():
            events = enrollment_events(ledger, aggregate_id, version)
            if not events:
                continue
            first = events[0]
            session.execute(delete(PERIODS).where(PERIODS.c.enrollment_id == first.enrollment_id))
            rows = [
                {
                    "enrollment_id": first.enrollment_id,
                    "household_id": first.household_id,
                    "from_on": p.from_on,
                    "until_on": p.until_on,
                    "since_on": p.since_on,
                    "first_unpaid_month": p.first_unpaid_month,
                    "payment_due_on": p.payment_due_on,
                }
                for p in grace_periods(events)
            ]
            if rows:
                session.execute(insert(PERIODS), rows)


PROJECTION = DelinquencyProjection()


def delinquent_on(ledger: Ledger, day: date) -> list[dict[str, Any]]:
    """Every enrollment in a grace period on `day`, by enrollment id."""
    query = (
        select(PERIODS)
        .where(
            and_(
                PERIODS.c.from_on <= day,
                or_(PERIODS.c.until_on.is_(None), PERIODS.c.until_on > day),
            )
        )
        .order_by(PERIODS.c.enrollment_id)
    )
    with recorder_of(ledger).transaction(commit=False) as session:
        rows = session.execute(query).mappings().all()
    return [
        {
            "enrollment_id": r["enrollment_id"],
            "household_id": r["household_id"],
            "delinquent_since": r["since_on"].isoformat(),
            "first_unpaid_month": r["first_unpaid_month"],
            "payment_due_on": r["payment_due_on"].isoformat() if r["payment_due_on"] else None,
        }
        for r in rows
    ]
