"""What-if replay's comparison (domain/what_if.py): the differences against the recorded
determination and the premium months they affect, on both sides of each boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.what_if import (
    BilledMonth,
    Difference,
    affected_months,
    member_differences,
    minimum_premium,
)

POLICY = DEFAULT_POLICY.current


def member(plan_type: str | None, effective_on: str = "2026-02-01", **extra: Any) -> dict[str, Any]:
    return {
        "member_id": extra.pop("member_id", "M1"),
        "program": extra.pop("program", "connectorcare"),
        "plan_type": plan_type,
        "fpl_percent": extra.pop("fpl_percent", "223.64"),
        "effective_on": effective_on,
    }


def billed(*months: int, members: tuple[str, ...] = ("M1",)) -> list[BilledMonth]:
    return [BilledMonth("E1", date(2026, m, 1), Decimal("150.00"), members) for m in months]


def test_the_same_results_make_no_difference() -> None:
    assert member_differences([member("3A")], [member("3A")]) == ()


def test_each_compared_field_that_changes_is_one_difference() -> None:
    found = member_differences([member("3A")], [member("2B", fpl_percent="159.74")])
    assert found == (
        Difference("M1", "plan_type", "3A", "2B"),
        Difference("M1", "fpl_percent", "223.64", "159.74"),
    )


def test_a_plan_type_change_affects_the_billed_months_from_its_effective_date() -> None:
    recorded, decided = [member("3A", "2026-03-01")], [member("2B", "2026-03-01")]
    months = affected_months(
        recorded, decided, member_differences(recorded, decided), billed(2, 3, 4), POLICY
    )
    assert [(m.month.month, m.plan_type_would_be) for m in months] == [(3, "2B"), (4, "2B")]
    assert (months[0].minimum_premium_recorded, months[0].minimum_premium_would_be) == (
        Decimal("103.00"),
        Decimal("53.00"),
    )


def test_an_earlier_effective_date_brings_its_months_in() -> None:
    recorded, decided = [member("3A", "2026-03-01")], [member("2B", "2026-02-01")]
    months = affected_months(
        recorded, decided, member_differences(recorded, decided), billed(2, 3), POLICY
    )
    assert [m.month.month for m in months] == [2, 3]


def test_an_fpl_change_within_the_same_plan_type_affects_no_premium_month() -> None:
    recorded, decided = [member("3A")], [member("3A", fpl_percent="240.00")]
    differences = member_differences(recorded, decided)
    assert differences and affected_months(recorded, decided, differences, billed(2), POLICY) == ()


def test_a_month_of_an_enrollment_not_covering_the_member_is_not_affected() -> None:
    recorded, decided = [member("3A")], [member("2B")]
    differences = member_differences(recorded, decided)
    assert affected_months(recorded, decided, differences, billed(2, members=("M2",)), POLICY) == ()


def test_the_minimum_premium_is_the_published_schedules_or_none() -> None:
    assert minimum_premium(POLICY, 2026, "2B") == Decimal("53.00")
    assert minimum_premium(POLICY, 2026, "3D") is None  # none published for 3D
    assert minimum_premium(POLICY, 2027, "2B") is None  # none published for 2027
    assert minimum_premium(POLICY, 2026, None) is None
