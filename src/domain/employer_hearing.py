"""The hearing's question for an employer's appeal (12.14(2)(b): "hearing replay as for
individuals"): what did we know, which rule did we apply, would we decide the same?

`recompute_employer` decides an employer's eligibility determination again (12.04(4)(a)1-5, (b),
12.11(3), 12.16(1)(b)) from the facts held when it was made: the employer's application recorded
before it, and the coverage year of a group coverage in force then (the employer's group
enrollments as they stood). `recompute_non_payment` decides a small group's termination for
non-payment again (12.12(11)-(12)) from the group as it stood the moment before: the payment date
its notice gave, the first month not paid in full and the retroactive end. Each with the policy
version the caller names (the one recorded, or the one in force on the hearing's date); nothing is
recorded. (A termination for non-payment is no Appealable Action, 12.13: its appeal is dismissed,
12.15(2)(b), yet its packet shows the decision re-derived.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .calendar import add_months, month_key
from .employer import Employer
from .enrollment.delinquency import non_payment_end
from .group_enrollment import GroupEnrollment
from .parameters import PolicyVersion
from .rules import premiums as premium_rules
from .rules import small_group as rules


@dataclass(frozen=True)
class Redecided:
    """A small-group decision decided again: `decision` (its fields, as the event records them),
    the rule (`citation`), and its `differences` from what was recorded (`{"field", "recorded",
    "recomputed"}`), none when it `matches`."""

    policy_version: str
    decision: dict[str, Any]
    citation: str
    matches: bool
    differences: list[dict[str, Any]]


def _redecided(
    policy: PolicyVersion, decision: dict[str, Any], citation: str, recorded: Any
) -> Redecided:
    differences = [
        {"field": name, "recorded": _plain(getattr(recorded, name)), "recomputed": value}
        for name, value in decision.items()
        if _plain(getattr(recorded, name)) != value
    ]
    return Redecided(policy.version, decision, citation, not differences, differences)


def replay_employer(events: list[Any]) -> Employer:
    """Fold the employer's events (a prefix of its record) into its state."""
    employer: Employer = events[0].mutate(None)
    for event in events[1:]:
        event.apply(employer)
    return employer


def recompute_employer(
    prior: list[Any],
    groups_then: Iterable[GroupEnrollment],
    determination: Any,
    policy: PolicyVersion,
) -> Redecided:
    """12.04(4): the determination `determination` (an `EmployerEligibilityDetermined`) decided
    again with `policy`, on its date, from the employer's events recorded before it (`prior`) and
    its group enrollments as they stood then (`groups_then`: the coverage year in force, for
    12.04(4)(b)). Refused `no_application` when no application was held, `no_policy_parameters`
    when `policy` publishes no minimum that must be applied."""
    application_on, record = replay_employer(prior).latest_application()
    on = determination.on
    years = [g.coverage_year() for g in groups_then]
    decided = rules.determine_employer(
        rules.EmployerFacts.from_record(record),
        application_on=application_on,
        on=on,
        policy=policy,
        coverage_year=next((y for y in years if rules.in_coverage_year(on, y)), None),
    )
    return _redecided(policy, decided.decision(), decided.citation, determination)


def recompute_non_payment(
    group_before: GroupEnrollment, termination: Any, policy: PolicyVersion
) -> Redecided:
    """12.12(11)-(12): the group's termination for non-payment `termination` (a
    `CoverageTerminated`) decided again from the group as it stood the moment before
    (`group_before`): the payment date of its last notice that gave one (with `policy`), the first
    month not paid in full, the last month paid in full, and the retroactive end."""
    first_unpaid, end_on = non_payment_end(group_before)
    notices = [n for n in group_before.notices if n.get("payment_due_on") is not None]
    payment_due_on = (
        premium_rules.delinquency_payment_due_on(date.fromisoformat(notices[-1]["on"]), policy)
        if notices
        else None
    )
    decision = {
        "end_on": end_on.isoformat(),
        "first_unpaid_month": month_key(first_unpaid),
    }
    redecided = _redecided(policy, decision, rules.GROUP_TERMINATION, termination)
    shown = {
        **decision,
        "last_month_paid_in_full": month_key(add_months(first_unpaid, -1)),
        "payment_due_on": payment_due_on.isoformat() if payment_due_on else None,
        "payment_due_on_recorded": (
            group_before.payment_due_on.isoformat() if group_before.payment_due_on else None
        ),
    }
    differences = list(redecided.differences)
    if shown["payment_due_on"] != shown["payment_due_on_recorded"]:
        differences.append(
            {
                "field": "payment_due_on",
                "recorded": shown["payment_due_on_recorded"],
                "recomputed": shown["payment_due_on"],
            }
        )
    return Redecided(policy.version, shown, redecided.citation, not differences, differences)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
