"""`projections status|run|rebuild` and the cross-member queries read from them, `terminations`
and `delinquent`. Only argparse is imported here; the rest when one of them runs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from ..failures import InvalidDate
from .options import (
    MAX_COUNT,
    add_as_of_option,
    add_count_option,
    add_json_option,
    add_seconds_option,
    business_date,
)
from .progress import progress_bars

if TYPE_CHECKING:
    from ...domain.ledger import Ledger

SUBCOMMANDS = ("projections", "terminations", "delinquent")


def add_projection_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    projections = sub.add_parser(
        "projections",
        help="read models: status, run (catch up or follow), rebuild",
        description="Read models kept from the events, each with its tracked position.",
    )
    actions = projections.add_subparsers(dest="projections_action", required=True)
    status = actions.add_parser(
        "status", parents=[common], help="each projection's position, the head and the lag"
    )
    add_json_option(status)
    run = actions.add_parser(
        "run",
        parents=[common],
        help="catch up from each tracked position",
        description="Catch each projection up to the store's head; with --follow keep following "
        "the store until SIGTERM/SIGINT.",
    )
    run.add_argument("names", nargs="*", metavar="NAME", help="projections (default: all)")
    run.add_argument("--follow", action="store_true", help="keep following the store")
    add_count_option(run, "--batch-size", "events", MAX_COUNT, 500, "events per transaction (500)")
    add_seconds_option(
        run, "--poll-seconds", 1.0, "with --follow, how often the store is read (default: 1)"
    )
    add_json_option(run, 'print {"ok": true, "positions": {NAME: POSITION}} (default: a summary)')
    rebuild = actions.add_parser(
        "rebuild",
        parents=[common],
        help="drop a projection and rebuild it from the first event",
    )
    rebuild.add_argument("name", nargs="?", default=None, help="a projection (default: all)")
    add_count_option(
        rebuild,
        "--batch-size",
        "events",
        MAX_COUNT,
        None,
        "events per transaction, about (default: large; a rebuild writes groups of whole "
        "aggregates)",
    )
    add_json_option(
        rebuild, 'print {"ok": true, "positions": {NAME: POSITION}} (default: a summary)'
    )

    terminations = sub.add_parser(
        "terminations",
        parents=[common],
        help="terminations for carrier reconciliation",
        description="Every termination for non-payment whose decision date (default) or "
        "effective end date falls between --from and --to (both inclusive), rescinded ones "
        "included and flagged.",
    )
    terminations.add_argument(
        "--from", dest="start", metavar="DATE", type=business_date("--from"), required=True
    )
    terminations.add_argument(
        "--to", dest="end", metavar="DATE", type=business_date("--to"), required=True
    )
    terminations.add_argument(
        "--by",
        choices=("decided_on", "end_on"),
        default="decided_on",
        help="which date must fall in the range (default: decided_on, the decision date)",
    )
    add_json_option(terminations)

    delinquent = sub.add_parser(
        "delinquent",
        parents=[common],
        help="enrollments in a grace period on a date",
        description="Every enrollment the record has delinquent (in a grace period) on --as-of, "
        "with its first unpaid month and the payment date its notices gave.",
    )
    add_as_of_option(delinquent, required=True)
    add_json_option(delinquent)


def run_projection_command(ledger: Ledger, args: argparse.Namespace) -> int:
    """An unknown projection or a pending rebuild goes up to the command line's one mapping
    (`failures.failure_of`)."""
    if args.subcommand == "terminations":
        return _terminations(ledger, args)
    if args.subcommand == "delinquent":
        return _delinquent(ledger, args)
    return _projections(ledger, args)


def _projections(ledger: Ledger, args: argparse.Namespace) -> int:
    from ...projections import runner

    if args.projections_action == "status":
        _print_status(runner.status(ledger), args.json)
        return 0
    before = {row["name"]: row["position"] for row in runner.status(ledger)}
    started = time.monotonic()
    with progress_bars(sys.stderr) as progress:
        if args.projections_action == "run":
            tracked = runner.run(
                ledger,
                args.names,
                follow=args.follow,
                batch_size=args.batch_size,
                progress=progress,
                poll_seconds=args.poll_seconds,
            )
        else:
            tracked = runner.rebuild(
                ledger, args.name, progress=progress, batch_size=args.batch_size
            )
    if args.json:
        print(json.dumps({"ok": True, "positions": tracked}))
        return 0
    rebuilt = args.projections_action == "rebuild"
    from_position = {name: 0 if rebuilt else before.get(name, 0) for name in tracked}
    print_summary(args.projections_action, tracked, from_position, time.monotonic() - started)
    return 0


def print_summary(
    action: str, tracked: dict[str, int], before: dict[str, int], seconds: float
) -> None:
    """What `projections run` or `rebuild` did, for a person: each projection, the events it
    read and the position it reached, and the time it took."""
    from .render import show, table

    read = {name: max(position - before.get(name, 0), 0) for name, position in tracked.items()}
    done = "rebuilt from the first event" if action == "rebuild" else "caught up"
    drawn = table(
        f"Projections {done}: {len(tracked)}, {sum(read.values())} events read in {seconds:.1f} s",
        ("projection", "events_read", "position"),
    )
    for name, position in tracked.items():
        drawn.add_row(name, str(read[name]), str(position))
    show(drawn)


def _terminations(ledger: Ledger, args: argparse.Namespace) -> int:
    from ...projections import runner
    from ...projections.terminations import NAME, terminations_between

    start, end = args.start, args.end
    if end < start:
        raise InvalidDate("--to cannot be before --from")
    runner.run(ledger, [NAME])
    rows = terminations_between(ledger, start, end, args.by)
    if args.json:
        print(
            json.dumps(
                {
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "by": args.by,
                    "terminations": rows,
                }
            )
        )
        return 0
    columns = (
        "enrollment_id",
        "household_id",
        "end_on",
        "decided_on",
        "reason",
        "citation",
        "rescinded_on",
        "reinstated_on",
        "employees",
    )
    shown = [{**r, "employees": _employees_cell(r["employees"])} for r in rows]
    _print_table(
        f"Terminations with {args.by.replace('_', ' ')} from {start} to {end}: {len(rows)} "
        "(rescinded ones included, their rescinded on date given)",
        columns,
        shown,
    )
    return 0


def _employees_cell(employees: list[dict[str, Any]]) -> str:
    """A small group's terminated employees, each with the dependents it covered."""
    return "; ".join(
        e["employee_id"] + "".join(f" +{m}" for m in e["member_ids"] if m != e["employee_id"])
        for e in employees
    )


def _delinquent(ledger: Ledger, args: argparse.Namespace) -> int:
    from ...projections import runner
    from ...projections.delinquency import NAME, delinquent_on

    day = args.as_of
    runner.run(ledger, [NAME])
    rows = delinquent_on(ledger, day)
    if args.json:
        print(json.dumps({"as_of": day.isoformat(), "delinquent": rows}))
        return 0
    columns = (
        "enrollment_id",
        "household_id",
        "delinquent_since",
        "first_unpaid_month",
        "payment_due_on",
    )
    _print_table(f"In a grace period on {day} (as known now): {len(rows)}", columns, rows)
    return 0


def _print_status(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows))
        return
    _print_table("Projections", ("name", "position", "head", "lag", "state"), rows)


def _print_table(title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """Rows as a table at most 100 columns wide; a blank cell for a value that is not there."""
    from .render import show, table, value

    drawn = table(title, columns)
    for row in rows:
        drawn.add_row(*(value(c, row.get(c)) for c in columns))
    show(drawn)
