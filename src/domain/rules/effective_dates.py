"""956 CMR 12.08: eligibility effective dates for Non-Group Health Plans."""

from __future__ import annotations

from datetime import date

from ..calendar import add_months, first_of_next_month
from ..policy import PolicyVersion

GENERAL = "956 CMR 12.08(1)"
AFTER_CUTOFF = "956 CMR 12.08(2)"
LOSS_OF_ELIGIBILITY = "956 CMR 12.08(3)"


def eligibility_effective_on(
    notice_on: date,
    *,
    is_change: bool,
    remains_eligible: bool,
    policy: PolicyVersion,
) -> tuple[date, str]:
    """The effective date of a determination notified on `notice_on`, with its clause.

    - 12.08(3): a determination that leaves the individual eligible for no Connector Program takes
      effect on the first day of the month after the notice;
    - 12.08(2): a change in eligibility notified after the mid-month cut-off (Connector policy)
      that keeps the individual eligible takes effect a month later than 12.08(1);
    - 12.08(1): otherwise the first day of the month following the notice.
    """
    if not remains_eligible:
        return first_of_next_month(notice_on), LOSS_OF_ELIGIBILITY
    cutoff = policy.mid_month_cutoff_day.at(notice_on)
    if is_change and notice_on.day > cutoff:
        return add_months(notice_on, 2), AFTER_CUTOFF
    return first_of_next_month(notice_on), GENERAL
