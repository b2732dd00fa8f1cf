"""The read side as users ask it: coverage, balance and timeline, with `as_of` and `known_at`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from ..domain import representatives
from ..domain.appeal import Appeal
from ..domain.employer import Employer
from ..domain.employer_hearing import Redecided, recompute_employer, recompute_non_payment
from ..domain.enrollment import Enrollment, replay
from ..domain.enrollment.shared import EndReason
from ..domain.errors import LedgerError, UnknownEmployer, UnknownHousehold
from ..domain.group_enrollment import GroupEnrollment
from ..domain.group_enrollment import replay as replay_group
from ..domain.handlers.group_appeals import notified_action
from ..domain.hearing import facts_before, recompute, recompute_period_denial
from ..domain.household import Household
from ..domain.ledger import Ledger
from ..domain.parameters import PolicyVersion
from ..domain.rules.appeals import REHEARING
from ..projections.balance import current_balance
from ..projections.coverage import current_coverage
from ..projections.group_views import any_enrollment_at, balance_answer, coverage_answer
from ..projections.timelines import timeline_events
from .attribution import actor_of, actors_by_event, actors_of
from .hearing_premiums import premiums_by_month
from .wire import plain, render_event

T = TypeVar("T")


def coverage(
    ledger: Ledger, enrollment_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """From the coverage projection when it is current and no point in time is asked for. A
    small group's enrollment id answers with its employees' spans."""
    return _answer(ledger, current_coverage, coverage_answer, enrollment_id, as_of, known_at)


def balance(
    ledger: Ledger, enrollment_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """From the balance projection when it is current and no point in time is asked for. A
    small group's enrollment id answers with the employees each month bills."""
    return _answer(ledger, current_balance, balance_answer, enrollment_id, as_of, known_at)


def _answer(
    ledger: Ledger,
    projected: Callable[[Ledger, str], dict[str, Any] | None],
    view: Callable[[Enrollment | GroupEnrollment], dict[str, Any]],
    enrollment_id: str,
    as_of: date | None,
    known_at: datetime | None,
) -> dict[str, Any]:
    """The read model's stored answer when it is current and no point in time is asked for;
    otherwise the enrollment (an individual's or a small group's) folded from its events (as of
    / as known then) and its view."""
    if as_of is None and known_at is None and (found := projected(ledger, enrollment_id)):
        return found
    return view(any_enrollment_at(ledger, enrollment_id, as_of, known_at))


def timeline(ledger: Ledger, household_id: str, known_at: datetime | None = None) -> dict[str, Any]:
    """Every event of a household, its enrollments and appeals, in store order, each with who
    recorded it; or, for an employer's id (when no household has it), of the employer, its group
    enrollments and its appeals."""
    try:
        household = ledger.household(household_id)
    except UnknownHousehold:
        return employer_timeline(ledger, household_id, known_at)
    events = timeline_events(ledger.household_events(household), known_at)
    actors = actors_of(ledger, events)
    return {
        "household_id": household_id,
        "events": [render_event(e, by) for e, by in zip(events, actors, strict=True)],
    }


def employer_timeline(
    ledger: Ledger, employer_id: str, known_at: datetime | None = None
) -> dict[str, Any]:
    try:
        employer = ledger.employer(employer_id)
    except UnknownEmployer:
        raise UnknownHousehold(f"unknown household or employer {employer_id!r}") from None
    events = timeline_events(ledger.employer_events(employer), known_at)
    actors = actors_of(ledger, events)
    return {
        "employer_id": employer_id,
        "events": [render_event(e, by) for e, by in zip(events, actors, strict=True)],
    }


