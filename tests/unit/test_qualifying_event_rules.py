"""956 CMR 12.10(1)(a) and the special enrollment periods page: which reported events open a period
and until when, the non-payment and fraud exclusions, the American Indian or Alaska Native monthly
change, and which plan a transfer between plans replaces (12.10(1)). A refusal is a decision (a
`PeriodDenial`, recorded so that it can be appealed, 12.13(3)), not an error; a reversed refusal
opens the period (12.15(4)).

Expected dates are literals counted by hand ("sixty (60) days to enroll ... from the date of one
of the events", a day being a calendar day, 12.03), never computed by the function under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.errors import InvalidCommand
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.enrollment_periods import (
    DenialReason,
    LostCoverage,
    PeriodDenial,
    PeriodTerms,
    QualifyingKind,
    ai_an_change_allowed,
    ai_an_change_denial,
    is_plan_transfer,
    is_that_loss,
    qualifying_event_decision,
    reopened_kind,
    reversed_denial_period,
)

POLICY = DEFAULT_POLICY.current
case = pytest.param
TRIGGERING_EVENT = "956 CMR 12.10(1)(a)"
NOTHING_LOST: dict[str, str] = {}


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
    terms = qualifying_event_decision(
        kind, event_on, reported_on, POLICY, coverage_lost=NOTHING_LOST
    )
    assert terms == PeriodTerms(end_on, TRIGGERING_EVENT)


@pytest.mark.parametrize(
    ("event_on", "reported_on", "ended_on"),
    [
        case(date(2026, 4, 1), date(2026, 6, 1), date(2026, 5, 31), id="reported on day 61 (1 June): refused, the 60 days ended 31 May"),
        case(date(2026, 12, 15), date(2027, 2, 14), date(2027, 2, 13), id="reported the day after 13 February: refused"),
    ],
)  # fmt: skip
def test_an_event_reported_after_its_sixty_days_opens_nothing(
    event_on: date, reported_on: date, ended_on: date
) -> None:
    decision = qualifying_event_decision(
        QualifyingKind.MARRIAGE, event_on, reported_on, POLICY, coverage_lost=NOTHING_LOST
    )
    assert decision == PeriodDenial(
        DenialReason.REPORTED_AFTER_SIXTY_DAYS, "956 CMR 12.10(1)", end_on=ended_on
    )


def test_an_event_cannot_happen_after_the_day_it_is_reported() -> None:
    with pytest.raises(InvalidCommand):
        qualifying_event_decision(
            QualifyingKind.MARRIAGE,
            date(2026, 4, 2),
            date(2026, 4, 1),
            POLICY,
            coverage_lost=NOTHING_LOST,
        )


# ---- losing coverage for not paying premiums, or for fraud --------------------------------------

NOT_A_QUALIFYING_LOSS = (
    "956 CMR 12.10(1)(a); 45 CFR 155.420(e); the special enrollment periods page"
)


@pytest.mark.parametrize(
    ("kind", "lost", "refused_for", "named"),
    [
        case(QualifyingKind.LOSS_OF_COVERAGE, {}, None, (), id="no coverage lost here: a qualifying event"),
        case(QualifyingKind.LOSS_OF_COVERAGE, {"E1": "voluntary"}, None, (), id="coverage ended at the member's request: still a qualifying event"),
        case(QualifyingKind.LOSS_OF_COVERAGE, {"E1": "non_payment"}, DenialReason.COVERAGE_LOST_FOR_NON_PAYMENT, ("E1",), id="coverage lost for not paying premiums: refused"),
        case(QualifyingKind.LOSS_OF_COVERAGE, {"E1": "fraud"}, DenialReason.COVERAGE_LOST_FOR_FRAUD, ("E1",), id="coverage lost for fraud: refused"),
        case(QualifyingKind.LOSS_OF_COVERAGE, {"E1": "non_payment", "E2": "fraud"}, DenialReason.COVERAGE_LOST_FOR_FRAUD, ("E2",), id="both: the fraud is named"),
        case(QualifyingKind.MARRIAGE, {"E1": "non_payment"}, None, (), id="a marriage while terminated for non-payment: still a qualifying event"),
        case(QualifyingKind.PERMANENT_MOVE, {"E1": "fraud"}, None, (), id="a permanent move after a termination for fraud: still a qualifying event"),
    ],
)  # fmt: skip
def test_only_a_loss_of_coverage_for_not_paying_premiums_is_excluded(
    kind: QualifyingKind,
    lost: dict[str, str],
    refused_for: DenialReason | None,
    named: tuple[str, ...],
) -> None:
    """Each enrollment's coverage lost on 31 March, decided on 1 April (the loss's date)."""
    ended = {e: LostCoverage(why, date(2026, 3, 31), date(2026, 4, 1)) for e, why in lost.items()}
    decision = qualifying_event_decision(
        kind, date(2026, 4, 1), date(2026, 4, 2), POLICY, coverage_lost=ended
    )
    if refused_for is None:
        assert decision == PeriodTerms(date(2026, 5, 31), TRIGGERING_EVENT)
    else:
        assert decision == PeriodDenial(refused_for, NOT_A_QUALIFYING_LOSS, enrollment_ids=named)


# ---- American Indian or Alaska Native: a change once a month -------------------------------------


def test_the_american_indian_or_alaska_native_period_has_no_end() -> None:
    terms = qualifying_event_decision(
        QualifyingKind.AI_AN_MONTHLY,
        date(2026, 1, 1),
        date(2026, 9, 1),
        POLICY,
        coverage_lost=NOTHING_LOST,
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


@pytest.mark.parametrize(
    ("on", "changes", "refused_naming"),
    [
        case(date(2026, 5, 31), [(date(2026, 5, 1), "E1")], ("E1",), id="E1 on 1 May, another on 31 May: refused, naming E1"),
        case(date(2026, 6, 1), [(date(2026, 5, 31), "E1")], None, id="E1 on 31 May, another on 1 June: allowed"),
        case(date(2026, 6, 10), [(date(2026, 5, 31), "E1"), (date(2026, 6, 2), "E2")], ("E2",), id="only this month's change is named"),
    ],
)  # fmt: skip
def test_a_second_american_indian_or_alaska_native_change_in_a_month_is_a_recorded_refusal(
    on: date, changes: list[tuple[date, str]], refused_naming: tuple[str, ...] | None
) -> None:
    denial = ai_an_change_denial(on, changes)
    if refused_naming is None:
        assert denial is None
    else:
        assert denial == PeriodDenial(
            DenialReason.AI_AN_CHANGE_ALREADY_MADE_THIS_MONTH,
            "956 CMR 12.10(1)(a); the special enrollment periods page",
            enrollment_ids=refused_naming,
        )


# ---- 12.15(4): a refused period reversed on appeal ------------------------------------------------

REVERSED = "956 CMR 12.15(4); 45 CFR 155.545(c)"
REVERSED_LATE = f"{REVERSED}; 956 CMR 12.10(1)(a); 45 CFR 155.420(d)(4)"


@pytest.mark.parametrize(
    ("event_on", "decided_on", "end_on", "citation"),
    [
        case(date(2026, 4, 1), date(2026, 5, 20), date(2026, 5, 31), REVERSED, id="decided within the 60 days: they stand (to 31 May)"),
        case(date(2026, 4, 1), date(2026, 5, 31), date(2026, 5, 31), REVERSED, id="decided on day 60: the original 60 days, to that day"),
        case(date(2026, 4, 1), date(2026, 6, 1), date(2026, 7, 31), REVERSED_LATE, id="decided on day 61: 60 days from the decision (1 June + 60 = 31 July)"),
        case(date(2026, 1, 10), date(2026, 9, 1), date(2026, 10, 31), REVERSED_LATE, id="long past: 60 days from the decision"),
    ],
)  # fmt: skip
def test_a_reversed_refusal_opens_the_original_sixty_days_or_sixty_from_the_decision(
    event_on: date, decided_on: date, end_on: date, citation: str
) -> None:
    assert reversed_denial_period(event_on, decided_on, POLICY) == PeriodTerms(end_on, citation)


@pytest.mark.parametrize(
    ("denied", "opened"),
    [
        case("loss_of_coverage", "loss_of_coverage", id="a loss of coverage reopens as a loss of coverage"),
        case("new_dependent", "new_dependent", id="a new dependent keeps its kind (coverage from the birth)"),
        case("ai_an_monthly", "ai_an_change_on_appeal", id="a refused AI/AN change opens a period the monthly limit does not refuse again"),
    ],
)  # fmt: skip
def test_the_period_a_reversal_opens_keeps_the_kind_refused_except_the_monthly_change(
    denied: str, opened: str
) -> None:
    assert reopened_kind(denied) == opened


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


def test_the_losses_that_do_not_qualify_are_spelled_as_the_enrollment_records_its_end() -> None:
    """`coverage_lost` carries the enrollment's own end reasons: each excluded loss must be one."""
    from enrollment_ledger.domain.enrollment.shared import EndReason
    from enrollment_ledger.domain.rules.enrollment_periods import ExcludedLoss

    assert {loss.value for loss in ExcludedLoss} == {
        EndReason.NON_PAYMENT.value,
        EndReason.FRAUD.value,
    }


