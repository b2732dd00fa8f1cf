"""The hearing page's rendering time (issue 22, item 5): `hearing.render_ms`.

A fresh SQLite store is given a few ConnectorCare households (`HOUSEHOLDS`), each with three plan
years of history (2025, 2026 and 2027), through the `apply` command path:

- the application for 2025 in open enrollment (November 2024), its determination, a health plan
  selected, the binder paid;
- every monthly premium paid after its invoice, except one month each plan year paid three days
  after its delinquency notice (a missed month, cured);
- each November the annual renewal for the coming plan year (`submit_renewal`, which determines
  it) and the enrollment renewed into it (`renew_enrollment`, a new premium);
- an appeal of the household's last determination (the renewal for 2027), filed two weeks after
  its notice and still waiting for its hearing;
- `run_schedule` at the end of every month from November 2024 through December 2027 (invoices,
  the missed payments and delinquency notices).

Then the first household's hearing page is rendered in process, `RENDERS` times (`--quick`:
`QUICK_RENDERS`), with `enrollment_ledger.adapters.pages.hearing_page`: the function the HTTP route
`GET /appeals/{id}/hearing.html` and `hearing APPEAL_ID --html FILE` call. Each render reads the
store (the hearing packet, the timeline, each enrollment's coverage and balance), builds the
picture and fills the template. One render before them warms the template cache; its time is
kept in the details, not in the figure. Target: p99 <= 200 ms.

The dates are the ledger's own: open enrollment, the binder's due date and the coverage start it
buys, the invoice dates and the delinquency notice come from the default policy through the
domain's rules (as in bench/population.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from enrollment_ledger.domain.calendar import add_months, day_in_month, months_between, plus_days
from enrollment_ledger.domain.money import money_str
from enrollment_ledger.domain.rules.enrollment_periods import open_enrollment_window
from enrollment_ledger.domain.rules.premiums import (
    binder_due_on,
    coverage_start_for_payment,
    delinquency_notice_on,
    invoice_dates,
)

from .population import (
    DETERMINATION_PLACEHOLDER,
    Command,
    Step,
    business_dates_through,
    merge,
    policy_for,
)

PLAN_YEARS = (2025, 2026, 2027)
HOUSEHOLDS = 3
RENDERS = 50
QUICK_RENDERS = 20
TARGET_MS = 200
MISSED_MONTH = 4
"""The month of each plan year paid late, after its delinquency notice (April)."""


def schedule_ends() -> list[date]:
    """Month ends from the month open enrollment for the first plan year opens through December
    of the last plan year."""
    opens, _ = open_enrollment_window(PLAN_YEARS[0], policy_for(PLAN_YEARS[0]))
    months = months_between(date(opens.year, opens.month, 1), date(PLAN_YEARS[-1], 12, 1))
    return [add_months(m, 1) - timedelta(days=1) for m in months]


def last_business_date() -> date:
    return schedule_ends()[-1]


@dataclass
class _History:
    """One household's steps over the three plan years."""

    household_id: str
    index: int
    steps: list[Step] = field(default_factory=list)

    @property
    def appeal_id(self) -> str:
        return f"A-{self.household_id}"

    @property
    def enrollment_id(self) -> str:
        return f"E-{self.household_id}-H"

    def add(self, on: date, command: Command) -> None:
        command = {
            "command": command.pop("command"),
            "on": on.isoformat(),
            **command,
            "command_id": f"{self.household_id}-{len(self.steps):03d}",
        }
        self.steps.append(Step(on, 0, self.index * 1000 + len(self.steps), command))

    def build(self) -> list[Step]:
        hid, first = self.household_id, PLAN_YEARS[0]
        members = [
            {
                "member_id": f"M{i + 1}",
                "birth_date": f"{1970 + 5 * i + self.index}-0{3 + i}-1{i}",
                "resident": True,
                "lawfully_present": True,
                "incarcerated": False,
                "aptc_eligible": True,
            }
            for i in range(2)
        ]
        policy = policy_for(first)
        opens, _ = open_enrollment_window(first, policy)
        applied = opens + timedelta(days=10 + self.index)
        selected = applied + timedelta(days=4)
        self.add(applied, {"command": "submit_application", **self._facts(first, members)})
        self.add(
            applied + timedelta(days=2), {"command": "determine_eligibility", "household_id": hid}
        )
        premium = self._premium(first)
        self.add(
            selected,
            {
                "command": "select_plan",
                "enrollment_id": self.enrollment_id,
                "household_id": hid,
                "member_ids": [m["member_id"] for m in members],
                "plan_id": "HEALTH-03",
                "coverage": "health",
                "monthly_premium": money_str(premium),
            },
        )
        paid = min(selected + timedelta(days=1), binder_due_on(selected, policy))
        self.add(paid, self._payment(money_str(premium), "binder"))
        start = coverage_start_for_payment(paid, date(first, 1, 1), policy)
        self._pay_months(months_between(add_months(start, 1), date(first, 12, 1)), premium)
        for year in PLAN_YEARS[1:]:
            self.add(
                date(year - 1, 11, 10),
                {"command": "submit_renewal", **self._facts(year, members)},
            )
            premium = self._premium(year)
            self.add(
                date(year - 1, 11, 20),
                {
                    "command": "renew_enrollment",
                    "enrollment_id": self.enrollment_id,
                    "plan_year": year,
                    "monthly_premium": money_str(premium),
                },
            )
            self._pay_months(months_between(date(year, 1, 1), date(year, 12, 1)), premium)
        self.add(
            date(PLAN_YEARS[-1] - 1, 11, 24),
            {
                "command": "file_appeal",
                "appeal_id": self.appeal_id,
                "household_id": hid,
                "appealed_event_id": DETERMINATION_PLACEHOLDER,
                "grounds": "the renewal counted a bonus paid once as yearly income",
            },
        )
        return self.steps

    def _facts(self, year: int, members: list[dict[str, Any]]) -> dict[str, Any]:
        """About 200 % of the FPL (ConnectorCare), a little more each year."""
        fpl = policy_for(year).fpl(year).value.for_household(len(members))
        magi = (fpl * Decimal(195 + 5 * (year - PLAN_YEARS[0]))) / 100
        return {
            "household_id": self.household_id,
            "plan_year": year,
            "household_size": len(members),
            "annual_magi": money_str(magi.quantize(Decimal("0.01"))),
            "members": members,
        }

    def _premium(self, year: int) -> Decimal:
        return Decimal(240 + 10 * (year - PLAN_YEARS[0]) + self.index)

    def _pay_months(self, months: list[date], premium: Decimal) -> None:
        for month in months:
            policy = policy_for(month.year)
            issued, due = invoice_dates(month, policy)
            if month.month == MISSED_MONTH:
                when = plus_days(delinquency_notice_on(due, policy), 3)
            else:
                when = day_in_month(issued, issued.day + 2)
            self.add(when, self._payment(money_str(premium), f"{month:%Y-%m}"))

    def _payment(self, amount: str, reference: str) -> Command:
        return {
            "command": "record_payment",
            "enrollment_id": self.enrollment_id,
            "amount": amount,
            "reference": f"{self.enrollment_id}-{reference}",
        }


