"""956 CMR 12.10(1)(a) and the special enrollment periods page: which reported events open a period
and until when, the non-payment exclusion, the American Indian or Alaska Native monthly change,
and which plan a transfer between plans replaces (12.10(1)).

Expected dates are literals counted by hand ("sixty (60) days to enroll ... from the date of one
of the events", a day being a calendar day, 12.03), never computed by the function under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.errors import InvalidCommand, OutsideEnrollmentPeriod
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.enrollment_periods import (
    PeriodTerms,
    QualifyingKind,
    ai_an_change_allowed,
    is_plan_transfer,
    qualifying_event_period,
)

POLICY = DEFAULT_POLICY.current
case = pytest.param
TRIGGERING_EVENT = "956 CMR 12.10(1)(a)"


# ---- sixty days from the event -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "event_on", "reported_on", "end_on"),
    [
        case(QualifyingKind.MARRIAGE, date(2026, 4, 1), date(2026, 4, 1), date(2026, 5, 31), id="reported the day it happens: 1 April + 60 days = 31 May"),
        case(QualifyingKind.PERMANENT_MOVE, date(2026, 4, 1), date(2026, 5, 31), date(2026, 5, 31), id="reported on day 60: still open"),
        case(QualifyingKind.NEW_DEPENDENT, date(2026, 12, 15), date(2027, 1, 10), date(2027, 2, 13), id="across the year end: 15 December + 60 days = 13 February"),
        case(QualifyingKind.LOSS_OF_COVERAGE, date(2028, 1, 1), date(2028, 1, 2), date(2028, 3, 1), id="a leap year: 1 January 2028 + 60 days = 1 March"),
        case(QualifyingKind.OPP_WAIVER, date(2026, 6, 30), date(2026, 7, 1), date(2026, 8, 29), id="an Office of Patient Protection waiver (958 CMR 4.00): 60 days"),
    ],
)  # fmt: skip
def test_a_triggering_event_opens_sixty_days_from_the_day_it_happened(
    kind: QualifyingKind, event_on: date, reported_on: date, end_on: date
) -> None:
    terms = qualifying_event_period(
        kind, event_on, reported_on, POLICY, coverage_lost_for_non_payment=False
    )
    assert terms == PeriodTerms(end_on, TRIGGERING_EVENT)


@pytest.mark.parametrize(
    ("event_on", "reported_on"),
    [
        case(date(2026, 4, 1), date(2026, 6, 1), id="reported on day 61 (1 June): refused"),
        case(date(2026, 12, 15), date(2027, 2, 14), id="reported the day after 13 February: refused"),
    ],
)  # fmt: skip
def test_an_event_reported_after_its_sixty_days_opens_nothing(
    event_on: date, reported_on: date
) -> None:
    with pytest.raises(OutsideEnrollmentPeriod) as refused:
        qualifying_event_period(
            QualifyingKind.MARRIAGE,
            event_on,
            reported_on,
            POLICY,
            coverage_lost_for_non_payment=False,
        )
    assert refused.value.code == "outside_enrollment_period"
    assert "(956 CMR 12.10(1))" in refused.value.message


def test_an_event_cannot_happen_after_the_day_it_is_reported() -> None:
    with pytest.raises(InvalidCommand):
        qualifying_event_period(
            QualifyingKind.MARRIAGE,
            date(2026, 4, 2),
            date(2026, 4, 1),
            POLICY,
            coverage_lost_for_non_payment=False,
        )


# ---- losing coverage for not paying premiums ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lost_for_non_payment", "opens"),
    [
        case(QualifyingKind.LOSS_OF_COVERAGE, False, True, id="coverage lost for another reason: a qualifying event"),
        case(QualifyingKind.LOSS_OF_COVERAGE, True, False, id="coverage lost for not paying premiums: not a qualifying event"),
        case(QualifyingKind.MARRIAGE, True, True, id="a marriage while terminated for non-payment: still a qualifying event"),
        case(QualifyingKind.PERMANENT_MOVE, True, True, id="a permanent move while terminated for non-payment: still a qualifying event"),
    ],
)  # fmt: skip
def test_only_a_loss_of_coverage_for_not_paying_premiums_is_excluded(
    kind: QualifyingKind, lost_for_non_payment: bool, opens: bool
) -> None:
    try:
        qualifying_event_period(
            kind,
            date(2026, 4, 1),
            date(2026, 4, 2),
            POLICY,
            coverage_lost_for_non_payment=lost_for_non_payment,
        )
    except OutsideEnrollmentPeriod as refused:
        assert not opens
        assert refused.code == "not_a_qualifying_event"
        assert "956 CMR 12.10(1)(a)" in refused.message
    else:
        assert opens


# ---- American Indian or Alaska Native: a change once a month -------------------------------------


def test_the_american_indian_or_alaska_native_period_has_no_end() -> None:
    terms = qualifying_event_period(
        QualifyingKind.AI_AN_MONTHLY,
        date(2026, 1, 1),
        date(2026, 9, 1),
        POLICY,
        coverage_lost_for_non_payment=False,
    )
    assert terms == PeriodTerms(date.max, TRIGGERING_EVENT)


@pytest.mark.parametrize(
    ("on", "changes", "allowed"),
    [
        case(date(2026, 5, 10), [], True, id="no change made yet: allowed"),
        case(date(2026, 5, 31), [date(2026, 5, 1)], False, id="a change on 1 May, another on 31 May: refused"),
        case(date(2026, 5, 10), [date(2026, 5, 10)], False, id="a second change the same day: refused"),
        case(date(2026, 6, 1), [date(2026, 5, 31)], True, id="a change on 31 May, another on 1 June: allowed"),
        case(date(2027, 1, 1), [date(2026, 12, 31)], True, id="31 December then 1 January: allowed"),
        case(date(2027, 5, 10), [date(2026, 5, 10)], True, id="May of another year: allowed"),
    ],
)  # fmt: skip
def test_an_american_indian_or_alaska_native_may_change_plans_once_a_calendar_month(
    on: date, changes: list[date], allowed: bool
) -> None:
    assert ai_an_change_allowed(on, changes) is allowed


# ---- 12.10(1): a transfer between plans ----------------------------------------------------------


@pytest.mark.parametrize(
    ("new_members", "new_start", "other_members", "other_start", "transfer"),
    [
        case(["a"], date(2026, 5, 1), ["a"], date(2026, 1, 1), True, id="the same member, begun earlier: a transfer"),
        case(["a", "b"], date(2026, 5, 1), ["b", "c"], date(2026, 1, 1), True, id="one member in common: a transfer"),
        case(["a"], date(2026, 5, 1), ["b"], date(2026, 1, 1), False, id="no member in common: not a transfer"),
        case(["a"], date(2026, 5, 1), ["a"], date(2026, 5, 1), False, id="begun the same day: not a transfer"),
        case(["a"], date(2026, 5, 1), ["a"], date(2026, 6, 1), False, id="begun later: not a transfer"),
        case(["a"], date(2026, 5, 1), ["a"], None, False, id="the other plan never began: not a transfer"),
    ],
)  # fmt: skip
def test_a_new_health_plan_for_a_member_of_one_begun_earlier_is_a_transfer(
    new_members: list[str],
    new_start: date,
    other_members: list[str],
    other_start: date | None,
    transfer: bool,
) -> None:
    assert (
        is_plan_transfer(
            new_member_ids=new_members,
            new_start_on=new_start,
            other_member_ids=other_members,
            other_start_on=other_start,
        )
        is transfer
    )