def hearing(ledger: Ledger, appeal_id: str, on: date | None = None) -> dict[str, Any]:
    """The hearing packet: the appealed determination, the facts held when it was made, the rule
    and policy version applied, the decision recomputed with that version and with the one in
    force on the hearing's date `on` (the current one when not given), who filed the appeal for whom, the household's representatives in force, the re-hearing
    and the stay of the initial decision (12.15(5)), and the household's whole timeline."""
    appeal = ledger.appeal(appeal_id)
    if appeal.household_id is None:
        return employer_hearing(ledger, appeal_id, on)
    household = ledger.household(appeal.household_id)
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    stream = list(ledger.aggregate_events(appeal.appealed_aggregate_id))
    prior = facts_before(stream, appeal.appealed_version)
    recomputed: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    note = None
    if type(appealed).__name__ == "EligibilityDetermined":
        recomputed = _recomputation(ledger, prior, appealed, appealed.policy_version)
        current = _recomputation(ledger, prior, appealed, _hearing_policy(ledger, on))
    elif isinstance(appealed, Household.SpecialEnrollmentPeriodDenied):
        then = _enrollments_before(ledger, prior, appealed)
        applied = appealed.policy_version or ledger.policy.current.version
        recomputed = _period_recomputation(ledger, prior, appealed, then, applied)
        current = _period_recomputation(ledger, prior, appealed, then, _hearing_policy(ledger, on))
    else:
        note = (
            "the ledger recomputes eligibility determinations and refused special enrollment "
            "periods; this action is shown as recorded"
        )
    history = timeline_events(ledger.household_events(household))
    actors = actors_by_event(
        ledger, [appeal.id, appeal.appealed_aggregate_id, *(e.originator_id for e in history)]
    )

    def shown(event: Any) -> dict[str, Any]:
        return render_event(event, actor_of(actors, event))

    appeal_events = list(ledger.aggregate_events(appeal.id))
    return {
        "appeal_id": appeal.appeal_id,
        "household_id": appeal.household_id,
        "appeal": {
            "filed_on": appeal.filed_on.isoformat(),
            "status": appeal.status,
            "outcome": appeal.outcome,
            "deadline": appeal.deadline.isoformat(),
            "timely": appeal.timely,
            "appealable_clause": appeal.appealable_clause,
            "appellant_member_id": appeal.appellant_member_id,
            "filed_by": _filed_by(household, appeal),
            "rehearing": _rehearing(appeal),
            "history": appeal.history,
            "events": [shown(e) for e in appeal_events],
        },
        "stay": _stay(appeal),
        "representatives": [_representative(r) for r in representatives.in_force(household)],
        "appealed_event": shown(appealed),
        "facts_known": [shown(e) for e in prior],
        "rule": {"citation": appealed.citation, "policy_version": appealed.policy_version},
        "recomputed": recomputed,
        "current_policy": current,
        "note": note,
        "timeline": [shown(e) for e in history],
        "premiums_by_month": premiums_by_month(ledger, household),
    }


def _enrollments_before(ledger: Ledger, prior: list[Any], appealed: Any) -> list[Enrollment]:
    """The household's enrollments (those it had linked by then) as they stood when `appealed`
    was recorded: each folded from its events recorded before it."""
    linked = [e.enrollment_id for e in prior if isinstance(e, Household.EnrollmentLinked)]
    return _as_they_stood(ledger, [Enrollment.id_for(e) for e in linked], replay, appealed)


def _as_they_stood(
    ledger: Ledger, aggregate_ids: list[UUID], fold: Callable[[list[Any]], T | None], event: Any
) -> list[T]:
    """Each aggregate folded (`fold`) from its events recorded before `event`, when it had any."""
    found = []
    for aggregate_id in aggregate_ids:
        folded = fold(
            [e for e in ledger.aggregate_events(aggregate_id) if e.timestamp < event.timestamp]
        )
        if folded is not None:
            found.append(folded)
    return found


def _period_recomputation(
    ledger: Ledger, prior: list[Any], appealed: Any, then: list[Enrollment], version: str
) -> dict[str, Any]:
    try:
        result = recompute_period_denial(prior, appealed, then, version, ledger.policy)
    except LedgerError as e:
        return {"policy_version": version, "error": {"code": e.code, "message": e.message}}
    return {
        "policy_version": result.policy_version,
        "decision": result.decision,
        "reason": result.reason,
        "end_on": result.end_on.isoformat() if result.end_on else None,
        "citation": result.citation,
        "matches": result.matches,
        "differences": result.differences,
        "coverage_lost": result.coverage_lost,
    }


