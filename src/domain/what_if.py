"""What-if replay for a hearing: the appealed determination decided again from the facts held
then, with corrected facts (any field a reported change gives) or another policy version, and what
would follow, as differences against what was recorded. Nothing here records anything: the answer
is a value (`WhatIf`), and the ledger is not touched.

What would follow, besides each member's program, plan type, FPL % and effective date: the premium
months affected, that is each billed month of the household's enrollments, from the earliest
effective date that changes, covering a member whose program or plan type would change; with the
ConnectorCare minimum premium of the plan type recorded and of the plan type it would be (the
12.12(9) schedule of the policy version), where one is published. The ledger does not price plans
(a premium comes from the plan selected), so the months are named, not re-billed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .calendar import first_of_month
from .errors import NoPolicyParameters
from .hearing import COMPARED_FIELDS, decide_again
from .parameters import PolicyVersion

NOTHING_RECORDED = (
    "nothing was recorded: this is a what-if replay of the appealed determination, and the "
    "ledger is unchanged"
)


@dataclass(frozen=True)
class BilledMonth:
    """One month billed on one of the household's enrollments, and whom it covers."""

    enrollment_id: str
    month: date
    billed: Decimal
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    """A member's field as recorded and as it would be."""

    member_id: str
    field: str
    recorded: Any
    would_be: Any


@dataclass(frozen=True)
class AffectedMonth:
    """A billed month whose member's program or plan type would change."""

    enrollment_id: str
    month: date
    billed: Decimal
    member_id: str
    plan_type_recorded: str | None
    plan_type_would_be: str | None
    program_recorded: str
    program_would_be: str
    minimum_premium_recorded: Decimal | None
    minimum_premium_would_be: Decimal | None


@dataclass(frozen=True)
class WhatIf:
    """The appealed determination decided again: each member as it would be, the differences
    against the record, and the premium months they affect. `recorded` is always False."""

    policy_version: str
    facts: Mapping[str, Any]
    members: tuple[dict[str, Any], ...]
    differences: tuple[Difference, ...]
    premium_months: tuple[AffectedMonth, ...]
    recorded: bool = False
    note: str = NOTHING_RECORDED

    @property
    def matches(self) -> bool:
        return not self.differences


def what_if(
    prior: Iterable[Any],
    appealed: Any,
    policy: PolicyVersion,
    facts: Mapping[str, Any] | None,
    billed: Sequence[BilledMonth] = (),
) -> WhatIf:
    """Decide `appealed` (an `EligibilityDetermined`) again on its own date from `prior` (the
    household's events recorded before it) with `facts` merged in (as a reported change gives
    them: `annual_magi`, `household_size`, `members`) under `policy`, and compare with what it
    recorded; `billed` are the household's billed months (for the premium months affected)."""
    decided = decide_again(
        list(prior), appealed.on, policy, appealed.basis, facts or None, appealed.plan_year
    )
    members = tuple(member.record() for member in decided.members)
    differences = member_differences(appealed.members, members)
    months = affected_months(appealed.members, members, differences, billed, policy)
    return WhatIf(policy.version, dict(facts or {}), members, differences, months)


def member_differences(
    recorded: Iterable[Mapping[str, Any]], decided: Iterable[Mapping[str, Any]]
) -> tuple[Difference, ...]:
    """Each compared field (program, plan type, FPL %, effective date) that differs, per member;
    a member only one side has differs in every field."""
    before = {m["member_id"]: m for m in recorded}
    after = {m["member_id"]: m for m in decided}
    return tuple(
        Difference(
            member_id, name, before.get(member_id, {}).get(name), after.get(member_id, {}).get(name)
        )
        for member_id in [*before, *(m for m in after if m not in before)]
        for name in COMPARED_FIELDS
        if before.get(member_id, {}).get(name) != after.get(member_id, {}).get(name)
    )


def affected_months(
    recorded: Iterable[Mapping[str, Any]],
    decided: Iterable[Mapping[str, Any]],
    differences: Sequence[Difference],
    billed: Sequence[BilledMonth],
    policy: PolicyVersion,
) -> tuple[AffectedMonth, ...]:
    """The billed months, from the earlier of the two effective dates, covering a member whose
    program or plan type would change."""
    before = {m["member_id"]: m for m in recorded}
    after = {m["member_id"]: m for m in decided}
    changed = {d.member_id for d in differences if d.field in ("program", "plan_type")}
    out = []
    for member_id in sorted(changed):
        was, now = before.get(member_id, {}), after.get(member_id, {})
        starts = [
            date.fromisoformat(m["effective_on"]) for m in (was, now) if m.get("effective_on")
        ]
        if not starts:
            continue
        first = first_of_month(min(starts))
        for month in billed:
            if member_id in month.member_ids and month.month >= first:
                out.append(
                    AffectedMonth(
                        month.enrollment_id,
                        month.month,
                        month.billed,
                        member_id,
                        was.get("plan_type"),
                        now.get("plan_type"),
                        str(was.get("program")),
                        str(now.get("program")),
                        minimum_premium(policy, month.month.year, was.get("plan_type")),
                        minimum_premium(policy, month.month.year, now.get("plan_type")),
                    )
                )
    return tuple(sorted(out, key=lambda m: (m.enrollment_id, m.month, m.member_id)))


def minimum_premium(policy: PolicyVersion, plan_year: int, plan_type: str | None) -> Decimal | None:
    """The 12.12(9) minimum premium of `plan_type` in `plan_year`, or None (no plan type, or none
    published for it)."""
    if plan_type is None:
        return None
    try:
        schedule = policy.minimum_premiums(plan_year).value
    except NoPolicyParameters:
        return None
    return schedule.get(plan_type)
