"""The enrollment package, one aggregate in one module per section of the regulation: its events
are recorded under the aggregate's topics whichever section defines them, its codes are stored as
the plain strings they always were, the schedule takes same-day decisions in its named order, the
law it applies comes from `rules/` and the policy, and no section writes a citation by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.domain.enrollment import Enrollment, billing, schedule
from enrollment_ledger.domain.enrollment.schedule import Milestone, SameDayOrder
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.parameters import Dated, Parameter
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import effective_dates, premiums
from enrollment_ledger.domain.storage import register_ledger_transcodings
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic

POLICY = DEFAULT_POLICY.current
PREMIUM = Decimal("100.00")
PACKAGE = Path(premiums.__file__).parents[1] / "enrollment"
case = pytest.param


@pytest.fixture(autouse=True)
def _record_instant() -> Iterator[None]:
    with recording_at(datetime(2026, 1, 1, tzinfo=UTC)):
        yield


def covered_from_february(*, program: str = "connectorcare", policy: Any = POLICY) -> Enrollment:
    """Selected 10 January 2026, binder paid 15 January: covered from 1 February, March's
    premium (invoiced 5 February, due 23 February) not paid."""
    enrollment = Enrollment.select(
        on=date(2026, 1, 10),
        enrollment_id=f"e-{program}",
        household_id="h-1",
        member_ids=["m-1"],
        plan_id="plan-1",
        coverage="health",
        monthly_premium=PREMIUM,
        aptc_applied=Decimal("0.00"),
        program=program,
        plan_type="2B" if program == "connectorcare" else None,
        plan_year=2026,
        enrollment_basis="open_enrollment",
        policy=policy,
    )
    enrollment.record_payment(date(2026, 1, 15), PREMIUM, "binder", policy)
    list(enrollment.collect_events())
    return enrollment


def names(events: list[Any]) -> list[str]:
    return [type(event).__name__ for event in events]


def test_an_event_a_section_defines_is_recorded_under_the_enrollments_topic() -> None:
    enrollment = covered_from_february()
    enrollment.advance(date(2026, 2, 24), POLICY)

    missed = list(enrollment.collect_events())[-1]
    assert type(missed).__name__ == "PaymentMissed"
    assert get_topic(type(missed)) == "enrollment_ledger.domain.enrollment:Enrollment.PaymentMissed"


def test_the_sections_own_event_class_is_refused_since_its_topic_would_name_the_section() -> None:
    enrollment = covered_from_february()

    with pytest.raises(TypeError, match="not an event of Enrollment"):
        enrollment._decide(
            billing.RefundDue,
            on=date(2026, 2, 1),
            citation=premiums.PREMIUMS_DUE,
            policy=POLICY,
            amount=Decimal("1.00"),
            reason="cancelled",
        )
    assert list(enrollment.collect_events()) == []


def test_a_code_is_stored_as_its_plain_string() -> None:
    enrollment = covered_from_february()
    enrollment.advance(date(2026, 2, 5), POLICY)
    invoice = list(enrollment.collect_events())[-1]
    transcoder = JSONTranscoder()
    register_ledger_transcodings(transcoder)

    stored = json.loads(transcoder.encode(dict(vars(invoice))))
    read_back = transcoder.decode(transcoder.encode(dict(vars(invoice))))

    assert stored["kind"] == "monthly"
    assert type(read_back["kind"]) is str
    assert enrollment.status == "active"


def test_every_decision_the_schedule_can_name_has_what_it_does() -> None:
    assert set(schedule.TAKE) == set(SameDayOrder)


def test_an_invoice_and_a_notice_due_the_same_day_are_taken_in_the_same_day_order() -> None:
    """5 March: April is invoiced and the notice for March's missed premium is due, both on the
    5th; the invoice comes first (`SameDayOrder.INVOICE_DAY` before `NOTICE_DAY`)."""
    enrollment = covered_from_february()
    enrollment.advance(date(2026, 3, 4), POLICY)
    list(enrollment.collect_events())

    due = schedule.next_milestone(enrollment, POLICY)
    enrollment.advance(date(2026, 3, 5), POLICY)

    assert due == Milestone(date(2026, 3, 5), SameDayOrder.INVOICE_DAY)
    assert names(list(enrollment.collect_events())) == ["InvoiceIssued", "DelinquencyNoticeIssued"]


def test_milestones_are_ordered_by_date_then_by_the_same_day_order() -> None:
    early_but_last = Milestone(date(2026, 3, 4), SameDayOrder.COVERAGE_END_PASSED)
    first_that_day = Milestone(date(2026, 3, 5), SameDayOrder.BINDER_UNPAID)
    later_that_day = Milestone(date(2026, 3, 5), SameDayOrder.NOTICE_DAY)

    assert min([later_that_day, first_that_day, early_but_last]) == early_but_last
    assert min([later_that_day, first_that_day]) == first_that_day


def test_without_financial_assistance_the_first_notice_gives_the_payment_date() -> None:
    enrollment = covered_from_february(program="non_group")
    enrollment.advance(date(2026, 3, 5), POLICY)

    notice = list(enrollment.collect_events())[-1]
    assert type(notice).__name__ == "DelinquencyNoticeIssued"
    assert notice.citation == "956 CMR 12.12(2)"
    assert notice.warns_of_termination is True
    assert notice.payment_due_on == date(2026, 4, 9)


def test_the_months_before_a_non_assisted_notice_warns_are_a_dated_policy_parameter() -> None:
    two_months = replace(
        POLICY,
        non_fa_delinquent_months_before_termination=Parameter(
            "non_fa_delinquent_months_before_termination",
            (Dated(date(2014, 1, 1), 2, "a policy that waits two months"),),
        ),
    )
    enrollment = covered_from_february(program="non_group", policy=two_months)
    enrollment.advance(date(2026, 3, 5), two_months)

    notice = list(enrollment.collect_events())[-1]
    assert type(notice).__name__ == "DelinquencyNoticeIssued"
    assert notice.warns_of_termination is False
    assert notice.payment_due_on is None


@pytest.mark.parametrize(
    ("financially_assisted", "months", "source"),
    [
        case(False, 1, "956 CMR 12.12(2)", id="without financial assistance: the first notice"),
        case(True, 2, "956 CMR 12.12(4)", id="with it: after two consecutive delinquent months"),
    ],
)
def test_delinquent_months_before_a_notice_gives_the_payment_date(
    financially_assisted: bool, months: int, source: str
) -> None:
    day = date(2026, 3, 5)
    parameter = (
        POLICY.fa_delinquent_months_before_termination
        if financially_assisted
        else POLICY.non_fa_delinquent_months_before_termination
    )

    assert premiums.delinquent_months_before_payment_date(financially_assisted, day, POLICY) == (
        months
    )
    assert parameter.dated_at(day).source.startswith(source)


@pytest.mark.parametrize(
    ("financially_assisted", "coverage", "delinquency", "termination"),
    [
        case(True, "health", "956 CMR 12.12(4)", "956 CMR 12.12(5)", id="assisted health"),
        case(False, "health", "956 CMR 12.12(2)", "956 CMR 12.12(3)", id="unassisted health"),
        case(True, "dental", "956 CMR 12.12(4)", "956 CMR 12.12(5)", id="dental with APTC"),
        case(False, "dental", "956 CMR 12.16(3)(b)", "956 CMR 12.12(3)", id="dental without APTC"),
    ],
)
def test_the_clause_a_delinquency_and_its_termination_fall_under(
    financially_assisted: bool, coverage: str, delinquency: str, termination: str
) -> None:
    assert premiums.delinquency_citation(financially_assisted, coverage) == delinquency
    assert premiums.termination_citation(financially_assisted) == termination


@pytest.mark.parametrize(
    ("replacement_starts_on", "replaced_ends_on"),
    [
        case(date(2026, 3, 1), date(2026, 2, 28), id="new plan from 1 March: old ends 28 February"),
        case(date(2028, 3, 1), date(2028, 2, 29), id="a leap year: old ends 29 February"),
        case(date(2027, 1, 1), date(2026, 12, 31), id="new plan from 1 January: old ends 31 December"),
    ],
)  # fmt: skip
def test_a_replaced_plan_ends_the_day_before_its_replacement_begins(
    replacement_starts_on: date, replaced_ends_on: date
) -> None:
    assert premiums.replaced_plan_end_on(replacement_starts_on) == replaced_ends_on


def test_a_plan_year_not_renewed_ends_on_31_december_and_a_renewal_starts_on_1_january() -> None:
    assert premiums.plan_year_end_on(date(2027, 1, 1)) == date(2026, 12, 31)
    assert effective_dates.renewal_effective_on(2027) == date(2027, 1, 1)


def test_no_section_of_the_enrollment_writes_a_citation_by_hand() -> None:
    """Every citation the enrollment records is a constant of `rules/`."""
    written = [
        f"{path.name}:{number}"
        for path in sorted(PACKAGE.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if '"956 CMR' in line or "'956 CMR" in line
    ]
    assert (PACKAGE / "billing.py").exists()
    assert written == []
