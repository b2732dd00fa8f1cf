"""Where a command's time goes: the benchmark's population applied through the `apply` path into
a fresh SQLite store, one command per transaction (`answer_line`, as `measure_limit` times it)
and then again `--batch N` per transaction (`run_apply`, as `measure_bulk` times it), each timed
in wall and CPU time (`time.process_time`); optionally under cProfile.

    .venv/bin/python -m bench.profile_apply --households 250 [--profile /tmp/apply.prof]
        [--bulk-profile /tmp/bulk.prof] [--dir /dev/shm]

`--dir` is where the stores are made (default: a temporary directory on disk; on tmpfs the
fsync of COMMIT costs nothing, so only the CPU is seen). `--json` prints the figures as one
object. No part of the benchmark's figures: a tool for reading the command path.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .population import (
    DETERMINATION_PLACEHOLDER,
    SIMULATED_TODAY_ENV,
    Driver,
    population,
    simulated_today,
)
from .throughput import resolved_lines


def _build(url: str) -> Any:
    from enrollment_ledger.adapters.bootstrap import build_ledger

    return build_ledger(url)


def one_by_one(
    ledger: Any, commands: Sequence[dict[str, Any]], profile: str | None
) -> tuple[dict[str, float], dict[str, str]]:
    """Each command through `answer_line` (its own transaction); the appeals' determinations."""
    driver = Driver(ledger)
    lines = [driver.encode(c) for c in commands]
    profiler = cProfile.Profile() if profile else None
    accepted = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    appealed: dict[str, str] = {}
    for command, line in zip(commands, lines, strict=True):
        if command.get("appealed_event_id") == DETERMINATION_PLACEHOLDER:
            appealed[command["command_id"]] = driver.resolve(command)["appealed_event_id"]
        accepted += driver.apply(command, line)["ok"]
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if profiler and profile:
        profiler.dump_stats(profile)
    n = len(commands)
    figures = {
        "commands": n,
        "accepted": accepted,
        "wall_ms_per_command": 1000 * wall / n,
        "cpu_ms_per_command": 1000 * cpu / n,
        "commands_per_s": n / wall,
    }
    return figures, appealed


def batched(
    ledger: Any, lines: Sequence[bytes], batch: int, profile: str | None
) -> dict[str, float]:
    """The lines through `run_apply(..., batch)`, as `apply FILE --batch N`."""
    from enrollment_ledger.adapters.cli.apply import run_apply

    stream = io.BytesIO(b"\n".join(lines) + b"\n")
    out = io.StringIO()
    profiler = cProfile.Profile() if profile else None
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    run_apply(ledger, stream, out, None, batch)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if profiler and profile:
        profiler.dump_stats(profile)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    n = len(answers)
    return {
        "commands": n,
        "accepted": sum(1 for a in answers if a["ok"]),
        "batch": batch,
        "wall_ms_per_command": 1000 * wall / n,
        "cpu_ms_per_command": 1000 * cpu / n,
        "commands_per_s": n / wall,
    }


PARTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("parse and validate (parse_command)", [("adapters/commands.py", "parse_command")]),
    (
        "transaction begin and end (session or connection, pool, BEGIN IMMEDIATE, COMMIT)",
        [("store/recorder.py", "write_transaction")],
    ),
    (
        "command log, payment references, schedule index statements",
        [
            ("store/recorder.py", "find_command"),
            ("store/recorder.py", "record_command"),
            ("store/recorder.py", "record_reference"),
            ("store/recorder.py", "find_reference"),
            ("store/recorder.py", "set_next_due"),
            ("store/recorder.py", "schedule_through"),
        ],
    ),
    (
        "aggregate loads (reads, fast-forward, copies)",
        [("domain/ledger.py", "_load"), ("domain/ledger.py", "load_enrollments")],
    ),
    ("  of which copies of cached aggregates (deepcopy)", [("copy.py", "deepcopy")]),
    ("the domain's decision (handlers, less their loads)", []),
    (
        "late decisions and next due dates (schedule index values)",
        [("domain/ledger.py", "_take_late_decisions"), ("schedule.py", "next_due_on")],
    ),
    ("mapping events to stored rows (JSON)", [("eventsourcing/persistence.py", "to_stored_event")]),
    (
        "events, chain links, Merkle leaves and nodes (inserts, hashing)",
        [("store/recorder.py", "_insert_stored_events")],
    ),
    ("answer (rendering the events)", [("adapters/wire.py", "ok_answer")]),
]
"""Where a command's time goes: each part the cumulative time of the functions named (file
ending, function name), outermost calls only. A write transaction's begin and end are the time
of `write_transaction` itself (a generator: its own frames are the begin and the end, not the
command between them) and, with an ORM Session, the begin its first statement makes."""


