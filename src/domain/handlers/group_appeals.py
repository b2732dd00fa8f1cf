"""12.15(4) for the small group: a reversed employer's or employee's appeal implemented as of the
date of the action (45 CFR 155.545(c)). What it restores is `rules.small_group_appeals`'s reading:
the group's coverage on the employer's appeal of its termination; one employee's on an appeal of
their termination for fraud; an employer determination of ineligibility corrected, with the
groups ended because of it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from ..appeal import Appeal
from ..employer import Employer
from ..group_enrollment import GroupEnrollment, restoration
from ..parameters import PolicyVersion
from ..rules import small_group_appeals as rules
from ..rules.small_group_terminations import GroupEndCause, no_longer_eligible

if TYPE_CHECKING:
    from .ports import LedgerPort

NOTICE = "TerminationNoticeIssued"
NOTIFIED_ACTIONS = (rules.GROUP_TERMINATION, rules.EMPLOYEE_TERMINATION, "CoverageTerminated")
"""The actions a written termination notice notifies (12.11(6), 12.12(12)): the Connector's
terminations, and the termination for non-payment (not appealable itself, 12.13)."""


def implement_group_reversal(
    ledger: LedgerPort, appeal: Appeal, on: date, policy: PolicyVersion
) -> list[Aggregate]:
    """12.15(4): the reversal of `appeal` (an employer's or employee's) implemented on `on`: the
    aggregates it changed (a group's schedule is first brought up to `on`)."""
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    action = notified_action(ledger, appealed)
    effect = rules.reversal_effect(type(action).__name__, appeal.employee_id)
    if effect == rules.GroupReversal.EMPLOYER_DETERMINATION:
        return _correct_employer(ledger, appeal, action, on, policy)
    if effect == rules.GroupReversal.NOTHING:
        return []
    group = _group_of(ledger, appeal, action.originator_id)
    group.advance(on, ledger.policy.in_force)
    if effect == rules.GroupReversal.GROUP:
        restoration.restore_group(group, on, _ids(appeal), action, policy)
    else:
        restoration.restore_employee(group, on, _ids(appeal), action, policy)
    return [group]


def _ids(appeal: Appeal) -> tuple[str, str]:
    """The appeal's id and the event it appealed, as a restoration records them."""
    return appeal.appeal_id, appeal.appealed_event_id


def notified_action(ledger: LedgerPort, appealed: Any) -> Any:
    """The action an appeal is about: the event appealed, or for a written termination notice
    (12.11(6), 12.12(12)) the termination it notifies (the latest recorded before it on the
    group)."""
    if type(appealed).__name__ != NOTICE:
        return appealed
    before = [
        e
        for e in ledger.aggregate_events(appealed.originator_id)
        if e.originator_version < appealed.originator_version
        and type(e).__name__ in NOTIFIED_ACTIONS
    ]
    return before[-1] if before else appealed


def _group_of(ledger: LedgerPort, appeal: Appeal, aggregate_id: Any) -> GroupEnrollment:
    assert appeal.employer_id is not None
    for group_id in ledger.employer(appeal.employer_id).group_enrollment_ids:
        if GroupEnrollment.id_for(group_id) == aggregate_id:
            return ledger.group_enrollment(group_id)
    raise LookupError(f"no group enrollment of employer {appeal.employer_id!r} is {aggregate_id}")


def _correct_employer(
    ledger: LedgerPort, appeal: Appeal, determination: Any, on: date, policy: PolicyVersion
) -> list[Aggregate]:
    """The employer's determination corrected (eligible), and each of its groups ended because
    the employer was no longer eligible on that determination restored (12.11(5)(c))."""
    assert appeal.employer_id is not None
    employer = ledger.employer(appeal.employer_id)
    corrected = employer.record_corrected_determination(
        on, determination, policy, rules.CORRECTED_EMPLOYER_DETERMINATION
    )
    if not corrected:
        return [employer]
    changed: list[Aggregate] = [employer]
    determinations = [
        e
        for e in ledger.aggregate_events(Employer.id_for(appeal.employer_id))
        if isinstance(e, Employer.EmployerEligibilityDetermined)
    ]
    for group_id in employer.group_enrollment_ids:
        group = ledger.group_enrollment(group_id)
        group.advance(on, ledger.policy.in_force)
        changed.append(group)
        ended = _ended_for_ineligibility(ledger, group)
        followed = _followed(determinations, ended) if ended is not None else None
        if (
            ended is not None
            and followed is not None
            and followed.originator_version == determination.originator_version
        ):
            restoration.restore_group(group, on, _ids(appeal), ended, policy)
    return changed


def _ended_for_ineligibility(ledger: LedgerPort, group: GroupEnrollment) -> Any | None:
    """The group's latest termination by the Connector, when it was for the employer's
    ineligibility."""
    terminations = [
        e
        for e in ledger.aggregate_events(group.id)
        if isinstance(e, GroupEnrollment.GroupCoverageTerminated)
    ]
    if terminations and terminations[-1].cause == GroupEndCause.EMPLOYER_INELIGIBLE:
        return terminations[-1]
    return None


def _followed(determinations: list[Any], termination: Any) -> Any | None:
    """The employer's determination a termination for ineligibility followed: the latest recorded
    before it."""
    before = [d for d in determinations if d.timestamp < termination.timestamp]
    return before[-1] if before else None


def implement_group_rehearing(
    ledger: LedgerPort,
    appeal: Appeal,
    initial_outcome: str,
    superseding_outcome: str | None,
    on: date,
    policy: PolicyVersion,
) -> list[Aggregate]:
    """12.15(5): the decision that stands after the re-hearing of a small-group appeal implemented
    (`rules.rehearing_effect`): the aggregates it changed."""
    effect = rules.rehearing_effect(initial_outcome, superseding_outcome)
    if effect == rules.RehearingEffect.IMPLEMENT_REVERSAL:
        return implement_group_reversal(ledger, appeal, on, policy)
    if effect == rules.RehearingEffect.NOTHING:
        return []
    assert appeal.employer_id is not None
    employer = ledger.employer(appeal.employer_id)
    action = notified_action(
        ledger, ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    )
    changed: list[Aggregate] = []
    finding = getattr(action, "finding", None)
    if isinstance(action, Employer.EmployerEligibilityDetermined):
        if rules.corrected_employer_findings(action.eligible, action.dental_eligible) is None:
            return []  # the reversal corrected nothing: nothing to end again
        employer.record_determination_again(on, action, policy, rules.APPEALED_DETERMINATION_STANDS)
        changed.append(employer)
        finding = (
            None
            if action.eligible
            else no_longer_eligible(employer.determinations, employer.employer_id)
        )
    for group_id in employer.group_enrollment_ids:
        group = ledger.group_enrollment(group_id)
        restorations = [
            e
            for e in ledger.aggregate_events(group.id)
            if isinstance(e, GroupEnrollment.GroupCoverageRestoredOnAppeal)
            and e.appeal_id == appeal.appeal_id
        ]
        if restorations and finding is not None:
            group.advance(on, ledger.policy.in_force)
            restoration.end_again(group, on, restorations[-1], finding, policy)
            changed.append(group)
    return changed
