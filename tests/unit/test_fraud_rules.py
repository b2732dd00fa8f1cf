"""956 CMR 12.10(5)(a), 12.10(7): how a termination for fraud ends coverage (on the day it is
decided, before it: a rescission, 45 CFR 147.128, or from the start) and what may be recouped
(the APTC paid on the enrollee's behalf for the months taken away). Expected values are written by
hand, never computed by the function under test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from enrollment_ledger.domain.errors import InvalidCommand
from enrollment_ledger.domain.rules.fraud import FraudEnd, Recoupment, fraud_end, recoupment

case = pytest.param
FRAUD = "956 CMR 12.10(5)(a)"
RESCISSION = "956 CMR 12.10(5)(a); 45 CFR 147.128"
DECIDED = date(2026, 5, 12)
STARTED = date(2026, 2, 1)


@pytest.mark.parametrize(
    ("effective_on", "start_on", "expected"),
    [
        case(date(2026, 5, 12), STARTED, FraudEnd(date(2026, 5, 12), False, False, FRAUD), id="ends on the day decided: a termination, not a rescission"),
        case(date(2026, 5, 11), STARTED, FraudEnd(date(2026, 5, 11), True, False, RESCISSION), id="the day before: retroactive, a rescission"),
        case(date(2026, 2, 1), STARTED, FraudEnd(date(2026, 2, 1), True, False, RESCISSION), id="the first day of coverage: one day covered"),
        case(date(2026, 1, 31), STARTED, FraudEnd(date(2026, 1, 31), True, True, RESCISSION), id="the day before coverage began: rescinded from its start"),
        case(date(2026, 5, 12), None, FraudEnd(date(2026, 5, 12), False, True, FRAUD), id="coverage never began: nothing to keep"),
    ],
)  # fmt: skip
def test_a_termination_for_fraud_ends_coverage_on_its_date_and_before_the_decision_rescinds(
    effective_on: date, start_on: date | None, expected: FraudEnd
) -> None:
    assert fraud_end(effective_on, DECIDED, start_on) == expected


def test_an_end_after_the_day_of_the_decision_is_refused() -> None:
    with pytest.raises(InvalidCommand) as refused:
        fraud_end(date(2026, 5, 13), DECIDED, STARTED)
    assert refused.value.code == "invalid_field"
    assert FRAUD in refused.value.message


@pytest.mark.parametrize(
    ("aptc", "months", "expected"),
    [
        case(Decimal("200.00"), [date(2026, 4, 1), date(2026, 3, 1), date(2026, 5, 1)], Recoupment(Decimal("600.00"), ("2026-03", "2026-04", "2026-05"), "956 CMR 12.10(7)"), id="March to May with $200 APTC each, decided 12 May: $600, oldest first"),
        case(Decimal("200.00"), [date(2026, 5, 1), date(2026, 6, 1)], Recoupment(Decimal("200.00"), ("2026-05",), "956 CMR 12.10(7)"), id="June billed but not begun on 12 May: only May"),
        case(Decimal("200.00"), [], Recoupment(Decimal("0.00"), (), None), id="no month taken away: nothing to recoup"),
        case(Decimal("0.00"), [date(2026, 3, 1)], Recoupment(Decimal("0.00"), (), None), id="no APTC applied: nothing was paid on the enrollee's behalf"),
        case(Decimal("0.01"), [date(2026, 3, 1)], Recoupment(Decimal("0.01"), ("2026-03",), "956 CMR 12.10(7)"), id="one cent of APTC for one month: one cent"),
    ],
)  # fmt: skip
def test_what_may_be_recouped_is_the_aptc_of_each_begun_month_taken_away(
    aptc: Decimal, months: list[date], expected: Recoupment
) -> None:
    assert recoupment(aptc, months, DECIDED) == expected


@pytest.mark.parametrize(
    ("decided_on", "months"),
    [
        case(date(2026, 5, 31), ("2026-05",), id="decided 31 May: June not begun"),
        case(date(2026, 6, 1), ("2026-05", "2026-06"), id="decided 1 June: June begun that day"),
    ],
)  # fmt: skip
def test_a_month_counts_from_its_first_day(decided_on: date, months: tuple[str, ...]) -> None:
    taken = recoupment(Decimal("10.00"), [date(2026, 5, 1), date(2026, 6, 1)], decided_on)
    assert taken.months == months
    assert taken.amount == Decimal("10.00") * len(months)
