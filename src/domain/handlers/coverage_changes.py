"""Use cases of what a determination or a death changes in coverage already chosen: a member who
loses all eligibility loses their coverage (12.10(5)(c), 12.08(3), 12.16(1)(a)); a premium
changed by a redetermination (12.12(8)(a)); a member's death, and a pending appeal of theirs
(12.15(2)(d))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..appeal import Appeal
from ..commands import ChangePremium, ContinueAppeal, RecordDeath
from ..enrollment import TERMINATED, Enrollment, replay
from ..enrollment.shared import EndReason
from ..errors import InvalidCommand
from ..events import event_uuid
from ..household import Household
from ..rules import coverage_changes as rules
from ..rules.appeals import appellant_has_died
from ..rules.plan_selection import Coverage, health_terms

if TYPE_CHECKING:
    from .ports import LedgerPort


# ---- loss of eligibility ------------------------------------------------------------------------


def end_coverage_of_members_no_longer_eligible(
    ledger: LedgerPort,
    household: Household,
    on: date,
    enrollments: list[Enrollment] | None = None,
    determined: Any = None,
) -> list[Aggregate]:
    """12.10(5)(c), 12.08(3), 12.16(1)(a): after the household's new determination (its latest
    pending `EligibilityDetermined`, or `determined` when given: a determination put back in
    force), the coverage of each covered member it leaves eligible for nothing ends the day before
    it takes effect for them. The enrollments changed (of `enrollments`, the household's loaded
    once, when given)."""
    determined = determined if determined is not None else _new_determination(household)
    if determined is None:
        return []
    determination_id = str(event_uuid(determined.originator_id, determined.originator_version))
    lost = {
        m["member_id"]: rules.coverage_end_on_loss(date.fromisoformat(m["effective_on"]))
        for m in determined.members
        if rules.loses_all_eligibility(m["program"])
    }
    if not lost:
        return []
    changed: list[Aggregate] = []
    policy = ledger.policy.in_force(on)
    for enrollment in enrollments or _enrollments_of(ledger, household):
        ended = [
            enrollment.end_member_coverage(
                on,
                member_id,
                lost[member_id],
                EndReason.INELIGIBLE,
                rules.loss_citation(enrollment.coverage),
                determination_id,
                policy,
            )
            for member_id in enrollment.covered_members()
            if member_id in lost
        ]
        if any(ended):
            changed.append(enrollment)
    return changed


def implement_reversal(
    ledger: LedgerPort, household: Household, appeal: Appeal, on: date
) -> list[Aggregate]:
    """12.15(4), 45 CFR 155.545(c): a reversed action that ended coverage, implemented as of the
    date of the action. A determination: its correction (the household's new
    `EligibilityDetermined`) ends the coverage of members it leaves eligible for nothing, and
    restores each member the appealed determination had ended whom it leaves eligible. A
    termination for fraud: the enrollment's coverage restored. The enrollments changed."""
    enrollments = _enrollments_of(ledger, household)
    policy = ledger.policy.in_force(on)
    changed = end_coverage_of_members_no_longer_eligible(ledger, household, on, enrollments)
    eligible: list[str] | None = None
    if appeal.appealed_event_type == Household.EligibilityDetermined.__name__:
        corrected = _new_determination(household)
        eligible = [
            m["member_id"]
            for m in (corrected.members if corrected is not None else [])
            if not rules.loses_all_eligibility(m["program"])
        ]
    for enrollment in enrollments:
        if eligible is None and (
            enrollment.id != appeal.appealed_aggregate_id
            or _had_ended_before(ledger, enrollment, appeal.appealed_version)
        ):
            continue
        restored = enrollment.restore_on_appeal(
            on, appeal.appeal_id, appeal.appealed_event_id, eligible, policy
        )
        if restored and all(enrollment is not c for c in changed):
            changed.append(enrollment)
    return changed


def _had_ended_before(ledger: LedgerPort, enrollment: Enrollment, version: int) -> bool:
    """Whether `enrollment`, folded from its events before `version` (a termination for fraud),
    had already been terminated or ended: a termination for non-payment taken further back for
    fraud is not undone by the fraud's reversal (the non-payment's end stands; see the README)."""
    before = replay(
        [e for e in ledger.aggregate_events(enrollment.id) if e.originator_version < version]
    )
    return before is None or before.status == TERMINATED or before.closed


def _new_determination(household: Household) -> Any:
    for event in reversed(household.pending_events):
        if isinstance(event, Household.EligibilityDetermined):
            return event
    return None


