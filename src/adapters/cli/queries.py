"""`coverage`, `balance`, `timeline` and `hearing`: JSON with --json (the contract), else readable
tables (`render`) headed with the point in time they are for; the hearing packet's words are in
`hearing_text`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ...domain.ledger import Ledger
from ...projections.enrollment_views import EventSource
from ...projections.group_views import any_enrollment_at, balance_answer, coverage_answer
from . import render
from .event_table import events_table


def run_enrollment_query(
    source: EventSource,
    kind: str,
    key: str,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> int:
    """`coverage` or `balance` folded from an event source (the read-only SQLite reader), of an
    individual's enrollment or a small group's."""
    enrollment = any_enrollment_at(source, key, as_of, known_at)
    answer = coverage_answer(enrollment) if kind == "coverage" else balance_answer(enrollment)
    _output(kind, answer, as_json, Asked(as_of, known_at))
    return 0


@dataclass(frozen=True)
class Asked:
    """The point in time a question is asked for (`--as-of`, `--known-at`), and whether the
    timeline shows events' full ids (`--wide`)."""

    as_of: date | None = None
    known_at: datetime | None = None
    wide: bool = False


def run_query(
    ledger: Ledger,
    kind: str,
    key: str,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
    wide: bool = False,
) -> int:
    """Print the answer; a refusal (an unknown id) goes up to the command line's one mapping
    (`failures.failure_of`: exit 1, the error body with --json, else a readable line)."""
    from .. import queries

    if kind == "coverage":
        answer = queries.coverage(ledger, key, as_of, known_at)
    elif kind == "balance":
        answer = queries.balance(ledger, key, as_of, known_at)
    elif kind == "hearing":
        answer = queries.hearing(ledger, key, as_of)
    else:
        answer = queries.timeline(ledger, key, known_at)
    _output(kind, answer, as_json, Asked(as_of, known_at, wide), ledger)
    return 0


def _output(
    kind: str, answer: dict[str, Any], as_json: bool, asked: Asked, ledger: Ledger | None = None
) -> None:
    if as_json:
        print(json.dumps(answer))
    elif kind == "coverage":
        _print_coverage(answer, asked)
    elif kind == "balance":
        _print_balance(answer, asked)
    elif kind == "hearing":
        from .hearing_text import print_hearing

        print_hearing(render.console(), answer, ledger)
    else:
        _print_timeline(answer, asked)


def _print_coverage(answer: dict[str, Any], asked: Asked) -> None:
    console = render.console()
    when = render.point_in_time(asked.as_of, asked.known_at)
    columns = ("start_on", "end_on", "end_reason", "citation")
    table = render.table(f"Coverage {answer['enrollment_id']}: {answer['status']}, {when}", columns)
    for span in answer["spans"]:
        table.add_row(*(render.value(c, span[c]) for c in columns))
    console.print(table)
    console.print(f"paid through: {render.cell(answer['paid_through']) or '(nothing paid)'}")
    if "employees" in answer:
        _print_employees(console, answer)


def _print_balance(answer: dict[str, Any], asked: Asked) -> None:
    console = render.console()
    when = render.point_in_time(asked.as_of, asked.known_at)
    group = "employer_id" in answer
    columns = ("month", "billed", "paid", "waived", "outstanding", "voided")
    table = render.table(
        f"Balance {answer['enrollment_id']}, {when}",
        (*columns, "employees") if group else columns,
        caption="voided: a month of coverage voided by a termination (its premium not owed)",
    )
    for month in answer["months"]:
        table.add_row(
            *(render.value(c, month[c]) for c in columns[:-1]),
            "voided" if month["voided"] else "",
            *([", ".join(e["employee_id"] for e in month["employees"])] if group else []),
        )
    console.print(table)
    console.print(
        f"outstanding: {answer['outstanding_total']}   credit: {answer['credit']}   "
        f"refund due: {answer['refund_due']}"
    )
    if answer["reinstatement_amount"] is not None:
        deadline = answer.get("reinstatement_deadline")
        console.print(
            f"to be reinstated: pay {answer['reinstatement_amount']}"
            + (f" by {deadline}" if deadline else "")
        )
    if answer.get("recoupment_due", "0.00") != "0.00":
        console.print(f"recoupment due (12.10(7)): {answer['recoupment_due']}")
    delinquency = answer.get("delinquency")
    if delinquency:
        console.print(
            "delinquent: first unpaid month "
            f"{render.cell(delinquency['first_unpaid_month']) or '(none)'}, payment date "
            f"{render.cell(delinquency['payment_due_on']) or '(not given yet)'}"
        )
        notices = delinquency.get("notices") or []
        if notices:
            notice_columns = ("on", "notice_number", "outstanding", "payment_due_on", "citation")
            listed = render.table("Notices", notice_columns)
            for notice in notices:
                listed.add_row(*(render.value(c, notice.get(c)) for c in notice_columns))
            console.print(listed)


def _print_timeline(answer: dict[str, Any], asked: Asked) -> None:
    owner = (
        f"household {answer['household_id']}"
        if answer.get("household_id")
        else f"employer {answer.get('employer_id')}"
    )
    when = render.point_in_time(None, asked.known_at, as_of_applies=False)
    console = render.console(render.WIDE if asked.wide else render.WIDTH)
    console.print(
        events_table(
            f"Timeline of {owner}, {when}", answer["events"], wide=asked.wide, width=console.width
        )
    )
    for stay in pending_stays(answer["events"]):
        console.print(stay)


def _print_employees(console: Any, answer: dict[str, Any]) -> None:
    """A small group's employees: each one's coverage spans within the group's, and waivers."""
    table = render.table(
        f"Employees of {answer['employer_id']} in {answer['group_enrollment_id']}",
        ("employee", "members", "premium", "status", "start_on", "end_on", "reason"),
    )
    for employee in answer["employees"]:
        spans = employee["spans"] or [{"start_on": "", "end_on": "", "end_reason": ""}]
        for span in spans:
            table.add_row(
                employee["employee_id"],
                str(len(employee["member_ids"])),
                employee["monthly_premium"],
                employee["status"],
                render.cell(span["start_on"]),
                render.cell(span["end_on"]),
                render.cell(span["end_reason"]),
            )
    for waived in answer["waived"]:
        table.add_row(waived["employee_id"], "", "", f"waived {waived['on']}", "", "", "")
    console.print(table)


def pending_stays(events: list[dict[str, Any]]) -> list[str]:
    """12.15(5): one line per initial decision stayed by a re-hearing not decided yet (an
    `InitialDecisionStayed` with no later `RehearingDecided` of its appeal)."""
    stays: dict[str, dict[str, Any]] = {}
    for event in events:
        if event["type"] == "InitialDecisionStayed":
            stays[event["aggregate_id"]] = event
        elif event["type"] == "RehearingDecided":
            stays.pop(event["aggregate_id"], None)
    return [
        f"Stayed: the initial decision of {e['data']['initial_decision_on']} "
        f"({e['data']['initial_outcome']}), pending the re-hearing ordered on {e['on']} "
        f"({e['citation']}); a decision is due by {e['data']['decide_by']}"
        for e in stays.values()
    ]
