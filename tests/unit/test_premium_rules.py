"""956 CMR 12.10(2)-(3), 12.10(8), 12.12(1)-(6), 12.16(3)(b): the binder, the monthly invoice,
delinquency, retroactive termination, reinstatement and voluntary termination, one table per rule.

Every expected value is written out as a literal date, read from the regulation and from the
contract's "Policy defaults" table (invoice issued on the 5th and due on the 23rd of the month
before; notice on the 5th of the month after a missed due date; payment date 35 days after the
notice; reinstatement window 35 days; cut-off the 15th) and the premium FAQ's worked example.
No expectation is computed by the function under test: the law is visible in the table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.premiums import (
    binder_due_on,
    coverage_start_for_payment,
    delinquency_notice_on,
    delinquency_payment_due_on,
    end_taken_on,
    first_coverage_month,
    first_month_not_paid_in_full,
    invoice_dates,
    is_financially_assisted,
    reinstatement_deadline,
    reinstatement_months,
    termination_end_on,
    voluntary_end_on,
)

POLICY = DEFAULT_POLICY.current


case = pytest.param


# ---- 12.10(2): the binder is due on the 23rd of the month of selection, or of the next month ----


@pytest.mark.parametrize(
    ("selected_on", "due_on"),
    [
        case(date(2026, 3, 1), date(2026, 3, 23), id="selected on the 1st: due the 23rd of that month"),
        case(date(2026, 3, 22), date(2026, 3, 23), id="selected on the 22nd: due the next day"),
        case(date(2026, 3, 23), date(2026, 3, 23), id="selected on the 23rd: due that same day"),
        case(date(2026, 3, 24), date(2026, 4, 23), id="selected on the 24th: due the 23rd of the next month"),
        case(date(2026, 3, 31), date(2026, 4, 23), id="selected on the 31st: due the 23rd of the next month"),
        case(date(2026, 2, 24), date(2026, 3, 23), id="selected on 24 February: due 23 March"),
        case(date(2026, 12, 23), date(2026, 12, 23), id="selected on 23 December: due that same day"),
        case(date(2026, 12, 24), date(2027, 1, 23), id="selected on 24 December: due 23 January of the next year"),
    ],
)  # fmt: skip
def test_the_binder_is_due_on_the_23rd_of_the_selection_month_or_of_the_next_after_the_23rd(
    selected_on: date, due_on: date
) -> None:
    assert binder_due_on(selected_on, POLICY) == due_on


# ---- 12.10(3): coverage begins on the first of the month after enrollment is complete ----------


@pytest.mark.parametrize(
    ("selected_on", "plan_year", "first_month"),
    [
        case(date(2026, 3, 22), 2026, date(2026, 4, 1), id="selected on 22 March: coverage from 1 April"),
        case(date(2026, 3, 23), 2026, date(2026, 4, 1), id="selected on 23 March: coverage from 1 April"),
        case(date(2026, 3, 24), 2026, date(2026, 5, 1), id="selected on 24 March: coverage from 1 May, a month later"),
        case(date(2026, 4, 10), 2026, date(2026, 5, 1), id="selected in the month after, on 10 April: coverage from 1 May"),
        case(date(2026, 12, 23), 2027, date(2027, 1, 1), id="selected on 23 December for next year: coverage from 1 January"),
        case(date(2026, 12, 24), 2027, date(2027, 2, 1), id="selected on 24 December for next year: coverage from 1 February"),
        case(date(2026, 11, 10), 2027, date(2027, 1, 1), id="selected in November for next year: never before 1 January of the plan year"),
        case(date(2027, 1, 23), 2027, date(2027, 2, 1), id="selected on the last day of open enrollment: coverage from 1 February"),
        case(date(2027, 1, 24), 2027, date(2027, 3, 1), id="selected on 24 January: coverage from 1 March"),
    ],
)  # fmt: skip
def test_the_first_coverage_month_follows_the_binder_due_date_and_never_precedes_the_plan_year(
    selected_on: date, plan_year: int, first_month: date
) -> None:
    assert first_coverage_month(selected_on, plan_year, POLICY) == first_month


@pytest.mark.parametrize(
    ("paid_on", "earliest", "start_on"),
    [
        case(date(2026, 3, 22), date(2026, 4, 1), date(2026, 4, 1), id="binder paid on the 22nd: coverage from the 1st of the next month"),
        case(date(2026, 3, 23), date(2026, 4, 1), date(2026, 4, 1), id="binder paid on the 23rd: coverage from the 1st of the next month"),
        case(date(2026, 3, 24), date(2026, 4, 1), date(2026, 5, 1), id="binder paid on the 24th: coverage a month later"),
        case(date(2026, 3, 24), date(2026, 5, 1), date(2026, 5, 1), id="selected and paid on 24 March: coverage from 1 May"),
        case(date(2026, 4, 10), date(2026, 5, 1), date(2026, 5, 1), id="binder paid in the month after selection, before the 23rd: the binder month"),
        case(date(2026, 12, 23), date(2027, 1, 1), date(2027, 1, 1), id="binder paid on 23 December: coverage from 1 January"),
        case(date(2026, 12, 24), date(2027, 2, 1), date(2027, 2, 1), id="binder paid on 24 December: coverage from 1 February"),
        case(date(2026, 11, 12), date(2027, 1, 1), date(2027, 1, 1), id="binder paid in November for next year: not before the binder month"),
    ],
)  # fmt: skip
def test_a_binder_paid_after_the_23rd_starts_coverage_a_month_later(
    paid_on: date, earliest: date, start_on: date
) -> None:
    assert coverage_start_for_payment(paid_on, earliest, POLICY) == start_on


# ---- 12.12(1): the invoice for month M is issued on the 5th and due on the 23rd of M-1 ---------


@pytest.mark.parametrize(
    ("month", "issued_on", "due_on"),
    [
        case(date(2026, 5, 1), date(2026, 4, 5), date(2026, 4, 23), id="May's invoice: issued 5 April, due 23 April"),
        case(date(2026, 3, 1), date(2026, 2, 5), date(2026, 2, 23), id="March's invoice: issued 5 February, due 23 February"),
        case(date(2027, 1, 1), date(2026, 12, 5), date(2026, 12, 23), id="January's invoice: issued 5 December, due 23 December of the year before"),
        case(date(2027, 2, 1), date(2027, 1, 5), date(2027, 1, 23), id="February's invoice: issued 5 January, due 23 January"),
        case(date(2026, 5, 17), date(2026, 4, 5), date(2026, 4, 23), id="any day of May names May's invoice"),
    ],
)  # fmt: skip
def test_the_invoice_for_a_month_is_issued_on_the_5th_and_due_on_the_23rd_of_the_month_before(
    month: date, issued_on: date, due_on: date
) -> None:
    assert invoice_dates(month, POLICY) == (issued_on, due_on)


# ---- 12.12(2), (4): the delinquency notice and the payment date it gives ------------------------


@pytest.mark.parametrize(
    ("missed_due_on", "notice_on"),
    [
        case(date(2026, 3, 23), date(2026, 4, 5), id="due 23 March and missed: notice on 5 April (the FAQ's first notice)"),
        case(date(2026, 4, 23), date(2026, 5, 5), id="due 23 April and missed: notice on 5 May (the FAQ's second notice)"),
        case(date(2026, 12, 23), date(2027, 1, 5), id="due 23 December and missed: notice on 5 January of the next year"),
        case(date(2026, 1, 31), date(2026, 2, 5), id="due on the 31st and missed: notice on the 5th of the next month"),
    ],
)  # fmt: skip
def test_a_delinquency_notice_is_issued_on_the_5th_of_the_month_after_the_missed_due_date(
    missed_due_on: date, notice_on: date
) -> None:
    assert delinquency_notice_on(missed_due_on, POLICY) == notice_on


@pytest.mark.parametrize(
    ("notice_on", "payment_due_on"),
    [
        case(date(2026, 5, 5), date(2026, 6, 9), id="notice on 5 May: pay by 9 June (the FAQ's June payment date)"),
        case(date(2026, 4, 5), date(2026, 5, 10), id="notice on 5 April: pay by 10 May (April has 30 days)"),
        case(date(2026, 2, 5), date(2026, 3, 12), id="notice on 5 February 2026: pay by 12 March (28-day February)"),
        case(date(2028, 2, 5), date(2028, 3, 11), id="notice on 5 February 2028: pay by 11 March (leap year)"),
        case(date(2026, 12, 5), date(2027, 1, 9), id="notice on 5 December: pay by 9 January of the next year"),
    ],
)  # fmt: skip
def test_the_payment_date_in_a_delinquency_notice_is_35_days_after_it(
    notice_on: date, payment_due_on: date
) -> None:
    assert delinquency_payment_due_on(notice_on, POLICY) == payment_due_on


def test_day_35_after_the_notice_is_the_last_day_to_pay_and_day_36_is_past_it() -> None:
    notice_on = date(2026, 5, 5)
    payment_due_on = delinquency_payment_due_on(notice_on, POLICY)
    assert (payment_due_on - notice_on).days == 35
    assert payment_due_on == date(2026, 6, 9)
    assert date(2026, 6, 10) > payment_due_on


# ---- 12.12(3), (5): the retroactive end of coverage for non-payment -----------------------------


@pytest.mark.parametrize(
    ("first_unpaid_month", "financially_assisted", "end_on"),
    [
        case(date(2026, 4, 1), True, date(2026, 4, 30), id="assisted, April first unpaid: ends 30 April, the FAQ's grace month"),
        case(date(2026, 4, 1), False, date(2026, 3, 31), id="not assisted, April first unpaid: ends 31 March, the last month paid in full"),
        case(date(2028, 2, 1), True, date(2028, 2, 29), id="assisted, February of a leap year unpaid: ends 29 February"),
        case(date(2026, 3, 1), False, date(2026, 2, 28), id="not assisted, March first unpaid: ends 28 February"),
        case(date(2026, 12, 1), True, date(2026, 12, 31), id="assisted, December first unpaid: ends 31 December"),
        case(date(2027, 1, 1), False, date(2026, 12, 31), id="not assisted, January first unpaid: ends 31 December of the year before"),
    ],
)  # fmt: skip
def test_coverage_ends_at_the_first_unpaid_month_if_assisted_or_before_it_if_not(
    first_unpaid_month: date, financially_assisted: bool, end_on: date
) -> None:
    assert termination_end_on(first_unpaid_month, financially_assisted) == end_on


# ---- 12.12(6): reinstatement -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("termination_notice_on", "deadline"),
    [
        case(date(2026, 6, 10), date(2026, 7, 15), id="terminated on 10 June: request by 15 July"),
        case(date(2026, 5, 11), date(2026, 6, 15), id="terminated on 11 May: request by 15 June"),
        case(date(2026, 12, 10), date(2027, 1, 14), id="terminated on 10 December: request by 14 January of the next year"),
        case(date(2026, 1, 31), date(2026, 3, 7), id="terminated on 31 January: request by 7 March (28-day February)"),
    ],
)  # fmt: skip
def test_a_reinstatement_must_be_requested_within_35_days_of_the_termination_notice(
    termination_notice_on: date, deadline: date
) -> None:
    assert reinstatement_deadline(termination_notice_on, POLICY) == deadline


@pytest.mark.parametrize(
    ("first_unpaid_month", "termination_notice_on", "months"),
    [
        case(
            date(2026, 4, 1), date(2026, 6, 10),
            [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)],
            id="the FAQ: April, May and June past due and July in advance, four months",
        ),
        case(
            date(2026, 4, 1), date(2026, 5, 11),
            [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)],
            id="first unpaid April, terminated in May: April, May and June",
        ),
        case(
            date(2026, 11, 1), date(2027, 1, 10),
            [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)],
            id="first unpaid November, terminated in January: through February across the year",
        ),
    ],
)  # fmt: skip
def test_reinstatement_needs_every_month_through_the_termination_notice_month_and_the_next(
    first_unpaid_month: date, termination_notice_on: date, months: list[date]
) -> None:
    assert reinstatement_months(first_unpaid_month, termination_notice_on) == months


# ---- 12.10(8): voluntary termination around the 15th --------------------------------------------


@pytest.mark.parametrize(
    ("requested_on", "end_on"),
    [
        case(date(2026, 3, 1), date(2026, 3, 31), id="requested on the 1st: ends at the end of that month"),
        case(date(2026, 3, 14), date(2026, 3, 31), id="requested on the 14th: ends at the end of that month"),
        case(date(2026, 3, 15), date(2026, 3, 31), id="requested on the 15th, the cut-off: ends at the end of that month"),
        case(date(2026, 3, 16), date(2026, 4, 30), id="requested on the 16th: ends at the end of the next month"),
        case(date(2026, 1, 16), date(2026, 2, 28), id="requested on 16 January 2026: ends 28 February"),
        case(date(2028, 1, 16), date(2028, 2, 29), id="requested on 16 January 2028: ends 29 February (leap year)"),
        case(date(2026, 12, 15), date(2026, 12, 31), id="requested on 15 December: ends 31 December"),
        case(date(2026, 12, 16), date(2027, 1, 31), id="requested on 16 December: ends 31 January of the next year"),
    ],
)  # fmt: skip
def test_a_voluntary_termination_requested_by_the_15th_ends_that_month_and_later_the_next(
    requested_on: date, end_on: date
) -> None:
    assert voluntary_end_on(requested_on, POLICY) == end_on


# ---- 12.10(8), 12.12(3): an end known ahead waits for a pending notice's payment date ------------


@pytest.mark.parametrize(
    ("end_on", "payment_due_on", "taken_on"),
    [
        case(date(2026, 3, 31), None, date(2026, 4, 1), id="no notice pending: the day after the end"),
        case(date(2026, 3, 31), date(2026, 3, 30), date(2026, 4, 1), id="payment date before the end: the day after the end"),
        case(date(2026, 3, 31), date(2026, 3, 31), date(2026, 4, 1), id="payment date on the end: the day after both"),
        case(date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2), id="payment date a day after the end: the day after it"),
        case(date(2026, 3, 31), date(2026, 4, 9), date(2026, 4, 10), id="payment date after the end: the day after it"),
    ],
)  # fmt: skip
def test_an_end_known_ahead_is_taken_the_day_after_it_or_after_a_pending_payment_date(
    end_on: date, payment_due_on: date | None, taken_on: date
) -> None:
    assert end_taken_on(end_on, payment_due_on) == taken_on


# ---- 12.12(4), 12.16(3)(b): who falls under the financially assisted rules ----------------------

PROGRAMS = ("non_group", "aptc_only", "connectorcare")
NO_APTC = Decimal("0.00")
SOME_APTC = Decimal("42.50")


ASSISTANCE = [
    case("health", "connectorcare", NO_APTC, True, id="health plan in ConnectorCare: assisted"),
    case("health", "connectorcare", SOME_APTC, True, id="health plan in ConnectorCare with APTC: assisted"),
    case("health", "aptc_only", SOME_APTC, True, id="health plan with APTC only: assisted"),
    # 12.12(4) names the program ("a Health Plan with APTC Only"), not the amount applied.
    case("health", "aptc_only", NO_APTC, True, id="health plan of an APTC-only enrollee with no APTC applied: assisted (the program decides)"),
    case("health", "non_group", NO_APTC, False, id="health plan without financial assistance: not assisted"),
    case("health", "non_group", SOME_APTC, False, id="health plan of a non-group enrollee: not assisted whatever the amount"),
    case("dental", "connectorcare", NO_APTC, False, id="dental plan with no APTC applied, ConnectorCare enrollee: not assisted (12.16(3)(b))"),
    case("dental", "aptc_only", NO_APTC, False, id="dental plan with no APTC applied, APTC-eligible enrollee: not assisted (12.16(3)(b))"),
    case("dental", "non_group", NO_APTC, False, id="dental plan with no APTC applied, non-group enrollee: not assisted"),
    case("dental", "aptc_only", SOME_APTC, True, id="dental plan with APTC applied: assisted"),
    case("dental", "connectorcare", SOME_APTC, True, id="dental plan with APTC applied, ConnectorCare enrollee: assisted"),
    case("dental", "non_group", SOME_APTC, True, id="dental plan with APTC applied: assisted, whatever the program"),
    case("dental", "aptc_only", Decimal("0.01"), True, id="dental plan with one cent of APTC applied: assisted"),
]  # fmt: skip


@pytest.mark.parametrize(("coverage", "program", "aptc_applied", "assisted"), ASSISTANCE)
def test_who_is_financially_assisted_for_the_delinquency_rules(
    coverage: str, program: str, aptc_applied: Decimal, assisted: bool
) -> None:
    assert is_financially_assisted(coverage, program, aptc_applied) is assisted


def test_the_assistance_table_lists_every_program_coverage_and_aptc_combination() -> None:
    listed = {(row.values[0], row.values[1], row.values[2] > 0) for row in ASSISTANCE}
    every = {(c, p, a) for c in ("health", "dental") for p in PROGRAMS for a in (False, True)}
    assert listed == every


# ---- 12.12(3): without financial assistance, the last month paid for in full ----

FEBRUARY, MARCH, APRIL, MAY = (date(2026, m, 1) for m in (2, 3, 4, 5))


def unpaid(*amounts: str) -> list[tuple[date, Decimal]]:
    """What is still unpaid on February, March, April and May, at the notice's payment date."""
    return list(zip((FEBRUARY, MARCH, APRIL, MAY), map(Decimal, amounts), strict=True))


