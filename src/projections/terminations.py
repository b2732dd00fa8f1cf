"""The terminations read model, what carriers reconcile against: one row per
`CoverageTerminated` (a retroactive termination for non-payment) and per
`CoverageTerminatedForFraud` (reason `fraud`, possibly a rescission) with its effective end date
(`end_on`), its decision date (`decided_on`, the event's business date), reason and citation;
`rescinded` (and `rescinded_on`) once a later `TerminationRescinded` for that termination is
recorded, or a `CoverageRestoredOnAppeal` reverses the termination for fraud on appeal (a
small group's `GroupCoverageRestoredOnAppeal`, the termination it names);
`reinstated_on` once a reinstatement is granted after it. Rows are never deleted, so a rescinded
termination stays visible, flagged.

A small group's terminations are listed the same way (`household_id` holds the employer's id),
with every affected employee (`employees`: each employee and the members it covered), read off
the termination notices sent to each enrolled employee (12.11(6), 12.12(12)), so a carrier
reconciles every person whose coverage ended. A small group's coverage year ended without a
renewal (`GroupCoverageYearEnded`, reason `coverage_year_ended`) is a row too, ending on the year's
last day, with the employees the event names (no notice is sent for it: 12.11(6) asks for one
only for the Connector's terminations under 12.11(5))."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    String,
    Table,
    Text,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from ..domain.enrollment import Enrollment
from ..domain.enrollment.shared import EndReason
from ..domain.events import event_id
from ..domain.group_enrollment import GroupEnrollment
from ..domain.group_enrollment.coverage import NoticeRecipient
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

AFFECTED_EMPLOYEES = Table(
    "ledger_termination_employees",
    METADATA,
    Column("position", bigint(), primary_key=True, autoincrement=False),
    Column("employee_id", String(200), primary_key=True),
    Column("member_ids", Text(), nullable=False),
)
"""A small group's termination (its row's `position`) and each employee it ended."""

BY_COLUMNS = ("decided_on", "end_on")

TERMINATED = (
    Enrollment.CoverageTerminated,
    Enrollment.CoverageTerminatedForFraud,
    GroupEnrollment.CoverageTerminated,
    GroupEnrollment.GroupCoverageTerminated,  # 12.11(5)(a), (c): fraud, employer ineligible
    GroupEnrollment.EmployeeTerminatedForFraud,  # 12.11(5)(a): one employee
    GroupEnrollment.GroupCoverageYearEnded,  # 12.04(4)(b): a coverage year not renewed
)
"""The events that are a termination row."""

RESCINDED = (Enrollment.TerminationRescinded, GroupEnrollment.TerminationRescinded)
REINSTATED = (Enrollment.ReinstatementDecided, GroupEnrollment.ReinstatementDecided)
NOTICE = GroupEnrollment.TerminationNoticeIssued

RESTORED = (Enrollment.CoverageRestoredOnAppeal, GroupEnrollment.GroupCoverageRestoredOnAppeal)
RELEVANT = (*TERMINATED, *RESCINDED, *REINSTATED, NOTICE, *RESTORED)
"""The only events that change a termination row (or its employees)."""


class TerminationsProjection:
    name = NAME
    tables: Sequence[Table] = (TERMINATIONS, AFFECTED_EMPLOYEES)

    def process(self, session: Session, ledger: Ledger, batch: Sequence[Positioned]) -> None:
        shared = batch_of(ledger, batch)
        for item in shared:
            event = item.event
            if not isinstance(event, RELEVANT):
                continue
            aggregate_id = str(event.originator_id)
            if isinstance(event, TERMINATED):
                session.execute(
                    insert(TERMINATIONS).values(
                        position=item.position,
                        event_id=event_id(event.originator_id, event.originator_version),
                        aggregate_id=aggregate_id,
                        enrollment_id=shared.enrollment_id_of(event),
                        household_id=shared.household_of(event),
                        end_on=_end_on(event),
                        decided_on=event.on,
                        reason=_reason(event),
                        citation=event.citation,
                        rescinded=False,
                        rescinded_on=None,
                        reinstated_on=None,
                    )
                )
                if isinstance(event, GroupEnrollment.GroupCoverageYearEnded):
                    _record_employees(session, item.position, event.employees)
            elif isinstance(event, NOTICE):
                _record_employee(session, aggregate_id, item.position, event)
            elif isinstance(event, RESCINDED):
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
            elif isinstance(event, RESTORED):
                # a termination reversed on appeal (12.15(4)): no longer in force
                withdrawn = (
                    event.termination_event_id
                    if isinstance(event, GroupEnrollment.GroupCoverageRestoredOnAppeal)
                    else event.appealed_event_id
                )
                session.execute(
                    update(TERMINATIONS)
                    .where(TERMINATIONS.c.event_id == withdrawn)
                    .values(rescinded=True, rescinded_on=event.on)
                )
            elif isinstance(event, REINSTATED) and event.granted:
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


def _record_employee(session: Session, aggregate_id: str, position: int, notice: Any) -> None:
    """An employee's notice of its group's termination: the employee is one the latest
    termination of that group (decided that day, ending that day) ended."""
    if notice.recipient != NoticeRecipient.EMPLOYEE or notice.employee_id is None:
        return
    termination = session.execute(
        select(TERMINATIONS.c.position)
        .where(
            and_(
                TERMINATIONS.c.aggregate_id == aggregate_id,
                TERMINATIONS.c.position < position,
                TERMINATIONS.c.decided_on == notice.on,
                TERMINATIONS.c.end_on == notice.end_on,
            )
        )
        .order_by(TERMINATIONS.c.position.desc())
        .limit(1)
    ).first()
    if termination is not None:
        session.execute(
            insert(AFFECTED_EMPLOYEES).values(
                position=termination[0],
                employee_id=notice.employee_id,
                member_ids=json.dumps(list(notice.member_ids)),
            )
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
    rows = read_rows(ledger, query)
    employees = _employees_of(ledger, [int(r["position"]) for r in rows])
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
            "employees": employees.get(int(r["position"]), []),
        }
        for r in rows
    ]


def _employees_of(ledger: Ledger, positions: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The employees each of these terminations ended (a small group's), by employee id."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not positions:
        return found
    query = (
        select(AFFECTED_EMPLOYEES)
        .where(AFFECTED_EMPLOYEES.c.position.in_(list(positions)))
        .order_by(AFFECTED_EMPLOYEES.c.position, AFFECTED_EMPLOYEES.c.employee_id)
    )
    for r in read_rows(ledger, query):
        found.setdefault(int(r["position"]), []).append(
            {"employee_id": r["employee_id"], "member_ids": json.loads(r["member_ids"])}
        )
    return found


def _record_employees(session: Session, position: int, employees: list[dict[str, Any]]) -> None:
    """The employees a termination row (at `position`) names itself (a coverage year's end)."""
    for employee in employees:
        session.execute(
            insert(AFFECTED_EMPLOYEES).values(
                position=position,
                employee_id=employee["employee_id"],
                member_ids=json.dumps(list(employee["member_ids"])),
            )
        )


def _end_on(event: Any) -> date:
    """A termination's last day of coverage (a coverage year's: its last day)."""
    if isinstance(event, GroupEnrollment.GroupCoverageYearEnded):
        return event.coverage_year_ends_on
    return event.end_on  # type: ignore[no-any-return]


def _reason(event: Any) -> str:
    """A termination's reason: its own, `fraud` for a termination for fraud, or the cause of a
    small group's termination under 12.11(5)."""
    if isinstance(
        event, Enrollment.CoverageTerminatedForFraud | GroupEnrollment.EmployeeTerminatedForFraud
    ):
        return str(EndReason.FRAUD)
    if isinstance(event, GroupEnrollment.GroupCoverageTerminated):
        return str(event.cause)
    if isinstance(event, GroupEnrollment.GroupCoverageYearEnded):
        return str(EndReason.COVERAGE_YEAR_ENDED)
    return str(event.reason)
