"""956 CMR 12.06 (applications) and 12.09(2) (reported changes): what a household tells the
Connector about its members."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

APPLICATION = "956 CMR 12.06"
REPORTED_CHANGE = "956 CMR 12.09(2)"

MEMBER_FACTS = ("birth_date", "resident", "lawfully_present", "incarcerated", "aptc_eligible")
"""What an application says of each member (12.06), besides the member's id."""

FACT_ALSO_GIVEN_AS = {"incarcerated": "incarceration"}
"""A fact another field may give instead: `incarceration` (12.04(1)(b)) says all `incarcerated`
says."""


def missing_member_facts(
    change: Mapping[str, Any], known_member_ids: Collection[str]
) -> tuple[str, ...]:
    """12.09(2) with 12.06: a reported change may give only the facts that changed for a member
    already on the application, but a member it adds needs every fact an application gives.
    The facts (by name, sorted) a change lacks for the member it names; none for a known one."""
    if change["member_id"] in known_member_ids:
        return ()
    return tuple(
        sorted(
            fact
            for fact in MEMBER_FACTS
            if change.get(fact) is None and change.get(FACT_ALSO_GIVEN_AS.get(fact, fact)) is None
        )
    )
