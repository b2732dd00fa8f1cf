"""How an appeal's deadline was reached, spelled out (domain/hearing_reading.py): 12.14(2)(a) with
the receipt presumption, evidence of receipt, no notice, and 12.14(3)'s roll-over."""

from __future__ import annotations

from datetime import date

from enrollment_ledger.domain.hearing_reading import deadline_steps, timeliness
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.appeals import appeal_deadline

POLICY = DEFAULT_POLICY.current


def steps(action_on: date, notice_sent: bool = True, received: date | None = None) -> list[str]:
    deadline, _ = appeal_deadline(
        action_on, notice_sent=notice_sent, notice_received_on=received, policy=POLICY
    )
    return deadline_steps(
        action_on,
        notice_sent=notice_sent,
        notice_received_on=received,
        deadline=deadline,
        policy=POLICY,
    )


def test_without_evidence_receipt_is_presumed_five_days_after_the_notice() -> None:
    assert steps(date(2026, 1, 5)) == [
        "notice dated 2026-01-05; no evidence of another receipt date, so receipt is presumed 5 "
        "days after the date on the notice: 2026-01-10 (956 CMR 12.14(2)(a)1)",
        "30 days after receipt: 2026-02-09",
    ]


def test_a_receipt_date_given_replaces_the_presumption() -> None:
    shown = steps(date(2026, 1, 5), received=date(2026, 1, 14))
    assert shown[0].startswith("notice dated 2026-01-05, received on 2026-01-14")
    assert shown[1] == "30 days after receipt: 2026-02-13"


def test_a_last_day_on_patriots_day_rolls_to_the_next_business_day() -> None:
    # 16 March + 5 = 21 March, + 30 = 20 April 2026, Patriots' Day (a Monday)
    shown = steps(date(2026, 3, 16))
    assert shown[1] == "30 days after receipt: 2026-04-20"
    assert "the deadline is the next business day, 2026-04-21" in shown[2]


def test_without_a_notice_the_deadline_counts_120_days_from_the_action() -> None:
    (only,) = steps(date(2026, 1, 6), notice_sent=False)
    assert only.startswith("no written notice was sent: 120 days from the action of 2026-01-06")


def test_timeliness_says_why_on_both_sides_of_the_deadline() -> None:
    deadline = date(2026, 2, 9)
    assert timeliness(deadline, deadline, True).startswith("timely: received on 2026-02-09")
    late = timeliness(date(2026, 2, 10), deadline, False)
    assert late.startswith("not timely") and "12.15(2)(a)" in late
