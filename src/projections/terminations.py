"""The terminations read model, what carriers reconcile against: one row per
`CoverageTerminated` (a retroactive termination for non-payment) and per
`CoverageTerminatedForFraud` (reason `fraud`, possibly a rescission) with its effective end date
(`end_on`), its decision date (`decided_on`, the event's business date), reason and citation;
`rescinded` (and `rescinded_on`) once a later `TerminationRescinded` for that termination is
recorded, or a `CoverageRestoredOnAppeal` reverses the termination for fraud on appeal;
`reinstated_on` once a reinstatement is granted after it. Rows are never deleted, so a rescinded
termination stays visible, flagged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Column, Date, String, Table, and_, insert, select, update
from sqlalchemy.orm import Session

from ..domain.enrollment import Enrollment
from ..domain.enrollment.shared import EndReason
from ..domain.events import event_id
from ..domain.ledger import Ledger
from ..runtime.columns import bigint
from .folding import Positioned, batch_of
from .tracking import METADATA, iso, read_rows

NAME = "terminations"

TERMINATIONS = Table(
    "ledger_terminations",
    METADATA,
    Column("position", bigint(), primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("aggregate_id", String(36), nullable=False, index=True),
    Column("enrollment_id", String(200), nullable=False),
    Column("household_id", String(200), nullable=False),
    Column("end_on", Date(), nullable=False, index=True),
    Column("decided_on", Date(), nullable=False, index=True),
    Column("reason", String(100), nullable=False),
    Column("citation", String(200), nullable=True),
    Column("rescinded", Boolean(), nullable=False),
    Column("rescinded_on", Date(), nullable=True),
    Column("reinstated_on", Date(), nullable=True),
)

BY_COLUMNS = ("decided_on", "end_on")

RELEVANT = (
    Enrollment.CoverageTerminated,
    Enrollment.CoverageTerminatedForFraud,
    Enrollment.TerminationRescinded,
    Enrollment.ReinstatementDecided,
    Enrollment.CoverageRestoredOnAppeal,
)
"""The only events that change a termination row."""


class TerminationsProjection:
    name = NAME
    tables: Sequence[Table] = (TERMINATIONS,)

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        shared = batch_of(ledger, batch)
        for item in shared:
            event = item.event
            if not isinstance(event, RELEVANT):
                continue
            aggregate_id = str(event.originator_id)
            if isinstance(
                event, Enrollment.CoverageTerminated | Enrollment.CoverageTerminatedForFraud
            ):
                session.execute(
                    insert(TERMINATIONS).values(
                        position=item.position,
                        event_id=event_id(event.originator_id, event.originator_version),
                        aggregate_id=aggregate_id,
                        enrollment_id=shared.enrollment_id_of(event),
                        household_id=shared.household_of(event),
                        end_on=event.end_on,
                        decided_on=event.on,
                        reason=_reason(event),
                        citation=event.citation,
                        rescinded=False,
                        rescinded_on=None,
                        reinstated_on=None,
                    )
                )
            elif isinstance(event, Enrollment.TerminationRescinded):
                session.execute(
                    update(TERMINATIONS)
                    .where(
                        and_(
                            TERMINATIONS.c.aggregate_id == aggregate_id,
                            TERMINATIONS.c.decided_on == event.terminated_on,
                            TERMINATIONS.c.rescinded.is_(False),
                        )
                    )
                    .values(rescinded=True, rescinded_on=event.on)
                )
            elif isinstance(event, Enrollment.CoverageRestoredOnAppeal):
                # a termination for fraud reversed on appeal (12.15(4)): no longer in force
                session.execute(
                    update(TERMINATIONS)
                    .where(TERMINATIONS.c.event_id == event.appealed_event_id)
                    .values(rescinded=True, rescinded_on=event.on)
                )
            elif isinstance(event, Enrollment.ReinstatementDecided) and event.granted:
                latest = session.execute(
                    select(TERMINATIONS.c.position)
                    .where(
                        and_(
                            TERMINATIONS.c.aggregate_id == aggregate_id,
                            TERMINATIONS.c.position < item.position,
                        )
                    )
                    .order_by(TERMINATIONS.c.position.desc())
                    .limit(1)
                ).first()
                if latest is not None:
                    session.execute(
                        update(TERMINATIONS)
                        .where(TERMINATIONS.c.position == latest[0])
                        .values(reinstated_on=event.on)
                    )


PROJECTION = TerminationsProjection()


def terminations_between(
    ledger: Ledger, start: date, end: date, by: str = "decided_on"
) -> list[dict[str, Any]]:
    """Terminations whose `by` date (`decided_on` by default, or `end_on`) falls in
    [start, end], both inclusive, rescinded ones included, in store order."""
    if by not in BY_COLUMNS:
        raise ValueError(f"terminations are selected by one of {', '.join(BY_COLUMNS)}")
    column = TERMINATIONS.c[by]
    query = (
        select(TERMINATIONS)
        .where(and_(column >= start, column <= end))
        .order_by(TERMINATIONS.c.position)
    )
    return [
        {
            "enrollment_id": r["enrollment_id"],
            "household_id": r["household_id"],
            "end_on": r["end_on"].isoformat(),
            "decided_on": r["decided_on"].isoformat(),
            "reason": r["reason"],
            "citation": r["citation"],
            "rescinded": bool(r["rescinded"]),
            "rescinded_on": iso(r["rescinded_on"]),
            "reinstated_on": iso(r["reinstated_on"]),
            "event_id": r["event_id"],
            "position": int(r["position"]),
        }
        for r in read_rows(ledger, query)
    ]


def _reason(event: Any) -> str:
    """A termination's reason: its own, or `fraud` for a termination for fraud."""
    if isinstance(event, Enrollment.CoverageTerminatedForFraud):
        return str(EndReason.FRAUD)
    return str(event.reason)
