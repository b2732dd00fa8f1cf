"""Property (issue 15): money is conserved. Over generated scenarios (a selection, payments of
varied amounts and dates, late payments, schedule runs, voluntary terminations, reinstatement
requests, hardship waivers, a plan change and a termination for fraud, possibly a rescission), for
every enrollment and at every `--as-of` date
and every `--known-at` instant: payments received by then = paid on months still owed (not
voided) + credit + refund due; and credit and refund due are never negative."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.enrollment import Enrollment, replay
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections.enrollment_views import fold
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ..scenarios import household_commands, pay, schedule, select

LAST_DAY = date(2026, 11, 30)
"""No business date after it (a command may not be dated after the day it is recorded)."""
NOT_A_REFUSAL = {"internal_error", "store_error", "store_unavailable"}

premiums = st.sampled_from(["50.00", "90.00", "150.00", "450.00"])
amounts = st.one_of(
    st.tuples(st.just("months"), st.integers(min_value=1, max_value=6)),
    st.tuples(st.just("cents"), st.integers(min_value=1, max_value=60_000)),
)
catch_up = st.one_of(
    st.tuples(st.just("months"), st.integers(min_value=2, max_value=6)),
    amounts,
)
adjustments = st.sampled_from([0, 0, -1, 1, 500, -500])
"""Cents more (or less) than what the ledger says is needed."""
day = st.one_of(
    st.tuples(st.just("after_selection"), st.integers(min_value=0, max_value=385)),
    st.tuples(st.just("after_last_monthly_payment"), st.integers(min_value=0, max_value=150)),
)
after_termination = st.tuples(
    st.just("after_last_monthly_payment"), st.integers(min_value=80, max_value=150)
)
"""When a termination for non-payment may have been decided, its window still open."""
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), day, amounts),
        st.tuples(st.just("late_pay"), day, catch_up, st.integers(min_value=1, max_value=60)),
        st.tuples(st.just("schedule"), day),
        st.tuples(st.just("terminate"), day),
        st.tuples(st.just("reinstate"), after_termination, adjustments),
        st.tuples(
            st.just("cure_late"),
            after_termination,
            adjustments,
            st.integers(min_value=0, max_value=20),
        ),
        st.tuples(st.just("waiver"), day, st.integers(min_value=-2, max_value=2)),
        st.tuples(st.just("plan_change"), day, premiums),
        st.tuples(st.just("fraud"), day, st.integers(min_value=0, max_value=120)),
    ),
    max_size=12,
)
binders = st.tuples(
    st.integers(min_value=0, max_value=16),  # paid 10 to 26 January (due the 23rd)
    st.sampled_from([0, 1, 1, 1, 2, 3]),  # months paid (0: no binder)
    st.booleans(),  # entered only after the schedule has cancelled the selection
)


@dataclass(frozen=True)
class Scenario:
    """A plan year's selection on 10 January, a premium paid on the 20th of the next
    `monthly_payments` months, and what follows, to 31 January of the next year (past the plan
    year's end) or to `LAST_DAY`."""

    plan_year: int
    premium: str
    monthly_payments: int

    @property
    def selected(self) -> date:
        return date(self.plan_year, 1, 10)

    @property
    def end(self) -> date:
        return min(date(self.plan_year + 1, 1, 31), LAST_DAY)

    def offset(self, chosen: tuple[str, int]) -> int:
        """Days after the selection: counted from it, or from the last monthly payment."""
        anchor, days = chosen
        if anchor == "after_selection":
            return days
        return (
            (date(self.plan_year, 1, 20) - self.selected).days + 30 * self.monthly_payments + days
        )

    def on(self, offset: int) -> str:
        return min(self.selected + timedelta(days=offset), self.end).isoformat()

    def amount(self, chosen: tuple[str, int]) -> str:
        kind, n = chosen
        if kind == "months":
            return str(Decimal(self.premium) * n)
        return f"{n // 100}.{n % 100:02d}"

    def every_day(self) -> Iterator[date]:
        day = self.selected
        while day <= self.end:
            yield day
            day += timedelta(days=1)


def build(
    scenario: Scenario,
    financially_assisted: bool,
    binder: tuple[int, int, bool],
    generated: list[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    """The commands in date order (a late payment is dated before the day it is entered)."""
    year, on = scenario.plan_year, scenario.on
    commands = [
        *household_commands(
            aptc_eligible=financially_assisted,
            applied_on=f"{year}-01-02",
            determined_on=f"{year}-01-05",
            plan_year=year,
        ),
        select(on=on(0), premium=scenario.premium),
    ]
    offset, months, entered_late = binder
    if months:
        binder_payment = pay(on(offset), str(Decimal(scenario.premium) * months), "binder")
        commands += [schedule(on(21)), binder_payment] if entered_late else [binder_payment]
    monthly = [
        ((date(year, 1 + m, 20) - scenario.selected).days, ("pay", None, ("months", 1)))
        for m in range(1, scenario.monthly_payments + 1)
    ]
    dated = monthly + [(scenario.offset(step[1]), step) for step in generated]
    planned = False
    for n, (offset, step) in enumerate(sorted(dated, key=lambda d: d[0])):
        kind = step[0]
        if kind == "pay":
            commands.append(pay(on(offset), scenario.amount(step[2]), f"p{n}"))
        elif kind == "late_pay":
            late = on(max(offset - step[3], 0))
            commands.append(pay(late, scenario.amount(step[2]), f"late{n}"))
        elif kind == "schedule":
            commands.append(schedule(on(offset)))
        elif kind == "terminate":
            commands.append(
                {"command": "request_termination", "on": on(offset), "enrollment_id": "E1"}
            )
        elif kind == "reinstate":
            commands.append({"step": "reinstate", "on": on(offset), "adjust": step[2], "n": n})
        elif kind == "cure_late":
            commands.append(
                {"step": "cure_late", "on": on(offset), "adjust": step[2], "back": step[3], "n": n}
            )
        elif kind == "fraud":
            ends = date.fromisoformat(on(offset)) - timedelta(days=step[2])
            commands.append(
                {
                    "command": "terminate_for_fraud",
                    "on": on(offset),
                    "enrollment_id": "E1",
                    "effective_on": ends.isoformat(),
                    "finding": "generated",
                }
            )
        elif kind == "waiver":
            first = (scenario.selected + timedelta(days=offset + 31 * step[2])).replace(day=1)
            commands += waiver(on(offset), first.isoformat()[:7])
        elif not planned:
            planned = True
            commands += plan_change(on(offset), step[2])
    commands.append(schedule(scenario.end.isoformat()))
    return commands


def waiver(day: str, first_month: str) -> list[dict[str, Any]]:
    return [
        {
            "command": "request_hardship_waiver",
            "on": day,
            "household_id": "H1",
            "enrollment_id": "E1",
            "grounds": "utility_shutoff",
        },
        {
            "command": "decide_hardship_waiver",
            "on": day,
            "enrollment_id": "E1",
            "decision": "granted",
            "first_month": first_month,
            "months": 3,
        },
    ]


def plan_change(day: str, premium: str) -> list[dict[str, Any]]:
    """A move opens a special enrollment period; E2 for the same member replaces E1 once its
    binder is paid (12.10(1))."""
    return [
        {
            "command": "report_qualifying_event",
            "on": day,
            "household_id": "H1",
            "kind": "permanent_move",
        },
        select("E2", on=day, premium=premium),
        pay(day, premium, "binder-2", "E2"),
    ]


def accepted_payments(
    ledger: Ledger, commands: list[dict[str, Any]]
) -> dict[str, list[tuple[date, Decimal]]]:
    """Apply every command (a refusal is allowed, a crash is not); the payments accepted."""
    received: dict[str, list[tuple[date, Decimal]]] = {}
    for planned in commands:
        for command in expanded(ledger, planned, received.get("E1", [])):
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None
            assert answer["ok"] or answer["error"]["code"] not in NOT_A_REFUSAL, (command, answer)
            if answer["ok"] and command["command"] == "record_payment":
                received.setdefault(command["enrollment_id"], []).append(
                    (date.fromisoformat(command["on"]), Decimal(command["amount"]))
                )
    return received


def expanded(
    ledger: Ledger, planned: dict[str, Any], received: list[tuple[date, Decimal]]
) -> list[dict[str, Any]]:
    """A command, or the commands of a step that reads the ledger first: `reinstate` pays what
    the balance says reinstatement needs and asks for it; `cure_late` enters a payment dated
    before a termination's payment date, of what was still owed by then (12.12(3), (5): the
    termination is rescinded when that is paid). Each is off by `adjust` cents, and reads the
    ledger after a schedule run to its date."""
    if "step" not in planned:
        return [planned]
    caught_up = answer_line(ledger, json.dumps(schedule(planned["on"])).encode())
    assert caught_up is not None and caught_up["ok"], caught_up
    balance = queries.balance(ledger, "E1")
    adjust = Decimal(planned["adjust"]) / 100
    if planned["step"] == "reinstate":
        if balance["reinstatement_amount"] is None:
            return []
        amount = Decimal(balance["reinstatement_amount"]) + adjust
        request = {"command": "request_reinstatement", "on": planned["on"], "enrollment_id": "E1"}
        paid = [pay(planned["on"], str(amount), f"r{planned['n']}")] if amount > 0 else []
        return [*paid, request]
    payment_date = balance["delinquency"]["payment_due_on"]
    if queries.coverage(ledger, "E1")["status"] != "terminated" or payment_date is None:
        return []
    by = date.fromisoformat(payment_date)
    billed = sum(
        Decimal(m["billed"]) - Decimal(m["waived"])
        for m in balance["months"]
        if date.fromisoformat(m["due_on"]) <= by
    )
    owed = billed - sum((a for d, a in received if d <= by), Decimal(0)) + adjust
    if owed <= 0:
        return []
    return [pay((by - timedelta(days=planned["back"])).isoformat(), str(owed), f"c{planned['n']}")]


def assert_conserved(enrollment: Enrollment | None, received: Decimal, where: str) -> None:
    """The invariant as the aggregate states it (`Enrollment.money_account`), with the payments
    the test itself saw accepted."""
    if enrollment is None:
        assert received == 0, where
        return
    account = enrollment.money_account()
    assert account.conserved, (where, account)
    assert account.received == received, (where, account)
    assert account.credit >= 0 and account.refund_due >= 0, (where, account)


def shown(balance: dict[str, Any]) -> Decimal:
    """The same sum as `balance` shows it: paid on months not voided + credit + refund due."""
    on_months = sum(Decimal(m["paid"]) for m in balance["months"] if not m["voided"])
    return on_months + Decimal(balance["credit"]) + Decimal(balance["refund_due"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan_year=st.sampled_from([2025, 2026]),
    financially_assisted=st.booleans(),
    premium=premiums,
    monthly_payments=st.integers(min_value=0, max_value=11),
    binder=binders,
    generated=steps,
)
@example(  # a refund made credit again by a rescission, folded as of a day before the payment
    # that refund came from (found by this test; pinned)
    plan_year=2025,
    financially_assisted=False,
    premium="50.00",
    monthly_payments=0,
    binder=(0, 1, False),
    generated=[
        ("late_pay", ("after_selection", 106), ("months", 2), 1),
        ("cure_late", ("after_last_monthly_payment", 124), 0, 0),
    ],
)
@example(  # a cent paid after selection, then a late cure of a termination for non-payment
    # (found by this test; pinned)
    plan_year=2025,
    financially_assisted=False,
    premium="50.00",
    monthly_payments=0,
    binder=(0, 1, False),
    generated=[
        ("pay", ("after_selection", 0), ("cents", 1)),
        ("cure_late", ("after_last_monthly_payment", 80), 0, 0),
    ],
)
@example(  # a cancellation dated the day before the binder's payment, entered after it: as of
    # that day nothing was received, so nothing is due back (found by this test; pinned)
    plan_year=2025,
    financially_assisted=False,
    premium="50.00",
    monthly_payments=0,
    binder=(1, 1, False),
    generated=[("terminate", ("after_selection", 0))],
)
def test_payments_received_are_paid_on_months_owed_credit_or_due_back_at_every_date(
    plan_year: int,
    financially_assisted: bool,
    premium: str,
    monthly_payments: int,
    binder: tuple[int, int, bool],
    generated: list[tuple[Any, ...]],
) -> None:
    scenario = Scenario(plan_year, premium, monthly_payments)
    commands = build(scenario, financially_assisted, binder, generated)
    with tempfile.TemporaryDirectory() as folder:
        ledger = build_ledger(f"sqlite:///{Path(folder) / 'ledger.db'}")
        try:
            received = accepted_payments(ledger, commands)
            for enrollment_id in ("E1", "E2"):
                events = list(ledger.aggregate_events(Enrollment.id_for(enrollment_id)))
                payments = received.get(enrollment_id, [])
                for as_of in scenario.every_day():
                    by_then = sum((a for d, a in payments if d <= as_of), Decimal(0))
                    folded = fold(events, as_of=as_of)
                    assert_conserved(folded, by_then, f"{enrollment_id} as of {as_of}")
                    if folded is not None:
                        balance = queries.balance(ledger, enrollment_id, as_of=as_of)
                        assert shown(balance) == by_then, (enrollment_id, as_of, balance)
                for known in range(1, len(events) + 1):
                    prefix = events[:known]
                    payments_known = sum(
                        (e.amount for e in prefix if isinstance(e, Enrollment.PaymentRecorded)),
                        Decimal(0),
                    )
                    where = f"{enrollment_id} known at {prefix[-1].timestamp}"
                    assert_conserved(replay(prefix), payments_known, where)
        finally:
            ledger.close()
