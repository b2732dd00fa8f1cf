"""`coverage`, `balance` and `timeline`: JSON with --json, a readable rich table without."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from ...domain.ledger import Ledger
from ...projections.enrollment_views import (
    EventSource,
    balance_view,
    coverage_view,
    enrollment_at,
)


def run_enrollment_query(
    source: EventSource,
    kind: str,
    key: str,
    as_of: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> int:
    """`coverage` or `balance` folded from an event source (the read-only SQLite reader)."""
    enrollment = enrollment_at(source, key, as_of, known_at)
    answer = coverage_view(enrollment) if kind == "coverage" else balance_view(enrollment)
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
    elif kind == "balance":
        table = Table(title=f"Balance {answer['enrollment_id']}")
        for column in ("month", "billed", "paid", "waived", "outstanding", "voided"):
            table.add_column(column, justify="right")
        for month in answer["months"]:
            table.add_row(
                *(str(month[c]) for c in ("month", "billed", "paid", "waived", "outstanding")),
                "voided" if month["voided"] else "",
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
        console.print(_events_table(f"Timeline {answer['household_id']}", answer["events"]))


def _print_hearing(console: Any, packet: dict[str, Any]) -> None:
    from rich.panel import Panel
    from rich.table import Table

    appeal = packet["appeal"]
    appealed = packet["appealed_event"]
    console.print(
        Panel(
            f"Appeal {packet['appeal_id']} of household {packet['household_id']}\n"
            f"Filed {appeal['filed_on']}; deadline {appeal['deadline']}; "
            f"timely: {appeal['timely']}; status: {appeal['status']}; outcome: {appeal['outcome']}",
            title="Hearing packet",
        )
    )
    console.print(
        f"[bold]Appealed action:[/bold] {appealed['type']} on {appealed['on']} "
        f"(effective {appealed['effective_on']}), rule {packet['rule']['citation']}, "
        f"policy version {packet['rule']['policy_version']}"
    )
    facts = Table(title="Facts the ledger held when it decided")
    for column in ("on", "type", "recorded_at"):
        facts.add_column(column)
    for event in packet["facts_known"]:
        facts.add_row(event["on"], event["type"], event["recorded_at"])
    console.print(facts)
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


def _events_table(title: str, events: list[dict[str, Any]]) -> Any:
    """Rendered events (`wire.render_event`) as a table: date, type, effective date, citation."""
    from rich.table import Table

    table = Table(title=title)
    for column in EVENT_COLUMNS:
        table.add_column(column)
    for event in events:
        table.add_row(*(str(event[c]) for c in EVENT_COLUMNS))
    return table
