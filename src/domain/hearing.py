"""The hearing's question: what did we know, which rule did we apply, would we decide the same?

`recompute` replays the facts the ledger held when it made a determination (only events recorded
before it) and decides again, with the policy version it applied and with the current one. A
reversed determination is corrected the same way (`decide_again`, with the officer's findings).
`recompute_period_denial` does the same for a refused special enrollment period (12.13(3)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .determination import Determination, application_of, determine_from
from .enrollment import Enrollment
from .enrollment.coverage import coverage_lost
from .household import replay
from .parameters import PolicyBook, PolicyVersion
from .rules.enrollment_periods import (
    DenialReason,
    PeriodDenial,
    PeriodTerms,
    QualifyingKind,
    ai_an_change_denial,
    qualifying_event_decision,
)

COMPARED_FIELDS = ("program", "plan_type", "fpl_percent", "effective_on")


@dataclass(frozen=True)
class Recomputation:
    policy_version: str
    members: list[dict[str, Any]]
    matches: bool
    differences: list[dict[str, Any]]


def facts_before(household_events: Iterable[Any], version: int) -> list[Any]:
    """The household's events recorded before the one at `version` (the facts then held)."""
    return [e for e in household_events if e.originator_version < version]


def decide_again(
    prior: Iterable[Any],
    on: date,
    policy: PolicyVersion,
    basis: str,
    findings: Mapping[str, Any] | None = None,
    plan_year: int | None = None,
) -> Determination:
    """The determination made on `on` from the facts held then (`prior`, the household's events
    recorded before it), with `policy`, and with any facts found at a hearing (`findings`, as a
    reported change gives them) merged in; of the application for `plan_year` when given (a
    change reported after the renewal is determined for the plan year in progress too)."""
    household = replay(prior)
    application = application_of(household, plan_year)
    if findings:
        application = application.with_changes(dict(findings))
    return determine_from(application, household.previous_member_results(), on, policy, basis)


def recompute(
    prior: list[Any], determination: Any, policy_version: str, book: PolicyBook
) -> Recomputation:
    """Decide again from `prior` with `policy_version`, and compare with what was recorded."""
    decided = decide_again(
        prior,
        determination.on,
        book.version(policy_version),
        determination.basis,
        plan_year=determination.plan_year,
    )
    members = [member.record() for member in decided.members]
    recorded = {m["member_id"]: m for m in determination.members}
    differences = []
    for member in members:
        before = recorded.get(member["member_id"], {})
        for field_name in COMPARED_FIELDS:
            if before.get(field_name) != member[field_name]:
                differences.append(
                    {
                        "member_id": member["member_id"],
                        "field": field_name,
                        "recorded": before.get(field_name),
                        "recomputed": member[field_name],
                    }
                )
    return Recomputation(policy_version, members, not differences, differences)


@dataclass(frozen=True)
class PeriodRecomputation:
    """A refused special enrollment period decided again: `decision` `denied` (with its `reason`)
    or `opened` (with its `end_on`), the rule (`citation`) that decides it, and whether that is
    what was recorded; with the facts it rested on (`coverage_lost`: the household's enrollments
    whose coverage was lost for non-payment or fraud then, by id)."""

    policy_version: str
    decision: str
    reason: str | None
    end_on: date | None
    citation: str
    matches: bool
    differences: list[dict[str, Any]]
    coverage_lost: dict[str, str]


def recompute_period_denial(
    prior: list[Any],
    denial: Any,
    enrollments_then: Iterable[Enrollment],
    policy_version: str,
    book: PolicyBook,
) -> PeriodRecomputation:
    """Decide again, with `policy_version`, the special enrollment period refused by `denial` (a
    `SpecialEnrollmentPeriodDenied`), from the facts held when it was refused: the household's
    events recorded before it (`prior`: the American Indian or Alaska Native changes made) and its
    enrollments as they stood then (`enrollments_then`: coverage lost for non-payment or fraud)."""
    policy = book.version(policy_version)
    lost = coverage_lost(enrollments_then)
    decided: PeriodTerms | PeriodDenial | None
    if denial.reason == DenialReason.AI_AN_CHANGE_ALREADY_MADE_THIS_MONTH:
        decided = ai_an_change_denial(denial.on, replay(prior).ai_an_enrollments)
        if decided is None:
            decided = PeriodTerms(date.max, denial.citation)
    else:
        decided = qualifying_event_decision(
            QualifyingKind(denial.kind),
            denial.event_on,
            denial.on,
            policy,
            coverage_lost=lost,
        )
    if isinstance(decided, PeriodDenial):
        outcome, reason, end_on = "denied", decided.reason.value, decided.end_on
    else:  # opened (a period without end, the year-round AI/AN one, has no `end_on`)
        outcome, reason = "opened", None
        end_on = None if decided.end_on == date.max else decided.end_on
    compared = (
        ("decision", "denied", outcome),
        ("reason", denial.reason, reason),
        ("end_on", denial.end_on, end_on),
    )
    differences = [
        {"field": name, "recorded": _plain(was), "recomputed": _plain(now)}
        for name, was, now in compared
        if was != now
    ]
    return PeriodRecomputation(
        policy_version,
        outcome,
        reason,
        end_on,
        decided.citation,
        not differences,
        differences,
        {enrollment_id: how.reason for enrollment_id, how in lost.items()},
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
