"""`coverage`, `balance` and `timeline`: JSON with --json, a readable rich table without."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ...domain.errors import LedgerError
from ...domain.ledger import Ledger
from ...projections.enrollment_views import (
    EventSource,
    balance_view,
    coverage_view,
    enrollment_at,
)
from ..wire import error_answer


def parse_instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(
            "--known-at needs an ISO 8601 instant with an offset, e.g. 2026-06-01T00:00:00+00:00"
        )
    return instant


def parse_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def run_enrollment_query(
    source: EventSource, kind: str, key: str, as_of: str | None, known_at: str | None, as_json: bool
) -> int:
    """`coverage` or `balance` folded from an event source (the read-only SQLite reader)."""

    def answer() -> dict[str, Any]:
        enrollment = enrollment_at(source, key, parse_day(as_of), parse_instant(known_at))
        return coverage_view(enrollment) if kind == "coverage" else balance_view(enrollment)

    return _answer(kind, as_json, answer)


def run_query(
    ledger: Ledger, kind: str, key: str, as_of: str | None, known_at: str | None, as_json: bool
) -> int:
    from .. import queries

    def answer() -> dict[str, Any]:
        day = parse_day(as_of)
        instant = parse_instant(known_at)
        if kind == "coverage":
            return queries.coverage(ledger, key, day, instant)
        if kind == "balance":
            return queries.balance(ledger, key, day, instant)
        if kind == "hearing":
            return queries.hearing(ledger, key)
        return queries.timeline(ledger, key, instant)

    return _answer(kind, as_json, answer)


def _answer(kind: str, as_json: bool, compute: Callable[[], dict[str, Any]]) -> int:
    """Print the answer (or the contract's error body); exit 1 for a refusal, 2 for bad input."""
    try:
        answer = compute()
    except LedgerError as e:
        print(json.dumps(error_answer(e.code, e.message)))
        return 1
    except ValueError as e:
        print(json.dumps(error_answer("invalid_field", str(e))))
        return 2
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
    elif kind == "hearing":
        _print_hearing(console, answer)
    else:
        table = Table(title=f"Timeline {answer['household_id']}")
        for column in ("on", "type", "effective_on", "citation"):
            table.add_column(column)
        for event in answer["events"]:
            table.add_row(*(str(event[c]) for c in ("on", "type", "effective_on", "citation")))
        console.print(table)


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
        for difference in result["differences"]:
            console.print(
                f"  {difference['member_id']} {difference['field']}: recorded "
                f"{difference['recorded']}, recomputed {difference['recomputed']}"
            )
    if packet["note"]:
        console.print(packet["note"])
    timeline = Table(title="Timeline")
    for column in ("on", "type", "effective_on", "citation"):
        timeline.add_column(column)
    for event in packet["timeline"]:
        timeline.add_row(
            event["on"], event["type"], str(event["effective_on"]), str(event["citation"])
        )
    console.print(timeline)
