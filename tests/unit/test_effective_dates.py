"""956 CMR 12.08: effective dates around the mid-month cut-off (the 15th, a dated parameter)."""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.effective_dates import eligibility_effective_on

POLICY = DEFAULT_POLICY.current


@pytest.mark.parametrize(
    ("notice_on", "is_change", "remains", "expected", "clause"),
    [
        # 12.08(1): the first of the month after the notice.
        (date(2026, 3, 15), False, True, date(2026, 4, 1), "12.08(1)"),
        (date(2026, 3, 16), False, True, date(2026, 4, 1), "12.08(1)"),
        # 12.08(2): a change after the cut-off that keeps the member eligible: a month later.
        (date(2026, 3, 15), True, True, date(2026, 4, 1), "12.08(1)"),
        (date(2026, 3, 16), True, True, date(2026, 5, 1), "12.08(2)"),
        (date(2026, 12, 20), True, True, date(2027, 2, 1), "12.08(2)"),
        # 12.08(3): losing all eligibility takes effect the first of the next month.
        (date(2026, 3, 16), True, False, date(2026, 4, 1), "12.08(3)"),
        (date(2026, 3, 15), True, False, date(2026, 4, 1), "12.08(3)"),
    ],
)
def test_effective_date_rules(
    notice_on: date, is_change: bool, remains: bool, expected: date, clause: str
) -> None:
    effective_on, citation = eligibility_effective_on(
        notice_on, is_change=is_change, remains_eligible=remains, policy=POLICY
    )
    assert effective_on == expected
    assert citation.endswith(clause)
