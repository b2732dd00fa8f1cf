"""Scenarios whose events are the schema's examples (src/adapters/event_examples.json): the
examples/ files and a few more, each applied to a fresh store, so that every event type the
ledger records appears at least once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line

from ..group_scenarios import a_coverage_year_paid, enrolled_group, waive
from ..scenarios import household_commands, pay, schedule, select
from .kafka_helpers import story_steps

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Step = dict[str, Any] | Callable[[list[dict[str, Any]]], dict[str, Any]]


BAKERY_RESCINDED: dict[str, Any] = {
    "command": "terminate_group_for_fraud",
    "on": "2026-05-12",
    "group_enrollment_id": "G-BAKERY",
    "effective_on": "2026-04-30",
    "finding": "the employer's roster lists people who never worked there",
}
"""The small-group example's bakery rescinded for fraud back to 30 April (12.11(5)(a))."""


def first_of(event_type: str, recorded: list[dict[str, Any]]) -> str:
    return str(next(e["id"] for e in recorded if e["type"] == event_type))


def appeals_and_a_voluntary_end() -> list[Step]:
    """An appeal of a payment (dismissed: not an appealable action, 12.15(2)), an appeal of the
    determination upheld and re-heard (12.15(5)); an overpayment, then the enrollee's own
    termination (12.10(8)) and the credit due back."""
    return [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-01-25",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": first_of("PaymentRecorded", recorded),
            "grounds": "the payment was applied to the wrong month",
        },
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-01-26",
            "appeal_id": "A2",
            "household_id": "H1",
            "appealed_event_id": first_of("EligibilityDetermined", recorded),
            "grounds": "my income was counted twice",
        },
        {"command": "decide_appeal", "on": "2026-03-02", "appeal_id": "A2", "outcome": "upheld"},
        {"command": "order_rehearing", "on": "2026-03-10", "appeal_id": "A2"},
        pay("2026-02-20", "400.00", "more-than-owed"),
        {"command": "request_termination", "on": "2026-03-05", "enrollment_id": "E1"},
        schedule("2026-05-31"),
    ]


def a_late_binder() -> list[Step]:
    """The binder entered after the schedule cancelled the selection, dated in time (12.10(3))."""
    return [
        *household_commands(),
        select(),
        schedule("2026-03-31"),
        pay("2026-01-22", "150.00", "binder-entered-late"),
    ]


def non_group_terminated(through: str) -> list[Step]:
    """Non-group (12.12(2)-(3)): binder and March paid, April missed, terminated in May."""
    return [
        *household_commands(aptc_eligible=False),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule(through),
    ]


def a_plan_change() -> list[Step]:
    """A change opens a period; the new plan's binder ends the old enrollment (12.10(1))."""
    return [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "b"),
        pay("2026-02-20", "150.00", "m"),
        pay("2026-03-20", "150.00", "a"),
        {
            "command": "report_change",
            "on": "2026-04-10",
            "household_id": "H1",
            "annual_magi": "30000.00",
        },
        select("E2", on="2026-04-12", premium="90.00"),
        pay("2026-04-20", "90.00", "b2", enrollment_id="E2"),
    ]


def a_plan_year_not_renewed() -> list[Step]:
    """The year paid ahead and not renewed: coverage ends on 31 December (12.07(1))."""
    return [
        *household_commands(),
        select(),
        pay("2026-01-20", "1800.00", "the-whole-year"),
        schedule("2026-12-31"),
    ]


def a_representative_and_a_rehearing() -> list[Step]:
    """A representative files for a member (12.17, 12.03); the reversal is stayed by a re-hearing
    and stands (12.15(5)); the designation is then revoked."""
    return [
        *household_commands(),
        {
            "command": "designate_representative",
            "on": "2026-01-10",
            "household_id": "H1",
            "representative_id": "R1",
            "name": "A. Representative",
            "kind": "appeal",
            "member_id": "M1",
            "written_authorization_on": "2026-01-09",
        },
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-01-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": first_of("EligibilityDetermined", recorded),
            "grounds": "my income was counted twice",
            "filed_by": "R1",
            "appellant_member_id": "M1",
        },
        {
            "command": "decide_appeal",
            "on": "2026-02-20",
            "appeal_id": "A1",
            "outcome": "reversed",
            "findings": {"annual_magi": "30000.00"},
        },
        {"command": "order_rehearing", "on": "2026-03-02", "appeal_id": "A1"},
        {
            "command": "decide_rehearing",
            "on": "2026-03-20",
            "appeal_id": "A1",
            "outcome": "not_superseded",
        },
        {
            "command": "revoke_representative",
            "on": "2026-03-25",
            "household_id": "H1",
            "representative_id": "R1",
        },
    ]


