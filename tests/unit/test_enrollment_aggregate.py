"""The Enrollment aggregate called directly, with no store and no JSON: its commands
(`select`, `record_payment`, `advance`, `request_termination`, `request_reinstatement`), the state
they leave and the events they record, each with its citation and effective date.

The delinquency timeline is the premium FAQ's worked example (connectorcare-premiums-faq.txt):
payment missed 23 March, first notice early April; missed 23 April, second notice early May with a
payment date at least 35 days later (9 June); not paid, so a June notice of termination retroactive
to 30 April; reinstatement needs four months (April, May, June and July in advance).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.errors import InvalidCommand
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.policy import DEFAULT_POLICY

POLICY = DEFAULT_POLICY.current
PREMIUM = Decimal("100.00")
case = pytest.param


@pytest.fixture(autouse=True)
def _record_instant() -> Iterator[None]:
    """Aggregate events need a record instant; the domain never reads the clock itself."""
    with recording_at(datetime(2026, 1, 1, tzinfo=UTC)):
        yield


def select(
    on: date,
    *,
    coverage: str = "health",
    program: str = "connectorcare",
    aptc_applied: str = "0.00",
    monthly_premium: Decimal = PREMIUM,
) -> Enrollment:
    return Enrollment.select(
        on=on,
        enrollment_id=f"e-{coverage}-{program}-{on.isoformat()}",
        household_id="h-1",
        member_ids=["m-1"],
        plan_id="plan-1",
        coverage=coverage,
        monthly_premium=monthly_premium,
        aptc_applied=Decimal(aptc_applied),
        program=program,
        plan_type="2B" if program == "connectorcare" else None,
        plan_year=2026,
        enrollment_basis="open_enrollment",
        policy=POLICY,
    )


def recorded(enrollment: Enrollment) -> list[Any]:
    """The events the last commands recorded (and clears them, as a save would)."""
    return list(enrollment.collect_events())


def names(events: list[Any]) -> list[str]:
    return [type(event).__name__ for event in events]


def only(events: list[Any], name: str) -> Any:
    found = [event for event in events if type(event).__name__ == name]
    assert len(found) == 1, f"expected one {name} in {names(events)}"
    return found[0]


def covered_from_february(**terms: Any) -> Enrollment:
    """Selected 10 January 2026 in open enrollment, binder paid 15 January (coverage from
    1 February), March's invoice paid on 20 February: April's premium, due 23 March, is the first
    one left unpaid."""
    enrollment = select(date(2026, 1, 10), **terms)
    enrollment.record_payment(date(2026, 1, 15), PREMIUM, "binder", POLICY)
    enrollment.record_payment(date(2026, 2, 20), PREMIUM, "march", POLICY)
    assert enrollment.status == "active"
    assert enrollment.start_on == date(2026, 2, 1)
    recorded(enrollment)
    return enrollment


# ---- 12.10(2)-(3): the selection, its binder, effectuation or cancellation ---------------------


def test_a_selection_records_the_plan_and_a_binder_invoice_due_on_the_23rd() -> None:
    enrollment = select(date(2026, 3, 10))

    events = recorded(enrollment)
    assert names(events) == ["PlanSelected", "InvoiceIssued"]
    selected, binder = events
    assert selected.citation == "956 CMR 12.10(2)"
    assert selected.effective_on == date(2026, 4, 1)
    assert selected.binder_month == date(2026, 4, 1)
    assert selected.binder_due_on == date(2026, 3, 23)
    assert selected.financially_assisted is True
    assert binder.citation == "956 CMR 12.10(2)"
    assert (binder.kind, binder.month, binder.amount) == ("binder", "2026-04", PREMIUM)
    assert binder.due_on == date(2026, 3, 23)
    assert enrollment.status == "pending_binder"
    assert enrollment.start_on is None


@pytest.mark.parametrize(
    ("selected_on", "paid_on", "start_on"),
    [
        case(date(2026, 3, 10), date(2026, 3, 22), date(2026, 4, 1), id="selected 10 March, paid on the 22nd: covered from 1 April"),
        case(date(2026, 3, 10), date(2026, 3, 23), date(2026, 4, 1), id="selected 10 March, paid on the 23rd, its due date: covered from 1 April"),
        case(date(2026, 3, 24), date(2026, 3, 24), date(2026, 5, 1), id="selected and paid on 24 March: covered from 1 May"),
        case(date(2026, 3, 24), date(2026, 4, 23), date(2026, 5, 1), id="selected 24 March, paid 23 April, its due date: covered from 1 May"),
    ],
)  # fmt: skip
def test_a_binder_paid_by_its_due_date_effectuates_coverage(
    selected_on: date, paid_on: date, start_on: date
) -> None:
    enrollment = select(selected_on)
    recorded(enrollment)

    assert enrollment.record_payment(paid_on, PREMIUM, "binder", POLICY) is True

    events = recorded(enrollment)
    assert names(events) == ["PaymentRecorded", "CoverageEffectuated"]
    payment, effectuated = events
    assert payment.citation == "956 CMR 12.12(1)"
    assert payment.allocations == [{"month": start_on.isoformat()[:7], "amount": "100.00"}]
    assert effectuated.citation == "956 CMR 12.10(3)"
    assert effectuated.on == paid_on
    assert effectuated.effective_on == start_on
    assert effectuated.start_on == start_on
    assert enrollment.status == "active"
    assert enrollment.start_on == start_on


def test_a_plan_with_no_premium_to_pay_is_effectuated_at_selection() -> None:
    enrollment = select(date(2026, 3, 10), monthly_premium=Decimal("0.00"))

    events = recorded(enrollment)
    assert names(events) == ["PlanSelected", "InvoiceIssued", "CoverageEffectuated"]
    assert events[-1].effective_on == date(2026, 4, 1)
    assert enrollment.status == "active"


def test_an_unpaid_binder_cancels_the_selection_the_day_after_its_due_date() -> None:
    enrollment = select(date(2026, 3, 10))
    recorded(enrollment)

    enrollment.advance(date(2026, 3, 23), POLICY)
    assert recorded(enrollment) == []
    assert enrollment.status == "pending_binder"

    enrollment.advance(date(2026, 3, 24), POLICY)
    cancelled = only(recorded(enrollment), "EnrollmentCancelled")
    assert cancelled.reason == "binder_unpaid"
    assert cancelled.citation == "956 CMR 12.10(3)"
    assert cancelled.on == date(2026, 3, 24)
    assert cancelled.effective_on == date(2026, 3, 23)
    assert enrollment.status == "cancelled"
    assert enrollment.start_on is None


def test_a_binder_paid_a_cent_short_by_its_due_date_does_not_effectuate() -> None:
    enrollment = select(date(2026, 3, 10))
    enrollment.record_payment(date(2026, 3, 20), Decimal("99.99"), "short", POLICY)
    recorded(enrollment)
    assert enrollment.status == "pending_binder"

    enrollment.advance(date(2026, 3, 24), POLICY)

    events = recorded(enrollment)
    assert names(events) == ["EnrollmentCancelled", "RefundDue"]
    assert enrollment.status == "cancelled"
    assert events[-1].amount == Decimal("99.99")  # the short binder is due back (12.12(1))


def test_a_binder_paid_the_day_after_its_due_date_does_not_effectuate() -> None:
    enrollment = select(date(2026, 3, 10))
    recorded(enrollment)

    enrollment.record_payment(date(2026, 3, 24), PREMIUM, "late", POLICY)

    events = recorded(enrollment)
    assert names(events) == ["EnrollmentCancelled", "PaymentRecorded", "RefundDue"]
    assert enrollment.status == "cancelled"
    assert enrollment.start_on is None
    assert events[-1].amount == PREMIUM  # a binder paid late is due back (12.12(1))


def test_a_payment_reference_already_recorded_records_nothing() -> None:
    enrollment = select(date(2026, 3, 10))
    enrollment.record_payment(date(2026, 3, 20), PREMIUM, "same", POLICY)
    recorded(enrollment)

    assert enrollment.record_payment(date(2026, 3, 21), PREMIUM, "same", POLICY) is False
    assert recorded(enrollment) == []


# ---- 12.12(1): monthly invoices and payments ----------------------------------------------------


def test_each_month_is_invoiced_on_the_5th_and_due_on_the_23rd_of_the_month_before() -> None:
    enrollment = covered_from_february()

    enrollment.advance(date(2026, 3, 5), POLICY)

    invoice = only(recorded(enrollment), "InvoiceIssued")
    assert invoice.citation == "956 CMR 12.12(1)"
    assert (invoice.kind, invoice.month, invoice.amount) == ("monthly", "2026-04", PREMIUM)
    assert invoice.on == date(2026, 3, 5)
    assert invoice.due_on == date(2026, 3, 23)
    assert invoice.effective_on == date(2026, 4, 1)


def test_a_premium_paid_on_its_due_date_leaves_the_account_in_good_standing() -> None:
    enrollment = covered_from_february()
    enrollment.record_payment(date(2026, 3, 23), PREMIUM, "april", POLICY)
    recorded(enrollment)

    enrollment.advance(date(2026, 4, 4), POLICY)

    assert recorded(enrollment) == []
    assert enrollment.status == "active"


def test_a_payment_is_applied_to_the_oldest_month_owed_first() -> None:
    enrollment = covered_from_february()
    enrollment.advance(date(2026, 4, 5), POLICY)
    recorded(enrollment)

    enrollment.record_payment(date(2026, 4, 10), Decimal("150.00"), "part", POLICY)

    payment = only(recorded(enrollment), "PaymentRecorded")
    assert payment.allocations == [
        {"month": "2026-04", "amount": "100.00"},
        {"month": "2026-05", "amount": "50.00"},
    ]
    assert payment.to_credit == Decimal("0.00")


# ---- 12.12(4)-(6) with financial assistance: the FAQ's example ---------------------------------

ASSISTED = [
    case({}, id="a ConnectorCare health plan"),
    case({"program": "aptc_only", "aptc_applied": "80.00"}, id="a health plan with APTC only"),
    case({"coverage": "dental", "program": "aptc_only", "aptc_applied": "5.00"}, id="a dental plan with APTC applied"),
]  # fmt: skip


MAR_23, APR_5, APR_23 = date(2026, 3, 23), date(2026, 4, 5), date(2026, 4, 23)


@pytest.mark.parametrize("terms", ASSISTED)
def test_assisted_two_missed_months_bring_the_faq_s_notices_of_5_april_and_5_may(
    terms: dict[str, str],
) -> None:
    enrollment = covered_from_february(**terms)

    enrollment.advance(date(2026, 6, 9), POLICY)

    events = recorded(enrollment)
    assert names(events) == [
        "InvoiceIssued",  # April's, on 5 March
        "PaymentMissed",  # April's premium, due 23 March
        "InvoiceIssued",  # May's, on 5 April
        "DelinquencyNoticeIssued",  # the first notice, 5 April
        "PaymentMissed",  # May's premium, due 23 April
        "InvoiceIssued",  # June's, on 5 May
        "DelinquencyNoticeIssued",  # the second notice, 5 May, with the payment date
        "PaymentMissed",  # June's premium, due 23 May
        "InvoiceIssued",  # July's, on 5 June
    ]
    assert {event.citation for event in events if type(event).__name__ != "InvoiceIssued"} == {
        "956 CMR 12.12(4)"
    }
    april, may, june = (e for e in events if type(e).__name__ == "PaymentMissed")
    assert (april.month, april.on, april.effective_on) == ("2026-04", date(2026, 3, 24), MAR_23)
    assert (april.consecutive_months, april.notice_on) == (1, date(2026, 4, 5))
    assert (may.month, may.effective_on, may.consecutive_months) == ("2026-05", APR_23, 2)
    assert may.notice_on == date(2026, 5, 5)
    assert june.notice_on is None  # the second notice already covers all outstanding premium
    assert {m.first_unpaid_month for m in (april, may, june)} == {"2026-04"}

    first, second = (e for e in events if type(e).__name__ == "DelinquencyNoticeIssued")
    assert (first.on, first.effective_on, first.notice_number) == (APR_5, APR_5, 1)
    assert (first.warns_of_termination, first.payment_due_on) == (False, None)
    assert first.outstanding == Decimal("100.00")
    assert (second.on, second.notice_number) == (date(2026, 5, 5), 2)
    assert (second.warns_of_termination, second.payment_due_on) == (True, date(2026, 6, 9))
    assert second.outstanding == Decimal("200.00")

    assert enrollment.status == "delinquent"
    assert enrollment.payment_due_on == date(2026, 6, 9)
    assert enrollment.end_on is None  # day 35: still covered


@pytest.mark.parametrize("terms", ASSISTED)
def test_assisted_unpaid_by_day_35_terminated_on_day_36_retroactive_to_30_april(
    terms: dict[str, str],
) -> None:
    enrollment = covered_from_february(**terms)
    enrollment.advance(date(2026, 6, 9), POLICY)
    recorded(enrollment)

    enrollment.advance(date(2026, 6, 10), POLICY)

    events = recorded(enrollment)
    assert names(events) == ["CoverageTerminated"]
    terminated = events[0]
    assert terminated.citation == "956 CMR 12.12(5)"
    assert terminated.on == date(2026, 6, 10)
    assert terminated.effective_on == date(2026, 4, 30)
    assert terminated.end_on == date(2026, 4, 30)
    assert terminated.reason == "non_payment"
    assert terminated.first_unpaid_month == "2026-04"
    assert terminated.reinstatement_deadline == date(2026, 7, 15)
    assert terminated.reinstatement_months == ["2026-04", "2026-05", "2026-06", "2026-07"]
    assert enrollment.status == "terminated"
    assert enrollment.end_on == date(2026, 4, 30)
    assert enrollment.end_reason == "non_payment"
    assert enrollment.reinstatable is True


def test_assisted_all_past_due_paid_on_day_35_cures_and_day_36_terminates_nothing() -> None:
    enrollment = covered_from_february()
    enrollment.advance(date(2026, 6, 8), POLICY)
    recorded(enrollment)

    # April, May and June were due on 23 March, 23 April and 23 May.
    enrollment.record_payment(date(2026, 6, 9), Decimal("300.00"), "catch-up", POLICY)

    events = recorded(enrollment)
    assert names(events) == ["PaymentRecorded", "DelinquencyCured"]
    cured = events[1]
    assert cured.citation == "956 CMR 12.12(4)"
    assert cured.first_unpaid_month == "2026-04"
    assert enrollment.status == "active"

    enrollment.advance(date(2026, 6, 10), POLICY)
    assert "CoverageTerminated" not in names(recorded(enrollment))
    assert enrollment.status == "active"
    assert enrollment.end_on is None


def test_assisted_a_cent_short_on_day_35_is_still_terminated_on_day_36() -> None:
    enrollment = covered_from_february()
    enrollment.record_payment(date(2026, 6, 9), Decimal("299.99"), "short", POLICY)
    assert "DelinquencyCured" not in names(recorded(enrollment))

    enrollment.advance(date(2026, 6, 10), POLICY)

    terminated = only(recorded(enrollment), "CoverageTerminated")
    assert terminated.end_on == date(2026, 4, 30)
    assert enrollment.status == "terminated"


def terminated_on_10_june() -> Enrollment:
    enrollment = covered_from_february()
    enrollment.advance(date(2026, 6, 10), POLICY)
    assert enrollment.status == "terminated"
    recorded(enrollment)
    return enrollment


def test_four_months_paid_and_asked_on_day_35_reinstates_with_no_gap() -> None:
    enrollment = terminated_on_10_june()
    enrollment.record_payment(date(2026, 7, 1), Decimal("400.00"), "four-months", POLICY)
    recorded(enrollment)

    enrollment.request_reinstatement(date(2026, 7, 15), POLICY)

    decided = only(recorded(enrollment), "ReinstatementDecided")
    assert decided.granted is True
    assert decided.citation == "956 CMR 12.12(6)"
    assert decided.on == date(2026, 7, 15)
    assert decided.effective_on == date(2026, 5, 1)  # the day after the old end: no gap
    assert decided.amount_required == Decimal("400.00")
    assert decided.months == ["2026-04", "2026-05", "2026-06", "2026-07"]
    assert enrollment.status == "active"
    assert enrollment.end_on is None
    assert enrollment.end_reason is None


def test_three_of_the_four_months_paid_is_not_enough_to_reinstate() -> None:
    enrollment = terminated_on_10_june()
    enrollment.record_payment(date(2026, 7, 1), Decimal("300.00"), "three-months", POLICY)
    recorded(enrollment)

    enrollment.request_reinstatement(date(2026, 7, 15), POLICY)

    decided = only(recorded(enrollment), "ReinstatementDecided")
    assert decided.granted is False
    assert decided.amount_required == Decimal("400.00")
    assert decided.amount_paid == Decimal("300.00")
    assert decided.reason == "the payments received do not cover the amount required"
    assert enrollment.status == "terminated"
    assert enrollment.end_on == date(2026, 4, 30)


def test_asked_on_day_36_the_window_has_closed_even_with_four_months_paid() -> None:
    enrollment = terminated_on_10_june()
    enrollment.record_payment(date(2026, 7, 1), Decimal("400.00"), "four-months", POLICY)
    recorded(enrollment)

    enrollment.advance(date(2026, 7, 16), POLICY)
    expired = only(recorded(enrollment), "ReinstatementWindowExpired")
    assert expired.citation == "956 CMR 12.12(6)"
    assert expired.on == date(2026, 7, 16)
    assert expired.deadline == date(2026, 7, 15)

    enrollment.request_reinstatement(date(2026, 7, 16), POLICY)

    decided = only(recorded(enrollment), "ReinstatementDecided")
    assert decided.granted is False
    assert decided.reason == "the reinstatement window has closed"
    assert enrollment.status == "terminated"


def test_an_enrollment_not_terminated_for_non_payment_cannot_be_reinstated() -> None:
    enrollment = covered_from_february()

    with pytest.raises(InvalidCommand) as refused:
        enrollment.request_reinstatement(date(2026, 3, 1), POLICY)

    assert refused.value.code == "invalid_state"
    assert "12.12(6)" in refused.value.message
    assert recorded(enrollment) == []


# ---- 12.12(2)-(3) without financial assistance, and 12.16(3)(b) dental with no APTC -----------

NOT_ASSISTED = [
    case({"program": "non_group"}, "956 CMR 12.12(2)", id="a health plan without financial assistance"),
    case({"coverage": "dental", "program": "non_group"}, "956 CMR 12.16(3)(b)", id="a dental plan with no APTC applied"),
]  # fmt: skip


@pytest.mark.parametrize(("terms", "delinquency_citation"), NOT_ASSISTED)
def test_not_assisted_the_first_missed_month_brings_a_notice_with_a_payment_date(
    terms: dict[str, str], delinquency_citation: str
) -> None:
    enrollment = covered_from_february(**terms)

    enrollment.advance(date(2026, 5, 10), POLICY)

    events = recorded(enrollment)
    missed = [e for e in events if type(e).__name__ == "PaymentMissed"]
    assert [(e.month, e.notice_on) for e in missed] == [
        ("2026-04", date(2026, 4, 5)),
        ("2026-05", None),  # the first notice already gave the payment date
    ]
    notice = only(events, "DelinquencyNoticeIssued")
    assert notice.citation == delinquency_citation
    assert {e.citation for e in missed} == {delinquency_citation}
    assert (notice.on, notice.notice_number) == (date(2026, 4, 5), 1)
    assert notice.warns_of_termination is True
    assert notice.payment_due_on == date(2026, 5, 10)
    assert notice.outstanding == Decimal("100.00")
    assert "CoverageTerminated" not in names(events)
    assert enrollment.status == "delinquent"


@pytest.mark.parametrize(("terms", "delinquency_citation"), NOT_ASSISTED)
def test_not_assisted_unpaid_by_the_payment_date_is_terminated_the_day_after(
    terms: dict[str, str], delinquency_citation: str
) -> None:
    enrollment = covered_from_february(**terms)
    enrollment.advance(date(2026, 5, 10), POLICY)
    recorded(enrollment)

    enrollment.advance(date(2026, 5, 11), POLICY)

    terminated = only(recorded(enrollment), "CoverageTerminated")
    assert terminated.citation == "956 CMR 12.12(3)"
    assert terminated.on == date(2026, 5, 11)
    assert terminated.reason == "non_payment"
    assert terminated.first_unpaid_month == "2026-04"
    assert terminated.reinstatement_deadline == date(2026, 6, 15)
    assert enrollment.status == "terminated"
    assert enrollment.end_reason == "non_payment"


def test_not_assisted_paying_everything_past_due_on_the_payment_date_cures() -> None:
    enrollment = covered_from_february(program="non_group")
    enrollment.advance(date(2026, 5, 9), POLICY)
    recorded(enrollment)

    # April and May were due on 23 March and 23 April.
    enrollment.record_payment(date(2026, 5, 10), Decimal("200.00"), "catch-up", POLICY)

    cured = only(recorded(enrollment), "DelinquencyCured")
    assert cured.citation == "956 CMR 12.12(2)"
    enrollment.advance(date(2026, 5, 11), POLICY)
    assert "CoverageTerminated" not in names(recorded(enrollment))
    assert enrollment.status == "active"


# ---- 12.10(8): voluntary termination -----------------------------------------------------------


@pytest.mark.parametrize(
    ("requested_on", "end_on"),
    [
        case(date(2026, 3, 15), date(2026, 3, 31), id="asked on the 15th: ends at the end of that month"),
        case(date(2026, 3, 16), date(2026, 4, 30), id="asked on the 16th: ends at the end of the next month"),
    ],
)  # fmt: skip
def test_a_voluntary_termination_ends_coverage_at_the_end_of_the_month_or_the_next(
    requested_on: date, end_on: date
) -> None:
    enrollment = covered_from_february()
    enrollment.record_payment(date(2026, 3, 10), PREMIUM, "april", POLICY)
    recorded(enrollment)

    enrollment.request_termination(requested_on, POLICY)

    requested = only(recorded(enrollment), "VoluntaryTerminationRequested")
    assert requested.citation == "956 CMR 12.10(8)"
    assert requested.on == requested_on
    assert requested.effective_on == end_on
    assert requested.end_on == end_on
    assert enrollment.end_on == end_on
    assert enrollment.end_reason == "voluntary"
    assert enrollment.status == "active"  # covered until the end date


def test_coverage_ends_the_day_after_the_voluntary_end_date() -> None:
    enrollment = covered_from_february()
    enrollment.request_termination(date(2026, 3, 15), POLICY)
    recorded(enrollment)

    enrollment.advance(date(2026, 3, 31), POLICY)
    assert "CoverageEnded" not in names(recorded(enrollment))

    enrollment.advance(date(2026, 4, 1), POLICY)
    ended = only(recorded(enrollment), "CoverageEnded")
    assert ended.citation == "956 CMR 12.10(8)"
    assert ended.on == date(2026, 4, 1)
    assert ended.effective_on == date(2026, 3, 31)
    assert ended.reason == "voluntary"
    assert enrollment.status == "terminated"
    assert enrollment.ended is True


def test_a_voluntary_termination_before_coverage_begins_cancels_the_selection() -> None:
    enrollment = select(date(2026, 3, 10))
    recorded(enrollment)

    enrollment.request_termination(date(2026, 3, 12), POLICY)

    cancelled = only(recorded(enrollment), "EnrollmentCancelled")
    assert cancelled.reason == "voluntary_before_coverage_began"
    assert cancelled.citation == "956 CMR 12.10(8)"
    assert enrollment.status == "cancelled"


def test_a_voluntary_termination_of_a_cancelled_selection_is_refused() -> None:
    enrollment = select(date(2026, 3, 10))
    enrollment.advance(date(2026, 3, 24), POLICY)
    recorded(enrollment)

    with pytest.raises(InvalidCommand) as refused:
        enrollment.request_termination(date(2026, 3, 25), POLICY)

    assert refused.value.code == "invalid_state"
    assert recorded(enrollment) == []
