"""956 CMR 12.04(3)(b) plan-type boundaries and 12.03 FPL, as pure rules (plan year 2026:
2025 HHS guidelines, $15,650 + $5,500 per extra person)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from enrollment_ledger.domain.errors import NoPolicyParameters
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import eligibility as rules

POLICY = DEFAULT_POLICY.current
FPL_2026 = {1: Decimal("15650"), 3: Decimal("26650")}

# (limit % of FPL, plan type at the limit, program/plan type one cent above it)
BOUNDARIES = [
    (100, "1", "2A"),
    (150, "2A", "2B"),
    (200, "2B", "3A"),
    (250, "3A", "3B"),
    (300, "3B", "3C"),
    (400, "3C", "3D"),
    (500, "3D", None),
]


def determine(magi: Decimal, size: int, aptc_eligible: bool = True) -> rules.MemberEligibility:
    member = rules.MemberFacts("M1", True, True, False, aptc_eligible)
    fpl = POLICY.fpl(2026).value.for_household(size)
    return rules.member_eligibility(member, [member], magi, fpl, POLICY, date(2026, 1, 1))


def test_fpl_for_plan_year_2026_is_the_2025_guideline() -> None:
    """12.03: FPL as of the first day of open enrollment (1 Nov 2025 -> 2025 guidelines)."""
    for size, amount in FPL_2026.items():
        assert POLICY.fpl(2026).value.for_household(size) == amount
    assert POLICY.fpl(2025).value.for_household(1) == Decimal("15060")
    assert POLICY.fpl(2027).value.for_household(2) == Decimal("21640")


def test_a_plan_year_without_parameters_is_a_clear_error() -> None:
    with pytest.raises(NoPolicyParameters, match="plan year 2024"):
        POLICY.fpl(2024)


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize(("limit", "at_limit", "above_limit"), BOUNDARIES)
def test_plan_type_at_and_one_cent_above_each_limit(
    size: int, limit: int, at_limit: str, above_limit: str | None
) -> None:
    """12.04(3)(b): "not in excess of" / "at or below" each limit; one cent more is the next band."""
    magi_at = FPL_2026[size] * limit / 100
    at = determine(magi_at, size)
    assert (at.program, at.plan_type) == ("connectorcare", at_limit)
    above = determine(magi_at + Decimal("0.01"), size)
    if above_limit is None:
        # 12.04(2): above 500% FPL an APTC-eligible member has APTC only.
        assert (above.program, above.plan_type) == ("aptc_only", None)
    else:
        assert (above.program, above.plan_type) == ("connectorcare", above_limit)


def test_a_member_not_eligible_for_aptc_is_non_group() -> None:
    """12.04(3)(a)2: ConnectorCare needs APTC eligibility; 12.04(1) alone gives non-group."""
    result = determine(Decimal("20000"), 1, aptc_eligible=False)
    assert (result.program, result.plan_type) == ("non_group", None)


@pytest.mark.parametrize(
    ("facts", "clause"),
    [
        (rules.MemberFacts("M1", False, True, False, True), "12.04(1)(c)"),
        (rules.MemberFacts("M1", True, False, False, True), "12.04(1)(a)"),
        (rules.MemberFacts("M1", True, True, True, True), "12.04(1)(b)"),
    ],
)
def test_a_non_resident_unlawfully_present_or_incarcerated_member_is_ineligible(
    facts: rules.MemberFacts, clause: str
) -> None:
    fpl = POLICY.fpl(2026).value.for_household(1)
    result = rules.member_eligibility(
        facts, [facts], Decimal("20000"), fpl, POLICY, date(2026, 1, 1)
    )
    assert result.program == "ineligible"
    assert result.plan_type is None
    assert any(clause in reason for reason in result.reasons)


def test_a_household_member_of_a_resident_is_treated_as_a_resident() -> None:
    """12.03 Resident(d): at least one other member is a Resident."""
    resident = rules.MemberFacts("M1", True, True, False, True)
    moved_in = rules.MemberFacts("M2", False, True, False, True)
    assert rules.treated_as_resident(moved_in, [resident, moved_in])
    assert not rules.treated_as_resident(moved_in, [moved_in])
