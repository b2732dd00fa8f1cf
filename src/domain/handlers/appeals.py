"""Use cases of appeals (12.13-12.15): filing, the hearing decision and re-hearings."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ..appeal import Appeal
from ..commands import DecideAppeal, FileAppeal, OrderRehearing
from ..determination import DeterminationBasis
from ..errors import Conflict, InvalidCommand
from ..events import event_uuid
from ..hearing import decide_again, facts_before
from ..household import Household
from ..rules.appeals import (
    CORRECTED_DETERMINATION,
    AppealOutcome,
    with_original_effective_dates,
)
from . import small_group

if TYPE_CHECKING:
    from ..ledger import Ledger


def file_appeal(ledger: Ledger, command: FileAppeal) -> list[Aggregate]:
    """12.13-12.15(2): recorded with its deadline; dismissed when untimely or not appealable.
    An employer's appeal (`employer_id`) is the small group's (`small_group.file_appeal`)."""
    if command.household_id is not None and command.employer_id is not None:
        raise InvalidCommand(
            "file_appeal takes household_id (a household's appeal) or employer_id (an "
            "employer's), not both"
        )
    if command.employer_id is not None:
        return small_group.file_appeal(ledger, command)
    if command.household_id is None:
        raise InvalidCommand(
            "file_appeal needs household_id, or employer_id for an employer's appeal",
            "missing_field",
        )
    household_id = command.household_id
    household = ledger.household(household_id)
    try:
        ledger.repository.get(Appeal.id_for(command.appeal_id))
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict(f"appeal {command.appeal_id!r} already exists", "duplicate_appeal")
    appealed = _household_event(ledger, household, command.appealed_event_id)
    if command.on < appealed.on:
        raise InvalidCommand("an appeal cannot be received before the action it appeals")
    appeal = Appeal.file(
        on=command.on,
        appeal_id=command.appeal_id,
        household_id=household_id,
        appealed=appealed,
        appealed_event_id=command.appealed_event_id,
        grounds=command.grounds,
        notice_sent=command.notice_sent,
        notice_received_on=command.notice_received_on,
        policy=ledger.policy.in_force(command.on),
    )
    household.link_appeal(command.on, command.appeal_id)
    return [household, appeal]


def _household_event(ledger: Ledger, household: Household, event_id: str) -> Any:
    try:
        wanted = UUID(event_id)
    except ValueError:
        raise InvalidCommand(f"appealed_event_id {event_id!r} is not an event id") from None
    for _position, event in ledger.household_events(household):
        if event_uuid(event.originator_id, event.originator_version) == wanted:
            return event
    raise InvalidCommand(
        f"no event {event_id!r} in the record of household {household.household_id!r}",
        "unknown_event",
    )


def decide_appeal(ledger: Ledger, command: DecideAppeal) -> list[Aggregate]:
    """12.15(4)-(6). A reversed eligibility or plan-type determination records the corrected
    determination, with the original effective dates (premiums stayed due meanwhile, 12.15(6))."""
    appeal = ledger.appeal(command.appeal_id)
    policy = ledger.policy.in_force(command.on)
    appeal.decide(command.on, command.outcome.value, policy)
    if (
        command.outcome != AppealOutcome.REVERSED
        or appeal.appealed_event_type != Household.EligibilityDetermined.__name__
        or appeal.household_id is None
    ):
        return [appeal]
    household = ledger.household(appeal.household_id)
    prior = facts_before(ledger.aggregate_events(household.id), appeal.appealed_version)
    original = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    corrected = decide_again(
        prior,
        original.on,
        policy,
        DeterminationBasis.APPEAL_REVERSAL,
        command.findings.record() if command.findings is not None else None,
    )
    original_dates = {
        m["member_id"]: date.fromisoformat(m["effective_on"]) for m in original.members
    }
    household.record_determination(
        dataclasses.replace(
            corrected,
            on=command.on,
            effective_on=original.effective_on,
            citation=CORRECTED_DETERMINATION,
            members=with_original_effective_dates(corrected.members, original_dates),
        )
    )
    return [appeal, household]


def order_rehearing(ledger: Ledger, command: OrderRehearing) -> list[Aggregate]:
    appeal = ledger.appeal(command.appeal_id)
    appeal.order_rehearing(command.on, ledger.policy.in_force(command.on))
    return [appeal]
