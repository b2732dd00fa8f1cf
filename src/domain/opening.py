"""A command dated before a record it names was opened acts on something that did not exist on
its date (`refuse_before_opening`); every aggregate keeps the business date of its first event
as `opened_on` (`events.LedgerCreated`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate

from .appeal import Appeal
from .commands import Command, SubmitApplication, SubmitEmployerApplication
from .employer import Employer
from .enrollment import Enrollment
from .errors import InvalidCommand
from .group_enrollment import GroupEnrollment
from .household import Household

NAMED_RECORDS: tuple[tuple[str, Callable[[str], UUID]], ...] = (
    ("household_id", Household.id_for),
    ("enrollment_id", Enrollment.id_for),
    ("group_enrollment_id", GroupEnrollment.id_for),
    ("employer_id", Employer.id_for),
    ("appeal_id", Appeal.id_for),
)
"""The fields by which a command names the records it acts on, and each record's aggregate id."""


def refuse_before_opening(command: Command, aggregates: Sequence[Aggregate]) -> Sequence[Aggregate]:
    """A command dated before a record it names was opened (a payment, an employee's enrollment
    or a termination dated before the plan was selected, a determination before the application)
    acts on something that did not exist on its date: impossible, so refused, recording nothing
    (contract, second edition: "Malformed or impossible commands are still rejected"). A record
    it changes without naming it (a late-entered change ending an enrollment selected since) is
    not refused: the fact arrived late, the decision is taken now. Nor is an application, which
    opens its record: one dated before the first one entered is an earlier fact. Returns the
    aggregates, unchanged."""
    if isinstance(command, SubmitApplication | SubmitEmployerApplication):
        return aggregates
    named = {
        aggregate_id(value)
        for field, aggregate_id in NAMED_RECORDS
        if isinstance(value := getattr(command, field, None), str)
    }
    for aggregate in aggregates:
        opened_on = getattr(aggregate, "opened_on", None)
        if aggregate.id in named and opened_on is not None and command.on < opened_on:
            raise InvalidCommand(
                f"the command is dated {command.on.isoformat()}, before the record it names was "
                f"opened ({opened_on.isoformat()}): nothing was recorded",
                "invalid_date",
            )
    return aggregates
