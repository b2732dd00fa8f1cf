"""956 CMR 12.06 and 12.09(2): a reported change may give only what changed for a member already on
the application; a member it adds needs every fact an application gives."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_ledger.domain.rules.applications import missing_member_facts

case = pytest.param
EVERY_FACT = {
    "member_id": "M2",
    "birth_date": "2000-01-01",
    "resident": True,
    "lawfully_present": True,
    "incarcerated": False,
    "aptc_eligible": True,
}


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        case({"member_id": "M1", "incarcerated": True}, (), id="a known member, one fact changed: nothing missing"),
        case({"member_id": "M1"}, (), id="a known member with no fact: nothing missing"),
        case(EVERY_FACT, (), id="a new member with every fact: nothing missing"),
        case({**EVERY_FACT, "resident": False, "aptc_eligible": False}, (), id="a new member whose facts are false: false is a fact given"),
        case({"member_id": "M2", "resident": True}, ("aptc_eligible", "birth_date", "incarcerated", "lawfully_present"), id="a new member with one fact: the four others, sorted"),
        case({**EVERY_FACT, "birth_date": None}, ("birth_date",), id="a new member without a birth date: birth_date"),
    ],
)  # fmt: skip
def test_a_member_added_by_a_change_needs_every_fact_of_an_application(
    change: dict[str, Any], missing: tuple[str, ...]
) -> None:
    assert missing_member_facts(change, {"M1"}) == missing
