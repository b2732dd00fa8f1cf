"""The delinquency read model: for each enrollment (an individual's, or a small group's with its
employer's id as `household_id`), the periods (business dates) during which the
ledger's record has it delinquent, i.e. in a grace period, with its first unpaid month and the
payment date its notices gave.

A period is read off the domain's own fold: the enrollment folded as of each business date that
appears in its events (`fold(events, as_of=day)`, the same answer as `coverage --as-of day`), and
a new period starts whenever its status, first unpaid month or payment date changes. So
`delinquent --as-of D` answers what folding every enrollment as of D would, without folding them.
Only enrollments with a `PaymentMissed` event have periods (nothing else makes one delinquent);
a batch rewrites the periods of each enrollment it touched. While an enrollment's business dates
never go backwards in version order, "folded as of each date" is the one fold in version order
read at each day boundary (`folding.Folded.day_keys`, kept by the run's fold cache); a
late-arriving fact (an earlier date recorded after a later one) falls back to folding its events
as of each date (`grace_periods`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Column, Date, String, Table, and_, or_, select
from sqlalchemy.orm import Session

from ..domain.ledger import Ledger
from .enrollment_views import select_events
from .folding import (
    MISSED,
    DelinquencyKey,
    Folded,
    Positioned,
    batch_of,
    delinquency_key,
    enrollment_events,
    fold_events,
    owner_of,
)
from .tracking import METADATA, iso, read_rows, replace_enrollment_rows

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
    """The enrollment's delinquent periods in business time, from the domain's fold as of each
    business date of its events."""
    if not any(isinstance(e, MISSED) for e in events):
        return []
    days = sorted({e.on for e in events})
    return periods_from((day, _key_as_of(events, day)) for day in days)


def _key_as_of(events: Sequence[Any], day: date) -> DelinquencyKey | None:
    """The delinquency key of the enrollment (an individual's or a small group's) folded from
    its events dated by `day`."""
    folded = fold_events(select_events(events, as_of=day))
    return delinquency_key(folded.state if folded is not None else None)


def folded_grace_periods(folded: Folded, events: Callable[[], Sequence[Any]]) -> list[GracePeriod]:
    """The same periods from one fold in version order (`folded`), read at each day boundary;
    when its business dates went backwards (a late-arriving fact), from `events()` (all of its
    events through `folded`'s version) folded as of each business date."""
    if not folded.missed:
        return []
    if folded.ordered:
        return periods_from(folded.day_keys())
    return grace_periods(events())


def periods_from(
    day_keys: Iterable[tuple[date, DelinquencyKey | None]],
) -> list[GracePeriod]:
    """Business dates in order, each with the delinquency key as of that date (dates whose key
    equals the previous one's may be left out) -> the periods over which the key holds."""
    periods: list[GracePeriod] = []
    opened = since = date.min
    open_key: DelinquencyKey | None = None
    for day, key in day_keys:
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
        shared = batch_of(ledger, batch)
        ids: list[str] = []
        rows: list[dict[str, Any]] = []
        for folded in shared.enrollments():
            state = folded.state
            ids.append(state.enrollment_id)
            stored = partial(enrollment_events, ledger, state.id, folded.version)
            periods = folded_grace_periods(folded, stored)
            rows.extend(
                {
                    "enrollment_id": state.enrollment_id,
                    "household_id": owner_of(state),
                    "from_on": p.from_on,
                    "until_on": p.until_on,
                    "since_on": p.since_on,
                    "first_unpaid_month": p.first_unpaid_month,
                    "payment_due_on": p.payment_due_on,
                }
                for p in periods
            )
        replace_enrollment_rows(session, PERIODS, ids, rows)


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
    return [
        {
            "enrollment_id": r["enrollment_id"],
            "household_id": r["household_id"],
            "delinquent_since": r["since_on"].isoformat(),
            "first_unpaid_month": r["first_unpaid_month"],
            "payment_due_on": iso(r["payment_due_on"]),
        }
        for r in read_rows(ledger, query)
    ]
