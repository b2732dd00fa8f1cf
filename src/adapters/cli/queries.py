"""`coverage`, `balance` and `timeline`: JSON with --json, a readable rich table without."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from ...domain.ledger import Ledger
from ...projections.enrollment_views import EventSource
from ...projections.group_views import any_enrollment_at, balance_answer, coverage_answer


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
    _output(kind, answer, as_json)
    return 0


def run_query(
    ledger: Ledger,
    kind: str,
    key: str,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> int:
    """Print the answer; a refusal (an unknown id) goes up to the command line's one mapping
    (`failures.failure_of`: the contract's error body, exit 1)."""
    from .. import queries

    if kind == "coverage":
        answer = queries.coverage(ledger, key, as_of, known_at)
    elif kind == "balance":
        answer = queries.balance(ledger, key, as_of, known_at)
    elif kind == "hearing":
        answer = queries.hearing(ledger, key)
    else:
        answer = queries.timeline(ledger, key, known_at)
    _output(kind, answer, as_json)
    return 0


def _output(kind: str, answer: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer))
    else:
        _print_table(kind, answer)


def _print_table(kind: str, answer: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if kind == "coverage":
        table = Table(title=f"Coverage {answer['enrollment_id']}: {answer['status']}")
        for column in ("start_on", "end_on", "end_reason", "citation"):
            table.add_column(column)
        for span in answer["spans"]:
            table.add_row(*(str(span[c]) for c in ("start_on", "end_on", "end_reason", "citation")))
        console.print(table)
        console.print(f"paid through: {answer['paid_through']}")
        if "employees" in answer:
            _print_employees(console, answer)
    elif kind == "balance":
        table = Table(title=f"Balance {answer['enrollment_id']}")
        for column in ("month", "billed", "paid", "waived", "outstanding", "voided"):
            table.add_column(column, justify="right")
        group = "employer_id" in answer
        if group:
            table.add_column("employees", justify="left")
        for month in answer["months"]:
            table.add_row(
                *(str(month[c]) for c in ("month", "billed", "paid", "waived", "outstanding")),
                "voided" if month["voided"] else "",
                *([", ".join(e["employee_id"] for e in month["employees"])] if group else []),
            )
        console.print(table)
        console.print(
            f"outstanding: {answer['outstanding_total']}  credit: {answer['credit']}  "
            f"refund due: {answer['refund_due']}  reinstatement: {answer['reinstatement_amount']}"
        )
        if answer.get("recoupment_due", "0.00") != "0.00":
            console.print(f"recoupment due (12.10(7)): {answer['recoupment_due']}")
    elif kind == "hearing":
        _print_hearing(console, answer)
    else:
        owner = answer.get("household_id") or f"employer {answer.get('employer_id')}"
        console.print(_events_table(f"Timeline {owner}", answer["events"]))
        for stay in pending_stays(answer["events"]):
            console.print(stay)


def _print_employees(console: Any, answer: dict[str, Any]) -> None:
    """A small group's employees: each one's coverage spans within the group's, and waivers."""
    from rich.table import Table

    table = Table(title=f"Employees of {answer['employer_id']} in {answer['group_enrollment_id']}")
    for column in ("employee", "members", "premium", "status", "start_on", "end_on", "reason"):
        table.add_column(column, no_wrap=column in ("start_on", "end_on"))
    for employee in answer["employees"]:
        spans = employee["spans"] or [{"start_on": "", "end_on": "", "end_reason": ""}]
        for span in spans:
            table.add_row(
                employee["employee_id"],
                str(len(employee["member_ids"])),
                employee["monthly_premium"],
                employee["status"],
                str(span["start_on"]),
                str(span["end_on"] or ""),
                str(span["end_reason"] or ""),
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


def _print_hearing(console: Any, packet: dict[str, Any]) -> None:
    from rich.panel import Panel
    from rich.table import Table

    appeal = packet["appeal"]
    appealed = packet["appealed_event"]
    console.print(
        Panel(
            f"Appeal {packet['appeal_id']} of "
            + (
                f"household {packet['household_id']}"
                if "household_id" in packet
                else f"employer {packet['employer_id']}"
            )
            + "\n"
            f"Filed {appeal['filed_on']}; deadline {appeal['deadline']}; "
            f"timely: {appeal['timely']}; status: {appeal['status']}; outcome: {appeal['outcome']}",
            title="Hearing packet",
        )
    )
    filer = appeal["filed_by"]
    by = (
        f"representative {filer['representative_id']} ({filer.get('kind')})"
        if filer
        else "the appellant"
    )
    console.print(
        f"[bold]Filed by:[/bold] {by}; for: "
        f"{appeal['appellant_member_id'] or ('the household' if 'household_id' in packet else 'the employer')}"
    )
    if packet["stay"]:
        console.print(f"[bold]Stayed:[/bold] {packet['stay']}")
    elif appeal["rehearing"]:
        rehearing = appeal["rehearing"]
        console.print(
            f"[bold]Re-hearing:[/bold] ordered {rehearing['ordered_on']}, decided "
            f"{rehearing['decided_on']}: {rehearing['outcome']}"
            + (" (late)" if rehearing["late"] else "")
            + f"; the decision that stands: {appeal['outcome']}"
        )
    reps = Table(title="Representatives in force")
    for column in ("representative_id", "name", "kind", "member_id", "written_authorization_on"):
        reps.add_column(column)
    for rep in packet["representatives"]:
        reps.add_row(
            *(
                str(rep[c])
                for c in (
                    "representative_id",
                    "name",
                    "kind",
                    "member_id",
                    "written_authorization_on",
                )
            )
        )
    console.print(reps)
    console.print(
        f"[bold]Appealed action:[/bold] {appealed['type']} on {appealed['on']} "
        f"(effective {appealed['effective_on']}), rule {packet['rule']['citation']}, "
        f"policy version {packet['rule']['policy_version']}, recorded by "
        f"{_actor(appealed['recorded_by'])}"
    )
    console.print(
        _events_table(
            "Facts the ledger held when it decided",
            packet["facts_known"],
            ("on", "type", "recorded_at"),
        )
    )
    for label, result in (
        ("Recomputed with the policy applied", packet["recomputed"]),
        ("Decided under current policy", packet["current_policy"]),
    ):
        if result is None:
            continue
        if "error" in result:
            console.print(
                f"[bold]{label}[/bold] ({result['policy_version']}): {result['error']['message']}"
            )
            continue
        verdict = "matches the record" if result["matches"] else "DIFFERS from the record"
        console.print(f"[bold]{label}[/bold] ({result['policy_version']}): {verdict}")
        if "decision" in result:  # a special enrollment period decided again
            console.print(
                f"  {result['decision']} ({result['reason'] or 'end ' + str(result['end_on'])}), "
                f"rule {result['citation']}"
            )
            for enrollment_id, reason in result["coverage_lost"].items():
                console.print(f"  then: coverage of {enrollment_id} lost for {reason}")
        for difference in result["differences"]:
            who = f"{difference['member_id']} " if "member_id" in difference else ""
            console.print(
                f"  {who}{difference['field']}: recorded "
                f"{difference['recorded']}, recomputed {difference['recomputed']}"
            )
    if packet["note"]:
        console.print(packet["note"])
    console.print(_events_table("Timeline", packet["timeline"]))


EVENT_COLUMNS = ("on", "type", "effective_on", "citation")
UNKNOWN_ACTOR = "(not recorded)"
"""Shown for an event recorded before the ledger kept who recorded it."""


def _actor(recorded_by: str | None) -> str:
    """Who recorded an event, as rich prints it (a name is text, never markup)."""
    from rich.markup import escape

    return UNKNOWN_ACTOR if recorded_by is None else escape(recorded_by)


def _events_table(
    title: str, events: list[dict[str, Any]], columns: tuple[str, ...] = EVENT_COLUMNS
) -> Any:
    """Rendered events (`wire.render_event`) as a table (by default: date, type, effective date,
    citation), and who recorded them: a `recorded_by` column when they were recorded by more
    than one actor, else the table's caption `recorded by NAME` (so that the table still fits
    an 80-column screen in the common case)."""
    from rich.table import Table

    recorders = {event["recorded_by"] for event in events}
    by_row = len(recorders) > 1
    caption = None if by_row or not events else f"recorded by {_actor(recorders.pop())}"
    table = Table(title=title, caption=caption)
    for column in (*columns, "recorded_by") if by_row else columns:
        table.add_column(column)
    for event in events:
        cells = [str(event[c]) for c in columns]
        if by_row:
            cells.append(_actor(event["recorded_by"]))
        table.add_row(*cells)
    return table
