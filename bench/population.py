"""A deterministic (seeded) synthetic exchange: N households and a year of their commands.

Every household applies for the plan year, is determined, selects a health plan and lives
through the plan year month by month. The same seed gives the same commands, byte for byte.

Proportions (drawn independently per household with `random.Random(seed)`):

- household size: 1 member 55 %, 2 members 25 %, 3 members 12 %, 4 members 8 %.
- program, through MAGI (a % of the FPL for the household's size) and `aptc_eligible`:
  non-group (not APTC-eligible) 25 %; APTC only (APTC-eligible, 501-800 % FPL) 15 %;
  ConnectorCare 60 %, of which plan type 1 5 %, 2A 10 %, 2B 20 %, 3A 20 %, 3B 20 %, 3C 15 %,
  3D 10 %.
- dental plan selected as well: 30 % (binder paid, then paid on time).
- the health enrollment's year (one profile per household):
  on time every month 70 %; binder never paid (cancelled, no coverage) 4 %;
  late once or twice, then cured (half before the delinquency notice, half after) 10 %;
  stops paying and is terminated for non-payment 5 %; terminated, then pays the arrears and is
  reinstated 3 %; voluntary termination mid-year 5 %; a hardship waiver (ConnectorCare plan
  types with a minimum premium; 85 % granted, 15 % denied) 3 % (other programs, and the
  history's plan year 2025, which has no published minimum premium: on time).
- an appeal of the eligibility determination, then its decision (upheld 65 %, reversed 20 %,
  withdrawn 15 %): 2 %.
- a reported income change mid-year (and its redetermination): 3 %.
- `run_schedule` at the end of every month, from the month open enrollment opens through
  December of the plan year (`schedule_months`).

Applications arrive from the 17th day of open enrollment for 54 days (17 November to 9 January);
plans are selected at the latest three days before open enrollment closes (20 January), binders
paid by their due date, monthly premiums after the invoice is issued and at least three days
before it is due (between the 6th and the 20th of the month before, invoices being issued on the
5th and due on the 23rd).

The law comes from the domain, not from a copy: every amount and date the regulation or Connector
policy sets (the FPL of each plan year and household size, the plan types' FPL % bands and the
ConnectorCare limit, the minimum premiums and which plan types a waiver can lower, the open
enrollment window, the binder's due date and the coverage start it buys, the invoice issue and
due dates, the delinquency notice, the months before a termination for non-payment, the end of
a voluntary termination and the months a reinstatement covers) is read from the ledger's default
policy (`policy_for`) or computed by the domain's rules (`enrollment_ledger.domain.rules`). The
dates in parentheses above are what they give today. What remains here is the households'
behaviour: the proportions above and how many days before or after a date of law each one acts.
Nothing here is an independent oracle of the law: the generator only has to produce commands the
ledger accepts (tests/integration/test_bench_population.py); the law is checked by the tests
under tests/unit and tests/integration.

`history=True` makes the same kind of population for the plan year before, whose enrollments
have all ended (or lapsed) by February of the next year: history with nothing due.

Small employers (956 CMR 12.04(4), 12.11-12.12): one employer for every `HOUSEHOLDS_PER_EMPLOYER`
(20) households, i.e. 5 % as many employers as households (`employer_steps`; in the population of
the plan year, not in the history). Each applies in November before the plan year (2-50
employees, all eligible), is determined, selects a group health plan starting 1 January with a
deadline in December, enrolls 2-8 employees (a third with dependents; 0-2 more waive) and pays the
binder before it is due. Its year: pays every month on time 85 %; stops paying (terminated for
non-payment, with a notice to every enrolled employee) 10 %; terminates voluntarily mid-year 5 %.
The employer pays one premium for all its participating employees, as an individual pays, between
the invoice and three days before its due date.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from enrollment_ledger.domain.calendar import (
    add_months,
    day_in_month,
    last_day_of_month,
    months_between,
    plus_days,
)
from enrollment_ledger.domain.money import money_str
from enrollment_ledger.domain.parameters import PolicyVersion
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import small_group_enrollment
from enrollment_ledger.domain.rules.enrollment_periods import open_enrollment_window
from enrollment_ledger.domain.rules.premiums import (
    binder_due_on,
    coverage_start_for_payment,
    delinquency_notice_on,
    invoice_dates,
    reinstatement_months,
    voluntary_end_on,
)

Command = dict[str, Any]

DETERMINATION_PLACEHOLDER = "@determination"
"""`appealed_event_id` of a generated appeal: the household's latest EligibilityDetermined id,
known only once the determination is recorded (see `Driver`)."""


def policy_for(plan_year: int) -> PolicyVersion:
    """The Connector policy the bench's households live under: the version of the ledger's
    default policy book (`DEFAULT_POLICY`, which `build_ledger` uses) in force when the plan year
    begins. Every amount and date of law below comes from it, not from a copy."""
    return DEFAULT_POLICY.in_force(date(plan_year, 1, 1))


def plan_type_bands(plan_year: int) -> dict[str, tuple[Decimal, Decimal]]:
    """Each ConnectorCare plan type's FPL % band, (exclusive low, inclusive high): the policy's
    12.04(3)(b) bands, each starting where the one before ends (the first at 0 %)."""
    bands: dict[str, tuple[Decimal, Decimal]] = {}
    low = Decimal(0)
    for band in policy_for(plan_year).plan_type_bands.at(date(plan_year, 1, 1)):
        bands[band.plan_type] = (low, band.up_to_percent)
        low = band.up_to_percent
    return bands


def premium_floor(plan_type: str, plan_year: int) -> Decimal:
    """The lowest monthly premium per member the bench prices a ConnectorCare plan type at: its
    12.12(9) minimum premium in the plan year's published schedule or, for a plan year with none
    (the history's 2025), in the latest published one; a plan type the schedule leaves out (3D)
    at the schedule's highest minimum premium."""
    schedules = policy_for(plan_year).minimum_premium_by_plan_year
    schedule = schedules.get(plan_year) or schedules[max(schedules)]
    return schedule.value.get(plan_type, max(schedule.value.values()))


def waivable(plan_type: str, plan_year: int) -> bool:
    """Whether a hardship waiver can lower this plan type's premium in the plan year: the
    policy publishes a 12.12(9) minimum premium above zero for it that year (12.12(7)(b): only
    that portion is waived; no schedule, or none for the plan type, and the waiver is refused)."""
    schedule = policy_for(plan_year).minimum_premium_by_plan_year.get(plan_year)
    return schedule is not None and schedule.value.get(plan_type, Decimal(0)) > 0


PROFILES = (
    ("on_time", 70),
    ("binder_never", 4),
    ("late_cure", 10),
    ("terminated", 5),
    ("reinstated", 3),
    ("voluntary", 5),
    ("waiver", 3),
)
PLAN_TYPES = (("1", 5), ("2A", 10), ("2B", 20), ("3A", 20), ("3B", 20), ("3C", 15), ("3D", 10))
SIZES = ((1, 55), (2, 25), (3, 12), (4, 8))

NON_ASSISTED_DELINQUENT_MONTHS = 1
"""12.12(2)-(3): an enrollee without financial assistance is terminated after one delinquent
month (the domain fixes it in the enrollment aggregate, not yet as a policy parameter; the
assisted count is the policy's `fa_delinquent_months_before_termination`)."""

# Same-day order: commands of a household keep their own order (seq); the schedule runs last.
SCHEDULE_RANK = 9


@dataclass(frozen=True, order=True)
class Step:
    on: date
    rank: int
    seq: int
    command: Command = field(compare=False)


@dataclass(frozen=True)
class HouseholdSpec:
    household_id: str
    size: int
    program: str  # non_group, aptc_only, connectorcare
    plan_type: str | None
    profile: str
    dental: bool
    appeal: bool
    income_change: bool


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    total = sum(w for _, w in weighted)
    x = rng.uniform(0, total)
    for value, weight in weighted:
        x -= weight
        if x <= 0:
            return value
    return weighted[-1][0]


def schedule_months(plan_year: int) -> list[date]:
    """Month ends on which `run_schedule` runs: from the month open enrollment for the plan year
    opens (12.10(1); November before the plan year) through December of the plan year."""
    opens, _ = open_enrollment_window(plan_year, policy_for(plan_year))
    return [last_day_of_month(m) for m in months_between(opens, date(plan_year, 12, 1))]


def schedule_command(through: date) -> Command:
    return {"command": "run_schedule", "on": through.isoformat(), "through": through.isoformat()}


class _Household:
    """Builds one household's steps."""

    def __init__(self, rng: random.Random, spec: HouseholdSpec, plan_year: int, index: int):
        self.rng = rng
        self.spec = spec
        self.plan_year = plan_year
        self.index = index
        self.steps: list[Step] = []

    def add(self, on: date, command: Command) -> None:
        command = {"command": command.pop("command"), "on": on.isoformat(), **command}
        command["command_id"] = f"{self.spec.household_id}-{len(self.steps):03d}"
        self.steps.append(Step(on, 0, self.index * 1000 + len(self.steps), command))

    def build(self) -> list[Step]:
        rng, spec, year = self.rng, self.spec, self.plan_year
        hid = spec.household_id
        members: list[dict[str, Any]] = [
            {
                "member_id": f"M{i + 1}",
                "birth_date": date(
                    rng.randint(1958, 2006), rng.randint(1, 12), rng.randint(1, 28)
                ).isoformat(),
                "resident": True,
                "lawfully_present": True,
                "incarcerated": False,
                "aptc_eligible": spec.program != "non_group",
            }
            for i in range(spec.size)
        ]
        policy = policy_for(year)
        fpl = policy.fpl(year).value.for_household(spec.size)
        if spec.program == "connectorcare":
            # 0.5 % inside the plan type's band
            assert spec.plan_type is not None
            low, high = plan_type_bands(year)[spec.plan_type]
            percent = Decimal(rng.randint(int(low * 10) + 5, int(high * 10) - 5)) / 10
        elif spec.program == "aptc_only":
            # above the ConnectorCare limit (12.04(2)), up to 800 %
            limit = policy.connectorcare_limit_percent.at(date(year, 1, 1))
            percent = Decimal(rng.randint(int(limit * 10) + 10, 8000)) / 10
        else:
            percent = Decimal(rng.randint(1500, 6000)) / 10
        magi = (fpl * percent / 100).quantize(Decimal("0.01"))
        opens, closes = open_enrollment_window(year, policy)
        # from the 17th day of open enrollment (17 November) for 54 days (to 9 January)
        applied = opens + timedelta(days=16 + rng.randint(0, 53))
        determined = applied + timedelta(days=rng.randint(1, 3))
        # a plan selected at the latest three days before open enrollment closes (20 January)
        selected = min(determined + timedelta(days=rng.randint(1, 4)), closes - timedelta(days=3))
        self.add(
            applied,
            {
                "command": "submit_application",
                "household_id": hid,
                "plan_year": year,
                "household_size": spec.size,
                "annual_magi": money_str(magi),
                "members": members,
            },
        )
        self.add(determined, {"command": "determine_eligibility", "household_id": hid})
        if spec.appeal:
            filed = determined + timedelta(days=rng.randint(5, 12))
            self.add(
                filed,
                {
                    "command": "file_appeal",
                    "appeal_id": f"A-{hid}",
                    "household_id": hid,
                    "appealed_event_id": DETERMINATION_PLACEHOLDER,
                    "grounds": "my income was counted for the wrong months",
                },
            )
            outcome = _pick(rng, (("upheld", 65), ("reversed", 20), ("withdrawn", 15)))
            self.add(
                filed + timedelta(days=rng.randint(30, 45)),
                {"command": "decide_appeal", "appeal_id": f"A-{hid}", "outcome": outcome},
            )
        if spec.income_change:
            self.add(
                day_in_month(date(year, rng.randint(3, 9), 1), 10),
                {
                    "command": "report_change",
                    "household_id": hid,
                    "annual_magi": money_str(magi * Decimal("1.04")),
                },
            )
        member_ids = [str(m["member_id"]) for m in members]
        per_member = self._health_premium()
        self._enrollment(
            f"E-{hid}-H", "health", selected, per_member * spec.size, member_ids, spec.profile
        )
        if spec.dental:
            dental_premium = Decimal(rng.randint(25, 45)) * spec.size
            self._enrollment(
                f"E-{hid}-D",
                "dental",
                selected + timedelta(days=1),
                dental_premium,
                member_ids,
                "on_time",
            )
        return self.steps

    def _health_premium(self) -> Decimal:
        spec, rng = self.spec, self.rng
        if spec.program == "connectorcare":
            assert spec.plan_type is not None
            floor = premium_floor(spec.plan_type, self.plan_year)
            return max(Decimal(10), floor + rng.choice((0, 15, 40)))
        if spec.program == "aptc_only":
            return Decimal(rng.randint(180, 450))
        return Decimal(rng.randint(350, 650))

    def _enrollment(
        self,
        enrollment_id: str,
        coverage: str,
        selected: date,
        premium: Decimal,
        member_ids: list[str],
        profile: str,
    ) -> None:
        rng, spec, year = self.rng, self.spec, self.plan_year
        policy = policy_for(year)
        hid = spec.household_id
        self.add(
            selected,
            {
                "command": "select_plan",
                "enrollment_id": enrollment_id,
                "household_id": hid,
                "member_ids": member_ids,
                "plan_id": f"{coverage.upper()}-{rng.randint(1, 12):02d}",
                "coverage": coverage,
                "monthly_premium": money_str(premium),
            },
        )
        if profile == "binder_never":
            return
        due = binder_due_on(selected, policy)
        paid = min(selected + timedelta(days=rng.randint(0, 5)), due)
        amount = money_str(premium)
        self.add(paid, self._payment(enrollment_id, amount, "binder"))
        start = coverage_start_for_payment(paid, date(year, 1, 1), policy)
        months = months_between(add_months(start, 1), date(year, 12, 1))  # the monthly invoices
        if not months:
            return
        late: set[date] = set()
        stop: date | None = None
        resume: date | None = None
        if profile == "late_cure" and len(months) > 2:
            late = set(rng.sample(months[1:-1], k=min(len(months) - 2, rng.choice((1, 1, 2)))))
        elif profile in ("terminated", "reinstated") and len(months) > 4:
            stop = rng.choice(months[1:-4])
            if profile == "reinstated":
                # pays six months' premium and asks for reinstatement on the 20th of the month
                # it is terminated in: its first unpaid month (`stop`) plus the delinquent months
                # before a termination. It pays monthly again after the months the reinstatement
                # covers (12.12(6): through the month after the termination notice's, which is
                # the month asked).
                if spec.program == "non_group":
                    delinquent = NON_ASSISTED_DELINQUENT_MONTHS
                else:
                    delinquent = policy.fa_delinquent_months_before_termination.at(stop)
                asked = day_in_month(add_months(stop, delinquent), 20)
                self.add(asked, self._payment(enrollment_id, money_str(premium * 6), "arrears"))
                self.add(
                    asked, {"command": "request_reinstatement", "enrollment_id": enrollment_id}
                )
                resume = add_months(reinstatement_months(stop, asked)[-1], 1)
        elif profile == "voluntary" and len(months) > 2:
            ending = rng.choice(months[:-2])
            requested = day_in_month(ending, 10)  # before the mid-month cut-off
            self.add(requested, {"command": "request_termination", "enrollment_id": enrollment_id})
            stop = add_months(voluntary_end_on(requested, policy), 1)
        elif (
            profile == "waiver"
            and spec.plan_type is not None
            and waivable(spec.plan_type, year)
            and len(months) > 4
        ):
            first = rng.choice(months[1:-3])
            self.add(
                day_in_month(add_months(first, -1), 25),
                {
                    "command": "request_hardship_waiver",
                    "household_id": hid,
                    "enrollment_id": enrollment_id,
                    "grounds": rng.choice(("utility_shutoff", "homeless", "domestic_violence")),
                },
            )
            self.add(
                day_in_month(first, 2),
                {
                    "command": "decide_hardship_waiver",
                    "enrollment_id": enrollment_id,
                    "decision": "granted" if rng.random() < 0.85 else "denied",
                    "first_month": f"{first.year:04d}-{first.month:02d}",
                    "months": 3,
                },
            )
        for month in months:
            if stop is not None and month >= stop and (resume is None or month < resume):
                continue
            issued, invoice_due = invoice_dates(month, policy)
            if month in late:
                # five days after the due date (before the delinquency notice) or three days
                # after the notice
                notice = delinquency_notice_on(invoice_due, policy)
                when = plus_days(invoice_due, 5) if rng.random() < 0.5 else plus_days(notice, 3)
            else:
                # after the invoice is issued, at least three days before it is due
                when = day_in_month(issued, rng.randint(issued.day + 1, invoice_due.day - 3))
            self.add(when, self._payment(enrollment_id, amount, f"{month:%Y-%m}"))

    @staticmethod
    def _payment(enrollment_id: str, amount: str, reference: str) -> Command:
        return {
            "command": "record_payment",
            "enrollment_id": enrollment_id,
            "amount": amount,
            "reference": f"{enrollment_id}-{reference}",
        }


def household_specs(
    n: int, seed: int = 2026, prefix: str = "H"
) -> Iterator[tuple[random.Random, HouseholdSpec]]:
    master = random.Random(f"{seed}:{prefix}")
    for i in range(n):
        rng = random.Random(master.getrandbits(64))
        program = _pick(rng, (("non_group", 25), ("aptc_only", 15), ("connectorcare", 60)))
        plan_type = _pick(rng, PLAN_TYPES) if program == "connectorcare" else None
        profile = _pick(rng, PROFILES)
        spec = HouseholdSpec(
            household_id=f"{prefix}{i:06d}",
            size=_pick(rng, SIZES),
            program=program,
            plan_type=plan_type,
            profile=profile,
            dental=rng.random() < 0.30,
            appeal=rng.random() < 0.02,
            income_change=rng.random() < 0.03,
        )
        yield rng, spec


def household_steps(n: int, seed: int = 2026, *, history: bool = False) -> list[Step]:
    """Every household's steps (not yet merged with the schedule)."""
    plan_year, prefix = (2025, "P") if history else (2026, "H")
    steps: list[Step] = []
    for index, (rng, spec) in enumerate(household_specs(n, seed, prefix)):
        steps.extend(_Household(rng, spec, plan_year, index).build())
    return steps


HOUSEHOLDS_PER_EMPLOYER = 20
"""One small employer for every 20 households (5 % as many employers as households)."""

EMPLOYER_PROFILES = (("on_time", 85), ("stops_paying", 10), ("voluntary", 5))


def employer_steps(n: int, seed: int = 2026, *, history: bool = False) -> list[Step]:
    """The small employers of a population of `n` households (`n // HOUSEHOLDS_PER_EMPLOYER`,
    none in the history): each one's steps, after the households' (not yet merged with the
    schedule)."""
    if history:
        return []
    master = random.Random(f"{seed}:ER")
    steps: list[Step] = []
    for index in range(n // HOUSEHOLDS_PER_EMPLOYER):
        rng = random.Random(master.getrandbits(64))
        steps.extend(_Employer(rng, f"ER{index:05d}", 2026, n + index).build())
    return steps


class _Employer:
    """Builds one small employer's steps: its application, determination and group plan, its
    employees and its payments (see the module's description)."""

    def __init__(self, rng: random.Random, employer_id: str, plan_year: int, index: int):
        self.rng = rng
        self.employer_id = employer_id
        self.plan_year = plan_year
        self.index = index
        self.steps: list[Step] = []

    def add(self, on: date, command: Command) -> None:
        command = {"command": command.pop("command"), "on": on.isoformat(), **command}
        command["command_id"] = f"{self.employer_id}-{len(self.steps):03d}"
        self.steps.append(Step(on, 0, self.index * 1000 + len(self.steps), command))

    def build(self) -> list[Step]:
        rng, eid, year = self.rng, self.employer_id, self.plan_year
        policy = policy_for(year)
        group = f"G-{eid}"
        start = date(year, 1, 1)
        binder_due = small_group_enrollment.binder_due_on(start, policy)
        applied = date(year - 1, 11, rng.randint(1, 20))
        determined = applied + timedelta(days=rng.randint(1, 3))
        selected = determined + timedelta(days=rng.randint(1, 3))
        deadline = binder_due - timedelta(days=rng.randint(8, 12))
        count = rng.randint(2, 50)
        full_time = rng.randint(max(1, count // 2), count)
        self.add(
            applied,
            {
                "command": "submit_employer_application",
                "employer_id": eid,
                "employee_count": count,
                "full_time_employees": full_time,
                "actively_engaged": True,
                "principal_address_in_ma": True,
                "offers_all_full_time": True,
                "offers_through_connector": True,
                "participation_rate": f"{Decimal(rng.randint(80, 100)) / 100:.2f}",
                "contribution_rate": f"{Decimal(rng.randint(50, 90)) / 100:.2f}",
            },
        )
        self.add(determined, {"command": "determine_employer_eligibility", "employer_id": eid})
        self.add(
            selected,
            {
                "command": "select_group_plan",
                "employer_id": eid,
                "group_enrollment_id": group,
                "plan_id": f"SG-{rng.randint(1, 6):02d}",
                "coverage": "health",
                "coverage_start_on": start.isoformat(),
                "enrollment_deadline": deadline.isoformat(),
            },
        )
        total = Decimal(0)
        enrolled = rng.randint(2, min(8, max(2, full_time)))
        for e in range(enrolled):
            employee = f"{eid}-EMP{e + 1}"
            dependents = [f"{employee}-D{d + 1}" for d in range(rng.choice((0, 0, 1, 2)))]
            premium = Decimal(rng.randint(350, 650)) * (1 + len(dependents))
            total += premium
            self.add(
                selected + timedelta(days=rng.randint(0, (deadline - selected).days)),
                {
                    "command": "enroll_employee",
                    "group_enrollment_id": group,
                    "employee_id": employee,
                    "member_ids": [employee, *dependents],
                    "monthly_premium": money_str(premium),
                },
            )
        for w in range(rng.randint(0, 2)):
            self.add(
                deadline,
                {
                    "command": "waive_coverage",
                    "group_enrollment_id": group,
                    "employee_id": f"{eid}-EMP{enrolled + w + 1}",
                },
            )
        amount = money_str(total)
        # the binder, billed the day after the deadline, paid before it is due
        paid = small_group_enrollment.enrollment_closes_on(deadline) + timedelta(
            days=rng.randint(0, 4)
        )
        self.add(min(paid, binder_due), self._payment(group, amount, "binder"))
        months = months_between(add_months(start, 1), date(year, 12, 1))
        profile = _pick(rng, EMPLOYER_PROFILES)
        stop: date | None = None
        if profile == "stops_paying":
            stop = rng.choice(months[1:-4])
        elif profile == "voluntary":
            ending = rng.choice(months[:-2])
            requested = day_in_month(ending, 10)  # before the mid-month cut-off
            self.add(requested, {"command": "request_termination", "enrollment_id": group})
            stop = add_months(small_group_enrollment.voluntary_end_on(requested, policy), 1)
        for month in months:
            if stop is not None and month >= stop:
                break
            issued, invoice_due = invoice_dates(month, policy)
            when = day_in_month(issued, rng.randint(issued.day + 1, invoice_due.day - 3))
            self.add(when, self._payment(group, amount, f"{month:%Y-%m}"))
        return self.steps

    @staticmethod
    def _payment(group: str, amount: str, reference: str) -> Command:
        return _Household._payment(group, amount, reference)


def exchange_steps(n: int, seed: int = 2026, *, history: bool = False) -> list[Step]:
    """The households' steps and their small employers' (`employer_steps`)."""
    return [
        *household_steps(n, seed, history=history),
        *employer_steps(n, seed, history=history),
    ]


def merge(steps: Iterable[Step], schedule: Iterable[date]) -> list[Command]:
    """All commands in business-date order, a `run_schedule` closing each month."""
    runs = [Step(d, SCHEDULE_RANK, 0, schedule_command(d)) for d in schedule]
    return [s.command for s in sorted([*steps, *runs])]


def population(n: int, seed: int = 2026) -> list[Command]:
    """N households' plan year 2026 and their small employers', with the monthly schedule, in
    order."""
    return merge(exchange_steps(n, seed), schedule_months(2026))


SIMULATED_TODAY_ENV = "LEDGER_SIMULATED_TODAY"
"""The ledger refuses a business date after the day a command is recorded (`future_date`); the
population lives through months the calendar may not have reached, so the benchmark runs the
ledger with this variable set to its last business date (`simulated_today`)."""


def simulated_today(commands: Iterable[Command]) -> date:
    """The latest business date (`on`) of the commands: the day the ledger is told it is."""
    return max(date.fromisoformat(c["on"]) for c in commands)


APPEAL_COMMANDS = ("file_appeal", "decide_appeal")
"""Left out of a file applied in batches: an appeal names a determination, and a batch answers
only once it commits (`resolved_lines` fills them in from a run one by one)."""


@contextmanager
def business_dates_through(last: date) -> Iterator[None]:
    """The ledger told it is at least `last` (its business dates refuse a later day than
    today); the variable as it was afterwards."""
    before = os.environ.get(SIMULATED_TODAY_ENV)
    if not before or before < last.isoformat():
        os.environ[SIMULATED_TODAY_ENV] = last.isoformat()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SIMULATED_TODAY_ENV, None)
        else:
            os.environ[SIMULATED_TODAY_ENV] = before


def specs(n: int, seed: int = 2026, *, history: bool = False) -> list[HouseholdSpec]:
    return [s for _, s in household_specs(n, seed, "P" if history else "H")]


class Driver:
    """Feeds commands to the ledger through `answer_line` (the `apply` command path), filling in
    the determination an appeal names from the answers already given."""

    def __init__(self, ledger: Any) -> None:
        from enrollment_ledger.adapters.cli.apply import answer_line

        self.ledger = ledger
        self._answer_line = answer_line
        self.determinations: dict[str, str] = {}

    @staticmethod
    def encode(command: Command) -> bytes:
        return json.dumps(command, separators=(",", ":")).encode()

    def resolve(self, command: Command) -> Command:
        if command.get("appealed_event_id") == DETERMINATION_PLACEHOLDER:
            found = self.determinations.get(command["household_id"])
            return {**command, "appealed_event_id": found or "missing"}
        return command

    def apply(self, command: Command, line: bytes | None = None) -> dict[str, Any]:
        if line is None or command.get("appealed_event_id") == DETERMINATION_PLACEHOLDER:
            line = self.encode(self.resolve(command))
        answer: dict[str, Any] | None = self._answer_line(self.ledger, line)
        assert answer is not None
        if answer["ok"] and command["command"] in ("determine_eligibility", "report_change"):
            for event in answer["events"]:
                if event["type"] == "EligibilityDetermined":
                    self.determinations[command["household_id"]] = str(event["id"])
        return answer
