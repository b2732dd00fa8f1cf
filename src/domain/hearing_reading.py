"""Readings a hearing officer needs spelled out, as pure functions: how an appeal's deadline was
reached (12.14(2)(a), the receipt presumption, 12.14(3)) and whether it was met."""

from __future__ import annotations

from datetime import date

from .calendar import plus_days
from .parameters import PolicyVersion
from .rules import appeals as rules


def deadline_steps(
    action_on: date,
    *,
    notice_sent: bool,
    notice_received_on: date | None,
    deadline: date,
    policy: PolicyVersion,
) -> list[str]:
    """The steps from the action's date to the recorded `deadline`, each with its clause."""
    steps = []
    if notice_sent:
        days = policy.appeal_days_after_receipt.at(action_on)
        if notice_received_on is None:
            presumed = policy.appeal_notice_receipt_days.at(action_on)
            received = plus_days(action_on, presumed)
            steps.append(
                f"notice dated {action_on.isoformat()}; no evidence of another receipt date, so "
                f"receipt is presumed {presumed} days after the date on the notice: "
                f"{received.isoformat()} ({rules.DEADLINE_AFTER_NOTICE})"
            )
        else:
            received = notice_received_on
            steps.append(
                f"notice dated {action_on.isoformat()}, received on {received.isoformat()} "
                f"(evidence against the presumption, {rules.DEADLINE_AFTER_NOTICE})"
            )
        last_day = plus_days(received, days)
        steps.append(f"{days} days after receipt: {last_day.isoformat()}")
    else:
        days = policy.appeal_days_without_notice.at(action_on)
        last_day = plus_days(action_on, days)
        steps.append(
            f"no written notice was sent: {days} days from the action of "
            f"{action_on.isoformat()}: {last_day.isoformat()} ({rules.DEADLINE_WITHOUT_NOTICE})"
        )
    if deadline != last_day:
        steps.append(
            f"{last_day.isoformat()} is a {last_day.strftime('%A')} or a Massachusetts legal "
            f"holiday: the deadline is the next business day, {deadline.isoformat()} "
            f"({rules.LAST_DAY_ROLLS_OVER}; {rules.MASSACHUSETTS_LEGAL_HOLIDAYS})"
        )
    return steps


def timeliness(filed_on: date, deadline: date, timely: bool) -> str:
    """Why the appeal is timely or not, in words."""
    if timely:
        return (
            f"timely: received on {filed_on.isoformat()}, on or before the deadline "
            f"{deadline.isoformat()}"
        )
    return (
        f"not timely: received on {filed_on.isoformat()}, after the deadline "
        f"{deadline.isoformat()}; dismissed under {rules.DISMISSED_UNTIMELY}"
    )
