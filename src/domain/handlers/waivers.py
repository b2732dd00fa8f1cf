"""Use cases of hardship waivers (12.12(7)) and the periods they open (12.10(1)(e)-(f))."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from ..commands import DecideHardshipWaiver, RequestHardshipWaiver
from ..enrollment import Enrollment
from ..errors import InvalidCommand
from ..household import Household
from ..rules.enrollment_periods import WAIVER_ENDED, WAIVER_GRANTED
from ..rules.waivers import WaiverDecision

if TYPE_CHECKING:
    from .ports import LedgerPort

REQUEST_MARK = "#waiver-"
"""A request id is its enrollment's id, this mark and a number."""


def request_hardship_waiver(ledger: LedgerPort, command: RequestHardshipWaiver) -> list[Aggregate]:
    ledger.household(command.household_id)
    enrollment = ledger.enrollment(command.enrollment_id)
    if enrollment.household_id != command.household_id:
        raise InvalidCommand(
            f"enrollment {command.enrollment_id!r} does not belong to household "
            f"{command.household_id!r}"
        )
    enrollment.request_hardship_waiver(
        command.on, list(command.grounds), ledger.policy.in_force(command.on)
    )
    return [enrollment]


def decide_hardship_waiver(ledger: LedgerPort, command: DecideHardshipWaiver) -> list[Aggregate]:
    """12.12(7): the decision on a request; a grant opens sixty days to change plans
    (12.10(1)(e))."""
    request_id, enrollment_id = command.request_id, command.enrollment_id
    if request_id is not None and REQUEST_MARK not in request_id:
        raise InvalidCommand(
            f"unknown hardship waiver request {request_id!r}", "no_pending_request"
        )
    if request_id is not None:
        from_request = request_id.rsplit(REQUEST_MARK, 1)[0]
        if enrollment_id is not None and enrollment_id != from_request:
            raise InvalidCommand("request_id does not belong to enrollment_id")
        enrollment_id = from_request
    if enrollment_id is None:
        raise InvalidCommand(
            "decide_hardship_waiver needs request_id or enrollment_id", "missing_field"
        )
    enrollment = ledger.enrollment(enrollment_id)
    policy = ledger.policy.in_force(command.on)
    enrollment.decide_hardship_waiver(
        command.on, request_id, command.decision.value, command.first_month, command.months, policy
    )
    if command.decision != WaiverDecision.GRANTED:
        return [enrollment]
    household = ledger.household(enrollment.household_id)
    household.open_waiver_period(command.on, enrollment.member_ids, WAIVER_GRANTED, policy)
    return [household, enrollment]


def open_periods_for_ended_waivers(
    ledger: LedgerPort,
    enrollment: Enrollment,
    events: Iterable[Any],
    households: dict[str, Household],
) -> None:
    """12.10(1)(f): each waiver of `enrollment` ended among `events` opens sixty days for its
    household, from the day it ended; a household not in `households` (by id) is loaded into it."""
    for event in events:
        if isinstance(event, Enrollment.HardshipWaiverEnded):
            household = households.get(enrollment.household_id)
            if household is None:
                household = ledger.household(enrollment.household_id)
                households[enrollment.household_id] = household
            household.open_waiver_period(
                event.on, enrollment.member_ids, WAIVER_ENDED, ledger.policy.in_force(event.on)
            )
