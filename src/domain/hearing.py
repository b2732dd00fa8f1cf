"""The hearing's question: what did we know, which rule did we apply, would we decide the same?

`recompute` replays the facts the ledger held when it made a determination (only events recorded
before it) and decides again, with the policy version it applied and with the current one. A
reversed determination is corrected the same way (`decide_again`, with the officer's findings).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .determination import Determination, determine_from
from .household import replay
from .policy import PolicyBook, PolicyVersion

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
) -> Determination:
    """The determination made on `on` from the facts held then (`prior`, the household's events
    recorded before it), with `policy`, and with any facts found at a hearing (`findings`, as a
    reported change gives them) merged in."""
    household = replay(prior)
    application = household.latest_application()
    if findings:
        application = application.with_changes(dict(findings))
    return determine_from(application, household.previous_member_results(), on, policy, basis)


def recompute(
    prior: list[Any], determination: Any, policy_version: str, book: PolicyBook
) -> Recomputation:
    """Decide again from `prior` with `policy_version`, and compare with what was recorded."""
    decided = decide_again(
        prior, determination.on, book.version(policy_version), determination.basis
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
