"""12.04(4)(b), 45 CFR 155.725(b), (c): a small group's coverage year not renewed ends on its last
day, decided on the day the first month of its next year would be invoiced (the 5th of the month
before, by the contract's invoice day) — the rule on both sides of that day, the schedule's
milestone on both sides of it, and a renewal refused once coverage ends within the year.

Expected dates are worked out by hand in the comments; nothing here re-computes the rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.domain.enrollment import billing
from enrollment_ledger.domain.enrollment.schedule import Milestone
from enrollment_ledger.domain.enrollment.shared import InvoiceKind
from enrollment_ledger.domain.errors import InvalidCommand
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.group_enrollment import GroupEnrollment, schedule
from enrollment_ledger.domain.group_enrollment.schedule import GroupSameDayOrder
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import small_group_changes as rules

POLICY = DEFAULT_POLICY.current


@pytest.fixture(autouse=True)
def _record_instant() -> Iterator[None]:
    with recording_at(datetime(2026, 1, 1, tzinfo=UTC)):
        yield


def names(events: list[Any]) -> list[str]:
    return [type(event).__name__ for event in events]


def covered_from_april_2026() -> GroupEnrollment:
    """A group selected 5 February 2026 for 1 April, one employee (500.00 a month), its binder
    paid 20 March, and 5,500.00 more paid then (the rest of the year, through March 2027)."""
    group = GroupEnrollment.select(
        on=date(2026, 2, 5),
        group_enrollment_id="G-unit",
        employer_id="E-unit",
        plan_id="SG-GOLD",
        coverage="health",
        coverage_start_on=date(2026, 4, 1),
        enrollment_deadline=date(2026, 3, 13),
        policy=POLICY,
    )
    group.enroll_employee(
        date(2026, 2, 10), "EMP-1", ["EMP-1"], Decimal("500.00"), None, None, POLICY
    )
    group.record_payment(date(2026, 3, 20), Decimal("6000.00"), "year", POLICY)
    group.advance(date(2026, 3, 20), POLICY)
    list(group.collect_events())
    return group


class TestTheDayTheYearsEndIsDecided:
    @pytest.mark.parametrize(
        ("year_ends_on", "decided_on"),
        [
            (date(2027, 3, 31), date(2027, 3, 5)),  # April 2027 is invoiced on 5 March
            (date(2026, 12, 31), date(2026, 12, 5)),  # a calendar year: January on 5 December
            (date(2027, 1, 31), date(2027, 1, 5)),  # February 2027 on 5 January
        ],
    )
    def test_is_the_invoice_day_of_the_next_years_first_month(
        self, year_ends_on: date, decided_on: date
    ) -> None:
        assert rules.coverage_year_end_decided_on(year_ends_on, POLICY) == decided_on

    def test_the_year_ending_is_the_twelve_months_before_the_day_after_it(self) -> None:
        assert rules.coverage_year_ending(date(2027, 3, 31)) == (
            date(2026, 4, 1),
            date(2027, 3, 31),
        )


class TestTheScheduleMilestone:
    def test_the_day_before_the_year_end_is_due_and_nothing_is_decided(self) -> None:
        group = covered_from_april_2026()
        group.advance(date(2027, 3, 4), POLICY)
        recorded = names(list(group.collect_events()))

        assert "GroupCoverageYearEnded" not in recorded
        assert schedule.next_milestone(group, POLICY) == Milestone(
            date(2027, 3, 5), GroupSameDayOrder.COVERAGE_YEAR_ENDS
        )
        assert max(group.invoices) == date(2027, 3, 1)
        assert group.end_on is None

    def test_on_the_day_the_year_ends_on_its_last_day_and_april_is_never_billed(self) -> None:
        group = covered_from_april_2026()
        group.advance(date(2027, 3, 5), POLICY)
        recorded = list(group.collect_events())

        assert names(recorded)[-1] == "GroupCoverageYearEnded"
        assert recorded[-1].citation == "956 CMR 12.04(4)(b); 45 CFR 155.725(b), (c)"
        assert (group.end_on, group.end_reason) == (date(2027, 3, 31), "coverage_year_ended")
        assert max(group.invoices) == date(2027, 3, 1)
        assert schedule.next_milestone(group, POLICY) == Milestone(
            date(2027, 4, 1), GroupSameDayOrder.COVERAGE_END_PASSED
        )

    def test_the_day_after_the_last_day_coverage_has_ended(self) -> None:
        group = covered_from_april_2026()
        group.advance(date(2027, 4, 1), POLICY)

        assert names(list(group.collect_events()))[-1] == "CoverageEnded"
        assert group.ended and group.status == "terminated"
        assert schedule.next_milestone(group, POLICY) is None


class TestAMonthBilledBeyondTheYear:
    def test_by_a_ledger_of_the_first_edition_is_voided_and_its_payment_due_back(self) -> None:
        """April 2027 billed and paid as the first edition billed every group on (its invoice
        issued on 5 March 2027 without the year's end): the end voids it, its 500.00 becomes
        credit, and the credit is due back once coverage has ended."""
        group = covered_from_april_2026()
        group.advance(date(2027, 3, 4), POLICY)
        group.record_payment(date(2027, 3, 4), Decimal("500.00"), "april-2027", POLICY)
        billing.issue_invoice(
            group, date(2027, 4, 1), date(2027, 3, 5), date(2027, 3, 23), InvoiceKind.MONTHLY,
            POLICY,
        )  # fmt: skip
        assert group.invoices[date(2027, 4, 1)].paid == Decimal("500.00")
        list(group.collect_events())

        group.advance(date(2027, 5, 5), POLICY)
        recorded = names(list(group.collect_events()))

        assert recorded[:1] == ["GroupCoverageYearEnded"]
        assert group.invoices[date(2027, 4, 1)].voided
        assert (group.credit, group.refund_due) == (Decimal("0.00"), Decimal("500.00"))
        assert group.money_account().conserved
        assert "InvoiceIssued" not in recorded


class TestARenewal:
    def test_is_possible_while_no_end_is_decided_within_the_year(self) -> None:
        rules.check_renewable(None, date(2027, 3, 31))
        rules.check_renewable(date(2027, 4, 30), date(2027, 3, 31))  # an end after the year

    @pytest.mark.parametrize("ends_on", [date(2027, 3, 31), date(2026, 12, 31)])
    def test_is_refused_once_coverage_ends_within_the_year(self, ends_on: date) -> None:
        with pytest.raises(InvalidCommand) as refused:
            rules.check_renewable(ends_on, date(2027, 3, 31))
        assert refused.value.code == "invalid_state"