def _representative(record: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = plain(record)
    return shown


def _filed_by(household: Household, appeal: Appeal) -> dict[str, Any] | None:
    """The representative who filed the appeal, as designated (with `revoked_on` if revoked
    since), or None when the appellant filed it."""
    if appeal.filed_by is None:
        return None
    return _representative(household.representatives[appeal.filed_by])


def _rehearing(appeal: Appeal) -> dict[str, Any] | None:
    if appeal.rehearing is None:
        return None
    shown: dict[str, Any] = plain(appeal.rehearing)
    shown["pending"] = appeal.rehearing["decided_on"] is None
    return shown


def _stay(appeal: Appeal) -> str | None:
    """12.15(5): the initial decision is stayed while its re-hearing is pending."""
    rehearing = appeal.rehearing
    if rehearing is None or rehearing["decided_on"] is not None:
        return None
    decide_by = rehearing["decide_by"]
    due = f"; a decision is due by {decide_by.isoformat()}" if decide_by is not None else ""
    return (
        f"the initial decision of {rehearing['initial_decision_on'].isoformat()} "
        f"({rehearing['initial_outcome']}) is stayed pending the re-hearing ordered on "
        f"{rehearing['ordered_on'].isoformat()} ({REHEARING}){due}"
    )


def _recomputation(ledger: Ledger, prior: list[Any], appealed: Any, version: str) -> dict[str, Any]:
    return _answered(version, lambda: recompute(prior, appealed, version, ledger.policy), "members")


def _answered(version: str, compute: Callable[[], Any], *fields: str) -> dict[str, Any]:
    """A decision recomputed with `version`: its `fields`, whether it matches the record and how
    it differs; or the coded refusal the recomputation met."""
    try:
        result = compute()
    except LedgerError as e:
        return {"policy_version": version, "error": {"code": e.code, "message": e.message}}
    return {
        "policy_version": result.policy_version,
        **{name: getattr(result, name) for name in fields},
        "matches": result.matches,
        "differences": result.differences,
    }


def employer_hearing(ledger: Ledger, appeal_id: str, on: date | None = None) -> dict[str, Any]:
    """An employer's (or its employee's, `employee_id`) hearing packet: the appealed action as
    recorded, the facts held when it was taken, the rule and policy version applied, the
    decision recomputed (an eligibility determination, or a termination for non-payment or the
    notice of it) with that version and with the one in force on the hearing's date `on` (the
    current one when not given), and the employer's whole timeline."""
    appeal = ledger.appeal(appeal_id)
    assert appeal.employer_id is not None
    employer = ledger.employer(appeal.employer_id)
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    prior = facts_before(
        list(ledger.aggregate_events(appeal.appealed_aggregate_id)), appeal.appealed_version
    )
    history = timeline_events(ledger.employer_events(employer))
    action = notified_action(ledger, appealed)
    decide_again = _employer_decision(ledger, employer, action)
    recomputed = _employer_recomputation(ledger, decide_again, action.policy_version)
    current = _employer_recomputation(ledger, decide_again, _hearing_policy(ledger, on))
    actors = actors_by_event(
        ledger, [appeal.id, appeal.appealed_aggregate_id, *(e.originator_id for e in history)]
    )

    def shown(event: Any) -> dict[str, Any]:
        return render_event(event, actor_of(actors, event))

    return {
        "appeal_id": appeal.appeal_id,
        "employer_id": appeal.employer_id,
        # the appellant: the employer (null) or its employee (12.14(2)(b))
        "employee_id": appeal.employee_id,
        "appeal": {
            "filed_on": appeal.filed_on.isoformat(),
            "status": appeal.status,
            "outcome": appeal.outcome,
            "deadline": appeal.deadline.isoformat(),
            "timely": appeal.timely,
            "appealable_clause": appeal.appealable_clause,
            "appellant_member_id": None,
            "filed_by": None,
            "rehearing": _rehearing(appeal),
            "history": appeal.history,
            "events": [shown(e) for e in ledger.aggregate_events(appeal.id)],
        },
        "stay": _stay(appeal),
        "representatives": [],  # 12.17: representatives are a household's
        "appealed_event": shown(appealed),
        "facts_known": [shown(e) for e in prior],
        "rule": {"citation": appealed.citation, "policy_version": appealed.policy_version},
        "recomputed": recomputed,
        "current_policy": current,
        "note": None
        if recomputed is not None
        else (
            "the ledger recomputes an employer's eligibility determination and a group's "
            "termination for non-payment; this action is shown as recorded"
        ),
        "timeline": [shown(e) for e in history],
    }


def _hearing_policy(ledger: Ledger, on: date | None) -> str:
    """The policy version a hearing on `on` recomputes with besides the one applied: the one in
    force that day (the adapter gives the date), or the current one when none is given."""
    return (ledger.policy.in_force(on) if on is not None else ledger.policy.current).version


def _employer_decision(
    ledger: Ledger, employer: Employer, action: Any
) -> Callable[[PolicyVersion], Redecided] | None:
    """How the small-group `action` is decided again under a policy version, from the facts
    held when it was taken (read once, for both recomputations of `employer_hearing`); None for
    an action the ledger does not recompute."""
    if isinstance(action, Employer.EmployerEligibilityDetermined):
        prior = facts_before(ledger.aggregate_events(employer.id), action.originator_version)
        groups = _groups_before(ledger, employer, action)
        return lambda policy: recompute_employer(prior, groups, action, policy)
    if (
        isinstance(action, GroupEnrollment.CoverageTerminated)
        and action.reason == EndReason.NON_PAYMENT
    ):
        events = list(ledger.aggregate_events(action.originator_id))
        before = replay_group(facts_before(events, action.originator_version))
        if before is not None:
            return lambda policy: recompute_non_payment(before, action, policy)
    return None


def _employer_recomputation(
    ledger: Ledger, decide_again: Callable[[PolicyVersion], Redecided] | None, version: str | None
) -> dict[str, Any] | None:
    """The action decided again (`_employer_decision`) with `version`, None when it is not."""
    if decide_again is None or version is None:
        return None
    return _answered(
        version, lambda: decide_again(ledger.policy.version(version)), "decision", "citation"
    )


def _groups_before(ledger: Ledger, employer: Employer, event: Any) -> list[GroupEnrollment]:
    """The employer's group enrollments as they stood when `event` was recorded."""
    ids = [GroupEnrollment.id_for(g) for g in employer.group_enrollment_ids]
    return _as_they_stood(ledger, ids, replay_group, event)