# ---- which loss is the ledger's own termination ----------------------------------------------------


@pytest.mark.parametrize(
    ("event_on", "that_loss"),
    [
        case(date(2026, 3, 30), False, id="the day before its last day covered: other coverage"),
        case(date(2026, 3, 31), True, id="its last day covered"),
        case(date(2026, 5, 11), True, id="the day the termination was decided"),
        case(date(2026, 7, 10), True, id="sixty days after the decision"),
        case(date(2026, 7, 11), False, id="sixty-one days after the decision: other coverage"),
    ],
)  # fmt: skip
def test_a_loss_is_the_ledger_s_own_termination_from_its_last_day_to_sixty_days_after_the_decision(
    event_on: date, that_loss: bool
) -> None:
    """Contract: refused "for a loss_of_coverage that was a termination for non-payment or fraud in
    this ledger"; terminated on 11 May 2026 back to 31 March."""
    lost = LostCoverage("non_payment", date(2026, 3, 31), date(2026, 5, 11))
    assert is_that_loss(lost, event_on, POLICY) is that_loss
    decision = qualifying_event_decision(
        QualifyingKind.LOSS_OF_COVERAGE,
        event_on,
        date(2026, 7, 12),
        POLICY,
        coverage_lost={"E1": lost},
    )
    refused_as_that_loss = (
        isinstance(decision, PeriodDenial)
        and decision.reason == DenialReason.COVERAGE_LOST_FOR_NON_PAYMENT
    )
    assert refused_as_that_loss is that_loss