def history_commands(households: int = HOUSEHOLDS) -> tuple[list[Command], list[str]]:
    """Every household's commands over the three plan years with the monthly schedule, in
    order, and the appeal ids (the first household's first)."""
    histories = [_History(f"R{i:03d}", i) for i in range(households)]
    steps = [s for h in histories for s in h.build()]
    return merge(steps, schedule_ends()), [h.appeal_id for h in histories]


@dataclass
class Built:
    commands: int
    refused: dict[str, int]
    plan_years_determined: dict[str, list[int]]
    appeal_ids: list[str]


def build_history(ledger: Any, households: int = HOUSEHOLDS) -> Built:
    """The households' history applied through `answer_line` (the `apply` path); an appeal's
    `appealed_event_id` is the household's latest determination recorded before it."""
    from enrollment_ledger.adapters.cli.apply import answer_line

    commands, appeal_ids = history_commands(households)
    latest: dict[str, str] = {}
    years: dict[str, list[int]] = {}
    refused: dict[str, int] = {}
    for command in commands:
        if command.get("appealed_event_id") == DETERMINATION_PLACEHOLDER:
            command = {**command, "appealed_event_id": latest.get(command["household_id"], "")}
        answer = answer_line(ledger, json.dumps(command).encode())
        assert answer is not None
        if not answer["ok"]:
            code = f"{command['command']}: {answer['error']['code']}"
            refused[code] = refused.get(code, 0) + 1
            continue
        for event in answer["events"]:
            if event["type"] == "EligibilityDetermined" and "household_id" in command:
                latest[command["household_id"]] = str(event["id"])
                years.setdefault(command["household_id"], []).append(event["data"]["plan_year"])
    return Built(len(commands), refused, years, appeal_ids)