def a_death_during_an_appeal() -> list[Step]:
    """A member appeals, then dies (12.09(2)): the appeal is dismissed (12.15(2)(d)) and the
    estate's representative continues it."""
    return [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-01-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": first_of("EligibilityDetermined", recorded),
            "grounds": "the plan type is wrong",
        },
        {
            "command": "record_death",
            "on": "2026-02-15",
            "household_id": "H1",
            "member_id": "M1",
            "died_on": "2026-02-10",
        },
        {
            "command": "continue_appeal",
            "on": "2026-02-20",
            "appeal_id": "A1",
            "representative_name": "A. Executor",
        },
    ]


def a_termination_for_fraud() -> list[Step]:
    """Coverage ended for fraud back to 31 March (12.10(5)(a), 12.10(7)): a rescission of the
    months already given, their amounts recoupable."""
    return [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        pay("2026-03-20", "150.00", "april"),
        {
            "command": "terminate_for_fraud",
            "on": "2026-04-10",
            "enrollment_id": "E1",
            "effective_on": "2026-03-31",
            "finding": "income intentionally misstated on the application",
        },
    ]


def a_termination_for_fraud_reversed() -> list[Step]:
    """The termination for fraud appealed and reversed (12.15(4), 45 CFR 155.545(c)): coverage
    restored from 1 April, the refund and the recoupment withdrawn."""
    return [
        *a_termination_for_fraud(),
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-04-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": first_of("CoverageTerminatedForFraud", recorded),
            "grounds": "the income was reported correctly",
        },
        {"command": "decide_appeal", "on": "2026-05-04", "appeal_id": "A1", "outcome": "reversed"},
    ]


def an_employer_appeal_and_an_employees_own_end() -> list[Step]:
    """The small-group example's employer appeals its eligibility determination (12.14(2)(b)),
    and an enrolled employee ends their own coverage after a move (12.11(4))."""
    steps: list[Step] = [*example_file("small-group.jsonl")[:8]]
    steps.append(
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-04-22",
            "appeal_id": "AP-BAKERY",
            "employer_id": "ER-BAKERY",
            "appealed_event_id": first_of("EmployerEligibilityDetermined", recorded),
            "grounds": "our employee count was misread",
        }
    )
    steps.append(
        {
            "command": "request_termination",
            "on": "2026-05-04",
            "group_enrollment_id": "G-BAKERY",
            "employee_id": "BK-ANA",
            "kind": "permanent_move",
            "event_on": "2026-04-20",
        }
    )
    return steps


def a_small_groups_later_changes() -> list[Step]:
    """The small-group example's bakery: a birth in an employee's family covered from its date
    (12.11(2)), the group renewed for its next coverage year (12.04(4)(b)), one employee ended
    for fraud, then the whole group (12.11(5)(a)), each with its notices (12.11(6)); the employee
    ended for fraud appeals the notice sent to them (12.14(2)(b))."""
    return [
        *example_file("small-group.jsonl")[:8],
        {
            "command": "add_dependent",
            "on": "2026-04-25",
            "group_enrollment_id": "G-BAKERY",
            "employee_id": "BK-ANA",
            "member_id": "BK-ANA-BABY",
            "event": "birth",
            "event_on": "2026-04-22",
            "coverage_from": "event_date",
            "monthly_premium": "780.00",
        },
        {"command": "renew_group_plan", "on": "2026-04-28", "group_enrollment_id": "G-BAKERY"},
        {
            "command": "terminate_group_for_fraud",
            "on": "2026-05-05",
            "group_enrollment_id": "G-BAKERY",
            "employee_id": "BK-BEN",
            "effective_on": "2026-05-05",
            "finding": "a spouse enrolled who is not the employee's spouse",
        },
        BAKERY_RESCINDED,
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-05-20",
            "appeal_id": "AP-BK-BEN",
            "employer_id": "ER-BAKERY",
            "employee_id": "BK-BEN",
            "appealed_event_id": next(
                e["id"]
                for e in recorded
                if e["type"] == "TerminationNoticeIssued" and e["data"]["employee_id"] == "BK-BEN"
            ),
            "grounds": "my spouse and I married in 2019",
        },
    ]