def summarise(path: str, cpu_ms: float) -> list[tuple[str, float, float]]:
    """Each part of `PARTS` as (name, ms per command, share of the command path), from a
    cProfile file of the one-by-one run; ms are the share times the run's CPU per command
    measured without the profiler (`cpu_ms`). The begin's time is taken out of the statement
    that opened the transaction (the command log lookup), and the loads out of the handlers."""
    import pstats

    stats: dict[Any, Any] = pstats.Stats(path).stats  # type: ignore[attr-defined]

    def matches(key: Any, where: str, name: str) -> bool:
        return bool(key[0].endswith(where) or f"/{where}" in key[0]) and key[2] == name

    def cumulative(where: str, name: str) -> float:
        keys = [k for k in stats if matches(k, where, name)]
        # outermost calls only: the time of calls from a function of the same name left out
        total = 0.0
        for key in keys:
            _cc, _nc, _tt, ct, callers = stats[key]
            nested = sum(v[3] for c, v in callers.items() if c[2] == name)
            total += ct - nested if nested < ct else 0.0
        return total

    whole = cumulative("adapters/answers.py", "_answer")
    handlers = 0.0
    for key, (_cc, _nc, _tt, _ct, callers) in stats.items():
        if "/domain/handlers/" in key[0]:
            handlers += sum(v[3] for c, v in callers.items() if c[2] == "_execute_once")
    parts: list[tuple[str, float]] = []
    for name, functions in PARTS:
        parts.append((name, sum(cumulative(w, n) for w, n in functions)))
    found = dict(parts)
    # an ORM Session begins when its first statement asks for a connection: that statement's
    # time holds the begin, counted above with the transaction's
    # (the largest of the functions of that name: they call one another through a decorator)
    begin = max(
        (v[3] for k, v in stats.items() if matches(k, "orm/session.py", "_connection_for_bind")),
        default=0.0,
    )
    statements = "command log, payment references, schedule index statements"
    loads = found["aggregate loads (reads, fast-forward, copies)"]
    decision = "the domain's decision (handlers, less their loads)"
    transaction = "transaction begin and end (session or connection, pool, BEGIN IMMEDIATE, COMMIT)"
    adjusted = {
        statements: found[statements] - begin,
        decision: handlers - loads,
        transaction: found[transaction] + begin,
    }
    rows = [(name, adjusted.get(name, seconds)) for name, seconds in parts]
    counted = sum(seconds for name, seconds in rows if not name.startswith("  "))
    rows.append(("other (the ledger's and the libraries' bookkeeping)", whole - counted))
    return [(name, cpu_ms * seconds / whole, seconds / whole) for name, seconds in rows]


def limit_figures(households: int, seed: int, work: Path) -> list[dict[str, Any]]:
    """apply.limit.sqlite, apply.bulk and apply.bulk.speedup as `bench` measures them (its own
    phases `load`, `measure_limit` and `measure_bulk`), on the population alone (no store B)."""
    from . import run as bench

    commands = population(households, seed)
    report = bench.Report(households=households, machine=bench.machine())
    ledger = bench.build(f"sqlite:///{work / 'a.db'}")
    loaded = bench.load(ledger, commands, keep_shapes=True)
    rows = bench.measure_limit(
        report, "apply.limit.sqlite", ledger, loaded, f"sqlite:///{work / 'limit.db'}", "SQLite"
    )
    ledger.close()
    people = bench.Population(households, commands, [], [], 0)
    bench.measure_bulk(report, people, loaded, rows, work)
    return [f.as_json() for f in report.figures]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile_apply", description=__doc__)
    p.add_argument("--households", type=int, default=250)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--batch", type=int, default=100, help="0: no batched run")
    p.add_argument("--profile", help="cProfile output of the one-by-one run")
    p.add_argument("--bulk-profile", help="cProfile output of the batched run")
    p.add_argument("--dir", help="where the stores are made (default: a temporary directory)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--summary",
        action="store_true",
        help="with --profile: print where a command's time goes (`summarise`)",
    )
    p.add_argument(
        "--figures",
        action="store_true",
        help="measure apply.limit.sqlite and apply.bulk as `bench` does, and nothing else",
    )
    args = p.parse_args(argv)
    commands = population(args.households, args.seed)
    os.environ[SIMULATED_TODAY_ENV] = simulated_today(commands).isoformat()
    work = Path(tempfile.mkdtemp(prefix="ledger-profile-", dir=args.dir))
    try:
        if args.figures:
            for figure in limit_figures(args.households, args.seed, work):
                print(json.dumps(figure) if args.json else _line(figure))
            return 0
        ledger = _build(f"sqlite:///{work / 'one.db'}")
        single, appealed = one_by_one(ledger, commands, args.profile)
        ledger.close()
        report: dict[str, Any] = {"households": args.households, "one_by_one": single}
        if args.batch > 0:
            ledger = _build(f"sqlite:///{work / 'bulk.db'}")
            lines = resolved_lines(commands, appealed)
            report["batched"] = batched(ledger, lines, args.batch, args.bulk_profile)
            ledger.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.summary and args.profile:
        # the CPU per command without the profiler: the same run again, unprofiled
        again = Path(tempfile.mkdtemp(prefix="ledger-profile-", dir=args.dir))
        try:
            ledger = _build(f"sqlite:///{again / 'one.db'}")
            cpu_ms = one_by_one(ledger, commands, None)[0]["cpu_ms_per_command"]
            ledger.close()
        finally:
            shutil.rmtree(again, ignore_errors=True)
        report["where_time_goes"] = [
            {"part": name, "ms": ms, "share": share}
            for name, ms, share in summarise(args.profile, cpu_ms)
        ]
        report["cpu_ms_unprofiled"] = cpu_ms
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name in ("one_by_one", "batched"):
            if name in report:
                figures = ", ".join(f"{k} {v:.4g}" for k, v in report[name].items())
                print(f"{name}: {figures}", file=sys.stdout)
        if "where_time_goes" in report:
            print(f"| part | ms per command | share |  (CPU {report['cpu_ms_unprofiled']:.3f} ms)")
            for row in report["where_time_goes"]:
                print(f"| {row['part']} | {row['ms']:.3f} | {100 * row['share']:.0f} % |")
    return 0


def _line(figure: dict[str, Any]) -> str:
    return (
        f"{figure['name']}: {figure['value']:.4g} {figure['unit']}, baseline "
        f"{figure['baseline']:.4g}, ratio {figure['ratio']:.4g} (target {figure['target']})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
