"""The hearing's question: what did we know, which rule did we apply, would we decide the same?

`recompute` replays the facts the ledger held when it made a determination (only events recorded
before it) and decides again, with the policy version it applied and with the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .household import Household, determine_from
from .policy import PolicyBook

COMPARED_FIELDS = ("program", "plan_type", "fpl_percent", "effective_on")


@dataclass(frozen=True)
class Recomputation:
    policy_version: str
    members: list[dict[str, Any]]
    matches: bool
    differences: list[dict[str, Any]]


def facts_before(household_events: list[Any], version: int) -> list[Any]:
    """The household's events recorded before the one at `version` (the facts then held)."""
    return [e for e in household_events if e.originator_version < version]


def recompute(
    prior: list[Any], determination: Any, policy_version: str, book: PolicyBook
) -> Recomputation:
    """Decide again from `prior` with `policy_version`, and compare with what was recorded."""
    household: Household | None = None
    for event in prior:
        household = event.mutate(household)
    assert household is not None
    application = household.latest_application()
    decided = determine_from(
        application,
        household.previous_member_results(),
        determination.on,
        book.version(policy_version),
        determination.basis,
    )
    recorded = {m["member_id"]: m for m in determination.members}
    differences = []
    for member in decided["members"]:
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
    return Recomputation(policy_version, decided["members"], not differences, differences)