def a_small_groups_termination_reversed() -> list[Step]:
    """The small-group example's bakery rescinded for fraud back to 30 April, the employer's
    appeal reversed (12.15(4), 45 CFR 155.545(c)): the group covered again from 1 May, the
    months the end voided owed again and paid from the refund withdrawn."""
    return [
        *example_file("small-group.jsonl")[:8],
        BAKERY_RESCINDED,
        lambda recorded: {
            "command": "file_appeal",
            "on": "2026-05-20",
            "appeal_id": "AP-BAKERY-FRAUD",
            "employer_id": "ER-BAKERY",
            "appealed_event_id": first_of("GroupCoverageTerminated", recorded),
            "grounds": "everyone on the roster works at the bakery",
        },
        {
            "command": "decide_appeal",
            "on": "2026-06-15",
            "appeal_id": "AP-BAKERY-FRAUD",
            "outcome": "reversed",
        },
    ]


def a_small_group_below_the_minimum_participation() -> list[Step]:
    """Two of three employees enrolled, the third waiving without coverage elsewhere: below the
    minimum participation when enrollment closes, the selection is cancelled (12.11(1))."""
    steps: list[Step] = [*enrolled_group()]
    steps[-1] = {**waive("EMP-3"), "other_coverage": False}
    return [*steps, schedule("2026-03-14")]


def example_file(name: str) -> list[Step]:
    return [json.loads(line) for line in (EXAMPLES / name).read_text().splitlines() if line]


def scenarios() -> dict[str, list[Step]]:
    found: dict[str, list[Step]] = {
        name: example_file(name) for name in sorted(p.name for p in EXAMPLES.glob("*.jsonl"))
    }
    found["a household's story"] = story_steps(0)
    found["appeals and a voluntary end"] = appeals_and_a_voluntary_end()
    found["a late binder"] = a_late_binder()
    found["a late payment"] = [
        *non_group_terminated("2026-06-30"),
        pay("2026-05-08", "300.00", "entered-after-the-run"),
    ]
    found["a reinstatement window that expires"] = non_group_terminated("2026-08-31")
    found["a plan change"] = a_plan_change()
    found["a plan year not renewed"] = a_plan_year_not_renewed()
    found["a representative and a re-hearing"] = a_representative_and_a_rehearing()
    found["a death during an appeal"] = a_death_during_an_appeal()
    found["a termination for fraud"] = a_termination_for_fraud()
    found["a termination for fraud reversed"] = a_termination_for_fraud_reversed()
    found["an employer appeal and an employee's own end"] = (
        an_employer_appeal_and_an_employees_own_end()
    )
    found["a small group's later changes"] = a_small_groups_later_changes()
    found["a small group below the minimum participation"] = (
        a_small_group_below_the_minimum_participation()
    )
    found["a small group's coverage year not renewed"] = [
        *a_coverage_year_paid(),
        schedule("2027-04-30"),
    ]
    found["a small group's termination reversed"] = a_small_groups_termination_reversed()
    return found


def run_scenario(folder: Path, name: str, steps: list[Step]) -> list[dict[str, Any]]:
    """The events the scenario records in a fresh store, in store order."""
    safe = "".join(c if c.isalnum() else "-" for c in name)
    ledger = build_ledger(f"sqlite:///{folder / safe}.db")
    recorded: list[dict[str, Any]] = []
    try:
        for step in steps:
            command = step(recorded) if callable(step) else step
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None and answer["ok"], (name, command, answer)
            recorded.extend(answer["events"])
    finally:
        ledger.close()
    return recorded


def first_of_each_type(folder: Path) -> dict[str, dict[str, Any]]:
    """The first event of each type the scenarios record (scenarios in their order)."""
    examples: dict[str, dict[str, Any]] = {}
    for name, steps in scenarios().items():
        for event in run_scenario(folder, name, steps):
            examples.setdefault(event["type"], event)
    return examples