def time_renders(ledger: Any, appeal_id: str, renders: int) -> tuple[list[float], float, str]:
    """Milliseconds of each render (after one warm-up render), the warm-up's, and the page."""
    from enrollment_ledger.adapters.pages import hearing_page

    t0 = time.perf_counter()
    page = hearing_page(ledger, appeal_id)
    warm_up = (time.perf_counter() - t0) * 1000
    millis: list[float] = []
    for _ in range(renders):
        t0 = time.perf_counter()
        page = hearing_page(ledger, appeal_id)
        millis.append((time.perf_counter() - t0) * 1000)
    return millis, warm_up, page


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def measure_hearing_page(
    work: Path,
    build: Callable[[str], Any],
    say: Callable[[str], None],
    renders: int = RENDERS,
    households: int = HOUSEHOLDS,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The figure (as `Figure` keyword arguments) and the details."""
    from enrollment_ledger.adapters.pages.model import hearing_model

    say(
        f"hearing page: {households} households with plan years "
        f"{PLAN_YEARS[0]}-{PLAN_YEARS[-1]}, then {renders} renders of one hearing page"
    )
    with business_dates_through(last_business_date()):
        ledger = build(f"sqlite:///{work / 'hearing-page.db'}")
        try:
            built = build_history(ledger, households)
            appeal_id = built.appeal_ids[0]
            events = len(hearing_model(ledger, appeal_id)["timeline"])
            millis, warm_up, page = time_renders(ledger, appeal_id, renders)
            stored = ledger.recorder.max_notification_id() or 0
        finally:
            ledger.close()
    p50, p99 = percentile(millis, 50), percentile(millis, 99)
    household = appeal_id.removeprefix("A-")
    figure = {
        "name": "hearing.render_ms",
        "value": p99,
        "unit": "ms per page (p99)",
        "target": TARGET_MS,
        "compare": "<=",
        "note": f"p50 {p50:.1f} ms; {len(millis)} renders (after one warm-up) of the hearing page "
        f"of appeal {appeal_id}: {events} events on the page, plan years "
        f"{PLAN_YEARS[0]}-{PLAN_YEARS[-1]}, in process (the function the route and --html call), "
        f"SQLite",
    }
    details = {
        "households": households,
        "commands": built.commands,
        "refused": built.refused,
        "stored_events": stored,
        "appeal_id": appeal_id,
        "plan_years_determined": built.plan_years_determined.get(household, []),
        "events_on_page": events,
        "page_bytes": len(page.encode()),
        "page_has_svg": "<svg" in page,
        "renders": len(millis),
        "render_ms_p50": p50,
        "render_ms_p99": p99,
        "render_ms_max": max(millis),
        "warm_up_ms": warm_up,
    }
    return figure, details
