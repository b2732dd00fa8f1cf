"""Property: running the schedule once to a date, or day by day to it, between the same payments,
records the same decisions and gives the same coverage and balance (12.12; issue 4)."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..scenarios import household_commands, pay, schedule, select

START = date(2026, 1, 20)
END = date(2026, 9, 30)

payments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=(END - START).days),
        st.sampled_from(["75.00", "150.00", "300.00"]),
    ),
    max_size=6,
)


def replay(
    commands: list[dict[str, Any]],
) -> tuple[list[tuple[Any, ...]], dict[str, Any], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        ledger = build_ledger(f"sqlite:///{Path(folder) / 'ledger.db'}")
        decisions: list[tuple[Any, ...]] = []
        for command in commands:
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None and answer["ok"], answer
            for event in answer["events"]:
                decisions.append(
                    (
                        event["type"],
                        event["on"],
                        event["effective_on"],
                        json.dumps(event["data"], sort_keys=True),
                    )
                )
        views = queries.coverage(ledger, "E1"), queries.balance(ledger, "E1")
        ledger.close()
    return decisions, views[0], views[1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(financially_assisted=st.booleans(), paid=payments)
def test_the_schedule_once_or_day_by_day_records_the_same_decisions(
    financially_assisted: bool, paid: list[tuple[int, str]]
) -> None:
    setup = [
        *household_commands(aptc_eligible=financially_assisted),
        select(),
        pay("2026-01-20", "150.00", "binder"),
    ]
    dated = sorted((START + timedelta(days=offset), amount) for offset, amount in paid)
    payment_commands = [
        pay(day.isoformat(), amount, f"p{i}") for i, (day, amount) in enumerate(dated)
    ]

    once = [*setup, *payment_commands, schedule(END.isoformat())]

    daily: list[dict[str, Any]] = list(setup)
    pending = list(zip(dated, payment_commands, strict=True))
    day = START
    while day <= END:
        while pending and pending[0][0][0] == day:
            daily.append(pending.pop(0)[1])
        daily.append(schedule(day.isoformat()))
        day += timedelta(days=1)

    decisions_once, coverage_once, balance_once = replay(once)
    decisions_daily, coverage_daily, balance_daily = replay(daily)
    assert decisions_once == decisions_daily
    assert coverage_once == coverage_daily
    assert balance_once == balance_daily