def _enrollments_of(ledger: LedgerPort, household: Household) -> list[Enrollment]:
    return [ledger.enrollment(enrollment_id) for enrollment_id in household.enrollment_ids]


# ---- premium changes ----------------------------------------------------------------------------


def change_premium(ledger: LedgerPort, command: ChangePremium) -> list[Aggregate]:
    """12.12(8)(a): the premium a redetermination makes the enrollee owe, from its effective date
    for the enrollment's members who stay covered (12.08: the 1st of the month after the notice,
    or a month later for a change notified after the cut-off that keeps them eligible), on the
    program and plan type it determined for them. A partial loss of eligibility changes the
    premium only through this command."""
    if command.monthly_premium < 0:
        raise InvalidCommand("monthly_premium cannot be negative", "invalid_field")
    enrollment = ledger.enrollment(command.enrollment_id)
    household = ledger.household(enrollment.household_id)
    determination = _determination(ledger, household, command.determination_event_id)
    results = {m["member_id"]: m for m in determination.members}
    staying = [
        m
        for m in enrollment.covered_members()
        if m in results and not rules.loses_all_eligibility(results[m]["program"])
    ]
    if not staying:
        raise InvalidCommand(
            f"determination {command.determination_event_id!r} leaves no member of enrollment "
            f"{command.enrollment_id!r} covered: there is no premium to change",
            "invalid_state",
        )
    from_month = rules.premium_change_from(
        date.fromisoformat(results[m]["effective_on"]) for m in staying
    )
    if enrollment.coverage == Coverage.DENTAL:
        program, plan_type = enrollment.program, None
    else:
        terms = health_terms(determination.plan_year, {m: results[m] for m in staying}, Decimal(0))
        program, plan_type = terms.program.value, terms.plan_type
    enrollment.change_premium(
        command.on,
        command.monthly_premium,
        from_month,
        command.determination_event_id,
        program,
        plan_type,
        ledger.policy.in_force(command.on),
    )
    return [enrollment]


def _determination(ledger: LedgerPort, household: Household, event_id: str) -> Any:
    """The household's `EligibilityDetermined` event `event_id`."""
    try:
        wanted = UUID(event_id)
    except ValueError:
        raise InvalidCommand(f"determination_event_id {event_id!r} is not an event id") from None
    for event in ledger.aggregate_events(household.id):
        if event_uuid(event.originator_id, event.originator_version) == wanted:
            if not isinstance(event, Household.EligibilityDetermined):
                raise InvalidCommand(
                    f"event {event_id!r} is a {type(event).__name__}, not an eligibility "
                    "determination",
                    "invalid_field",
                )
            return event
    raise InvalidCommand(
        f"no eligibility determination {event_id!r} in the record of household "
        f"{household.household_id!r}",
        "unknown_event",
    )


# ---- death --------------------------------------------------------------------------------------


def record_death(ledger: LedgerPort, command: RecordDeath) -> list[Aggregate]:
    """The death recorded (12.09(2)); the member's coverage ends at the end of the month of death
    (contract, with 12.10(5)(c)); a pending appeal whose appellant has died is dismissed
    (12.15(2)(d)) unless the estate's representative asks to continue it (`continue_appeal`)."""
    if command.died_on > command.on:
        raise InvalidCommand("died_on cannot be after the command's date", "invalid_field")
    household = ledger.household(command.household_id)
    household.record_death(command.on, command.member_id, command.died_on)
    policy = ledger.policy.in_force(command.on)
    end_on = rules.death_end_on(command.died_on)
    changed: list[Aggregate] = [household]
    for enrollment in _enrollments_of(ledger, household):
        if enrollment.end_member_coverage(
            command.on,
            command.member_id,
            end_on,
            EndReason.DEATH,
            rules.loss_citation(enrollment.coverage),
            None,
            policy,
        ):
            changed.append(enrollment)
    deceased = set(household.deaths)
    for appeal_id in household.appeal_ids:
        appeal = ledger.appeal(appeal_id)
        appellants = [appeal.appellant_member_id] if appeal.appellant_member_id else None
        if appeal.pending and appellant_has_died(appellants or household.member_ids(), deceased):
            appeal.dismiss_for_death(command.on, command.member_id, command.died_on, policy)
            changed.append(appeal)
    return changed


def continue_appeal(ledger: LedgerPort, command: ContinueAppeal) -> list[Aggregate]:
    """12.15(2)(d): the estate's representative continues an appeal dismissed for the death."""
    appeal: Appeal = ledger.appeal(command.appeal_id)
    appeal.continue_for_estate(
        command.on, command.representative_name, ledger.policy.in_force(command.on)
    )
    return [appeal]
