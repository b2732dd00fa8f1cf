"""956 CMR 12.07(1), 12.10(1)-(3), 12.10(8), 12.12(1)-(6), 12.16(3)(b): binder, billing,
delinquency, retroactive termination, reinstatement, voluntary termination, the end of a plan year,
renewal and a change of plan, as small pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..calendar import add_months, day_in_month, first_of_month, last_day_of_month, plus_days

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

PREMIUMS_DUE = "956 CMR 12.12(1)"
BINDER = "956 CMR 12.10(2)"
ENROLLMENT_EFFECTIVE = "956 CMR 12.10(3)"
NON_FA_DELINQUENT = "956 CMR 12.12(2)"
NON_FA_TERMINATION = "956 CMR 12.12(3)"
FA_DELINQUENT = "956 CMR 12.12(4)"
FA_TERMINATION = "956 CMR 12.12(5)"
REINSTATEMENT = "956 CMR 12.12(6)"
VOLUNTARY_TERMINATION = "956 CMR 12.10(8)"
DENTAL_NO_APTC = "956 CMR 12.16(3)(b)"
PLAN_YEAR_RENEWAL = "956 CMR 12.07(1)"


def binder_due_on(selected_on: date, policy: PolicyVersion) -> date:
    """Contract policy: the binder is due on the 23rd of the month of selection, or of the next
    month when the plan is selected after the 23rd."""
    due_day = policy.premium_due_day.at(selected_on)
    month = first_of_month(selected_on)
    if selected_on.day > due_day:
        month = add_months(month, 1)
    return day_in_month(month, due_day)


def first_coverage_month(selected_on: date, plan_year: int, policy: PolicyVersion) -> date:
    """12.10(3): coverage begins on the first of the month after enrollment completes (binder paid
    by its due date); selected after the 23rd it starts a month later. Never before the plan year."""
    due = binder_due_on(selected_on, policy)
    return max(add_months(due, 1), date(plan_year, 1, 1))


def coverage_start_for_payment(paid_on: date, earliest: date, policy: PolicyVersion) -> date:
    """Contract policy: the first of the month after the month the binder is paid when paid on or
    before the 23rd, a month later when paid after it (never before the binder month)."""
    months = 1 if paid_on.day <= policy.premium_due_day.at(paid_on) else 2
    return max(add_months(paid_on, months), earliest)


def invoice_dates(month: date, policy: PolicyVersion) -> tuple[date, date]:
    """Contract policy: the invoice for month M is issued on the 5th of M-1 and due on the 23rd of
    M-1 (12.12(1): due on or before a date set by the Connector). Remembered per month and
    policy version (`_INVOICE_DATES`): the schedule asks it of every enrollment it looks at."""
    key = (month, id(policy))
    known = _INVOICE_DATES.get(key)
    if known is not None and known[0] is policy:
        return known[1]
    previous = add_months(month, -1)
    issue = day_in_month(previous, policy.invoice_issue_day.at(previous))
    due = day_in_month(previous, policy.premium_due_day.at(previous))
    if len(_INVOICE_DATES) >= _REMEMBERED:
        _INVOICE_DATES.clear()
    _INVOICE_DATES[key] = (policy, (issue, due))
    return issue, due


_INVOICE_DATES: dict[tuple[date, int], tuple[PolicyVersion, tuple[date, date]]] = {}
"""`invoice_dates` by (month, the policy version's identity), with the policy version it was
computed under (an identity is only reused once its object is gone, so it is checked)."""
_REMEMBERED = 4096


def delinquency_notice_on(missed_due_on: date, policy: PolicyVersion) -> date:
    """Contract policy: a delinquency notice is issued on the 5th of the month after the missed due
    date (12.12(2), (4): "notified when the account is past due")."""
    month = add_months(missed_due_on, 1)
    return day_in_month(month, policy.delinquency_notice_day.at(month))


def delinquency_payment_due_on(notice_on: date, policy: PolicyVersion) -> date:
    """Contract policy: the payment date in a notice is 35 days after it (the FAQ: no less than 35)."""
    return plus_days(notice_on, policy.delinquency_payment_days.at(notice_on))


def delinquency_citation(financially_assisted: bool, coverage: str) -> str:
    """The clause a delinquency falls under: 12.12(4) with financial assistance, 12.12(2) without;
    a dental plan without APTC under 12.16(3)(b), which applies the rules without it."""
    if financially_assisted:
        return FA_DELINQUENT
    return DENTAL_NO_APTC if coverage == "dental" else NON_FA_DELINQUENT


def termination_citation(financially_assisted: bool) -> str:
    """The clause a termination for non-payment (or its rescission) falls under: 12.12(5) with
    financial assistance, 12.12(3) without."""
    return FA_TERMINATION if financially_assisted else NON_FA_TERMINATION


def delinquent_months_before_payment_date(
    financially_assisted: bool, on: date, policy: PolicyVersion
) -> int:
    """How many consecutive delinquent months it takes before a notice gives the payment date after
    which coverage is terminated: 12.12(2) without financial assistance, the first notice of
    delinquency; 12.12(4) with it, the notice after two consecutive delinquent months."""
    if financially_assisted:
        return policy.fa_delinquent_months_before_termination.at(on)
    return policy.non_fa_delinquent_months_before_termination.at(on)


def first_month_not_paid_in_full(unpaid_by_month: Sequence[tuple[date, Decimal]]) -> date | None:
    """12.12(3) without FA: coverage ends on "the last day of the last month for which the
    Enrollee has paid for coverage in full", judged at the notice's payment date after the
    payments received by then. `unpaid_by_month`: each month billed for coverage (not voided),
    oldest first, with what is still unpaid on it then. The months paid in full run from the
    first; the answer is the first month with anything unpaid (None when every month is paid)."""
    for month, unpaid in unpaid_by_month:
        if unpaid > 0:
            return first_of_month(month)
    return None


def termination_end_on(first_unpaid_month: date, financially_assisted: bool) -> date:
    """The retroactive end of coverage for non-payment:

    - without FA, 12.12(3): the last day of the last month paid for in full (the day before the
      first month not paid in full at the payment date, `first_month_not_paid_in_full`);
    - with FA, 12.12(5): the last day of the first coverage month in which the enrollee was
      delinquent (the first unpaid month; the FAQ's 30-day grace period).
    """
    if financially_assisted:
        return last_day_of_month(first_unpaid_month)
    return plus_days(first_unpaid_month, -1)


def reinstatement_deadline(termination_notice_on: date, policy: PolicyVersion) -> date:
    """12.12(6) with the contract's window: a request within 35 days of the termination notice."""
    return plus_days(
        termination_notice_on, policy.reinstatement_window_days.at(termination_notice_on)
    )


def reinstatement_months(first_unpaid_month: date, termination_notice_on: date) -> list[date]:
    """12.12(6), read with the FAQ's example: every month billed from the first unpaid month through
    the termination notice's month, plus the next month's premium."""
    months: list[date] = []
    cursor = first_unpaid_month
    last = add_months(termination_notice_on, 1)
    while cursor <= last:
        months.append(cursor)
        cursor = add_months(cursor, 1)
    return months


def voluntary_end_on(requested_on: date, policy: PolicyVersion) -> date:
    """12.10(8): a request on or before the cut-off ends coverage at the end of that month; after
    it, at the end of the following month."""
    if requested_on.day <= policy.mid_month_cutoff_day.at(requested_on):
        return last_day_of_month(requested_on)
    return last_day_of_month(add_months(requested_on, 1))


def end_taken_on(end_on: date, payment_due_on: date | None) -> date:
    """The day an end known ahead (voluntary, plan year, plan change, ...) is taken: the day after
    it; while a notice of delinquency's payment date is pending, not before the day after that
    date. A requested end stands "unless coverage is terminated earlier for another reason
    unrelated to the request" (12.10(8); an employer's, 12.11(7)), and coverage not paid in full
    by the notice's payment date is terminated retroactively (12.12(3), (5), (12)): a request to
    leave does not stop that termination, which then comes first with its earlier end."""
    taken = plus_days(end_on, 1)
    if payment_due_on is None:
        return taken
    return max(taken, plus_days(payment_due_on, 1))


def plan_year_end_on(first_month_not_renewed: date) -> date:
    """Contract, read with 12.07(1) (eligibility and enrollment are renewed each year): coverage not
    renewed by the day the first month of the next plan year is invoiced ends on the last day of the
    month before it (31 December of its plan year)."""
    return last_day_of_month(add_months(first_month_not_renewed, -1))


def replaced_plan_end_on(replacement_starts_on: date) -> date:
    """12.10(1): a transfer to another plan in an enrollment period ends the replaced enrollment
    the day before the new one begins, so coverage continues without a gap."""
    return plus_days(replacement_starts_on, -1)


def is_financially_assisted(coverage: str, program: str, aptc_applied: Decimal) -> bool:
    """12.12(4): ConnectorCare or APTC is financial assistance; for dental only APTC applied to the
    dental plan brings those rules (12.16(3)(b))."""
    if coverage == "dental":
        return aptc_applied > 0
    return program in ("connectorcare", "aptc_only")
