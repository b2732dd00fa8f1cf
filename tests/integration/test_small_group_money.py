"""Property: money is conserved for a small group as for an individual (the same invariant, the
same billing). Over generated scenarios — the employer's payments of varied amounts and dates,
late payments, schedule runs, employees enrolling in a special enrollment period or leaving in
one, the employer's voluntary termination and reinstatement requests, a renewal or the coverage
year's end without one (12.04(4)(b), 31 March 2027) — at every `--as-of` date and
every `--known-at` instant: payments received by then = paid on months still owed (not voided) +
credit + refund due, and neither credit nor refund due is ever negative."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.calendar import add_months
from enrollment_ledger.domain.group_enrollment import GroupEnrollment, replay
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections.enrollment_views import select_events
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ..group_scenarios import employer_pays, enroll, enrolled_group
from ..scenarios import schedule

START = date(2026, 3, 1)
END = date(2027, 5, 31)
"""No business date after it (a command may not be dated after the day it is recorded)."""
MONTHLY = Decimal("1400.00")
NOT_A_REFUSAL = {"internal_error", "store_error", "store_unavailable"}

days = st.integers(min_value=0, max_value=(END - START).days)
amounts = st.one_of(
    st.tuples(st.just("months"), st.integers(min_value=1, max_value=4)),
    st.tuples(st.just("cents"), st.integers(min_value=1, max_value=400_000)),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), days, amounts),
        st.tuples(st.just("late_pay"), days, amounts, st.integers(min_value=1, max_value=40)),
        st.tuples(st.just("schedule"), days),
        st.tuples(st.just("join"), days, st.integers(min_value=0, max_value=40)),
        st.tuples(st.just("leave"), days, st.sampled_from(["EMP-1", "EMP-2"])),
        st.tuples(st.just("terminate"), days),
        st.tuples(st.just("renew"), days),
        st.tuples(st.just("reinstate"), days, st.sampled_from([0, -1, 1, 500])),
        st.tuples(
            st.just("reinstate_after"),
            st.integers(min_value=75, max_value=115),
            st.sampled_from([0, -1, 1, 500]),
        ),
    ),
    max_size=12,
)
"""`reinstate_after`: days after the last monthly payment, when a termination for non-payment
(decided about 80 days after it) may have been decided, its 30-day window open or just closed."""


def build(binder_day: int | None, monthly: int, generated: list[tuple[Any, ...]]) -> list[Any]:
    """The commands in date order (a late payment is dated before the day it is entered)."""
    commands: list[Any] = list(enrolled_group())
    dated: list[tuple[date, dict[str, Any]]] = []
    if binder_day is not None:
        dated.append((START + timedelta(days=binder_day), {"pay": MONTHLY}))
    for m in range(monthly):
        dated.append((add_months(date(2026, 4, 1), m).replace(day=20), {"pay": MONTHLY}))
    last_paid = add_months(date(2026, 3, 1), monthly).replace(day=20)
    for step in generated:
        anchor = last_paid if step[0] == "reinstate_after" else START
        dated.append((min(anchor + timedelta(days=step[1]), END), {"step": step}))
    for n, (on, planned) in enumerate(sorted(dated, key=lambda item: item[0])):
        day = on.isoformat()
        if "pay" in planned:
            commands.append(employer_pays(day, str(planned["pay"]), f"m{n}"))
            continue
        step = planned["step"]
        kind = step[0]
        if kind in ("pay", "late_pay"):
            chosen, k = step[2]
            amount = MONTHLY * k if chosen == "months" else Decimal(k) / 100
            paid_on = on - timedelta(days=step[3]) if kind == "late_pay" else on
            commands.append(employer_pays(max(paid_on, START).isoformat(), str(amount), f"p{n}"))
        elif kind == "schedule":
            commands.append(schedule(day))
        elif kind == "join":
            event_on = max(on - timedelta(days=step[2]), START).isoformat()
            commands.append(
                enroll(f"NEW-{n}", "450.00", on=day, kind="loss_of_coverage", event_on=event_on)
            )
        elif kind == "leave":
            commands.append(
                {"command": "request_termination", "on": day, "group_enrollment_id": "G1", "employee_id": step[2], "kind": "marriage"}
            )  # fmt: skip
        elif kind == "terminate":
            commands.append({"command": "request_termination", "on": day, "enrollment_id": "G1"})
        elif kind == "renew":
            commands.append({"command": "renew_group_plan", "on": day, "group_enrollment_id": "G1"})
        else:  # reinstate, reinstate_after
            commands.append({"reinstate": day, "adjust": step[2], "n": n})
    commands.append(schedule(END.isoformat()))
    return commands


def accepted_payments(ledger: Ledger, commands: list[Any]) -> list[tuple[date, Decimal]]:
    """Apply every command (a refusal is allowed, a crash is not); the payments accepted."""
    received: list[tuple[date, Decimal]] = []
    for planned in commands:
        for command in expanded(ledger, planned):
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None
            assert answer["ok"] or answer["error"]["code"] not in NOT_A_REFUSAL, (command, answer)
            if answer["ok"] and command["command"] == "record_payment":
                received.append((date.fromisoformat(command["on"]), Decimal(command["amount"])))
    return received


def expanded(ledger: Ledger, planned: dict[str, Any]) -> list[dict[str, Any]]:
    """A command; or a reinstatement: the schedule run to its day, the amount the balance says
    it needs paid (off by `adjust` cents), and the request."""
    if "reinstate" not in planned:
        return [planned]
    day = planned["reinstate"]
    ran = answer_line(ledger, json.dumps(schedule(day)).encode())
    assert ran is not None and ran["ok"], ran
    needed = queries.balance(ledger, "G1")["reinstatement_amount"]
    if needed is None:
        return []
    amount = Decimal(needed) + Decimal(planned["adjust"]) / 100
    paid = [employer_pays(day, str(amount), f"r{planned['n']}")] if amount > 0 else []
    return [*paid, {"command": "request_reinstatement", "on": day, "enrollment_id": "G1"}]


def assert_conserved(group: GroupEnrollment | None, received: Decimal, where: str) -> None:
    if group is None:
        assert received == 0, where
        return
    account = group.money_account()
    assert account.conserved, (where, account)
    assert account.received == received, (where, account)
    assert account.credit >= 0 and account.refund_due >= 0, (where, account)


binder_days = st.sampled_from([None, 5, 13, 15, 20, 22, 22, 25])
"""Days after 1 March: before enrollment closes (the 14th), by the due date (the 23rd), after."""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    binder_day=binder_days,
    monthly=st.integers(min_value=0, max_value=13),
    generated=steps,
)
@example(binder_day=20, monthly=13, generated=[])  # the year ends, a month paid ahead due back
@example(binder_day=20, monthly=13, generated=[("renew", 300)])  # renewed: billed on
def test_an_employers_payments_are_paid_on_months_owed_credit_or_due_back_at_every_date(
    binder_day: int | None, monthly: int, generated: list[tuple[Any, ...]]
) -> None:
    commands = build(binder_day, monthly, generated)
    with tempfile.TemporaryDirectory() as folder:
        ledger = build_ledger(f"sqlite:///{Path(folder) / 'ledger.db'}")
        try:
            received = accepted_payments(ledger, commands)
            events = list(ledger.aggregate_events(GroupEnrollment.id_for("G1")))
            as_of = START
            while as_of <= END:
                by_then = sum((a for d, a in received if d <= as_of), Decimal(0))
                assert_conserved(replay(select_events(events, as_of)), by_then, f"as of {as_of}")
                as_of += timedelta(days=3)
            for known in range(1, len(events) + 1):
                prefix = events[:known]
                payments_known = sum(
                    (e.amount for e in prefix if isinstance(e, GroupEnrollment.PaymentRecorded)),
                    Decimal(0),
                )
                assert_conserved(replay(prefix), payments_known, f"known at version {known}")
        finally:
            ledger.close()