class TestTheLastMonthPaidForInFull:
    """12.12(3) without financial assistance: coverage ends on "the last day of the last month
    for which the Enrollee has paid for coverage in full", judged at the payment date."""

    def test_april_paid_in_full_ends_coverage_on_30_april(self) -> None:
        first_unpaid = first_month_not_paid_in_full(unpaid("0.00", "0.00", "0.00", "450.00"))
        assert first_unpaid == MAY
        assert termination_end_on(first_unpaid, financially_assisted=False) == date(2026, 4, 30)

    def test_april_one_cent_short_ends_coverage_on_31_march(self) -> None:
        first_unpaid = first_month_not_paid_in_full(unpaid("0.00", "0.00", "0.01", "450.00"))
        assert first_unpaid == APRIL
        assert termination_end_on(first_unpaid, financially_assisted=False) == date(2026, 3, 31)

    def test_a_later_month_paid_does_not_extend_coverage_past_an_unpaid_one(self) -> None:
        assert first_month_not_paid_in_full(unpaid("0.00", "150.00", "0.00", "0.00")) == MARCH

    def test_when_every_month_is_paid_there_is_no_unpaid_month(self) -> None:
        assert first_month_not_paid_in_full(unpaid("0.00", "0.00", "0.00", "0.00")) is None


class TestTheFinanciallyAssistedReadingIsUnchanged:
    """12.12(5) with the FAQ: retroactive to the last day of the first unpaid month (the 30-day
    grace period), whatever was paid later."""

    def test_the_first_unpaid_month_is_covered_to_its_last_day(self) -> None:
        assert termination_end_on(APRIL, financially_assisted=True) == date(2026, 4, 30)
