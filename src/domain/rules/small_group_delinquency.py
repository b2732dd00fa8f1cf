"""956 CMR 12.12(11)-(13): a small group's delinquency, termination for non-payment and
reinstatement, as small pure functions (the citations are `rules/small_group.py`'s). Every number
comes from the `PolicyVersion` in force; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..calendar import plus_days

if TYPE_CHECKING:
    from ..parameters import PolicyVersion


# ---- 12.12(11)-(13): delinquency, termination and reinstatement ----------------------------------


def reinstatement_deadline(terminated_on: date, policy: PolicyVersion) -> date:
    """12.12(13): "within thirty (30) days from the date coverage was terminated", counted (the
    contract) from the day the termination was decided and notified, not from the retroactive
    end, which may already lie more than 30 days back. Day 30 is in time, day 31 is not."""
    return plus_days(terminated_on, policy.small_group_reinstatement_window_days.at(terminated_on))


def delinquent_months_before_payment_date(on: date, policy: PolicyVersion) -> int:
    """12.12(11): the first notice of delinquency gives the payment date after which coverage is
    terminated."""
    return policy.small_group_delinquent_months_before_termination.at(on)
