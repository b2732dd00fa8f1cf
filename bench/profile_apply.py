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
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name in ("one_by_one", "batched"):
            if name in report:
                figures = ", ".join(f"{k} {v:.4g}" for k, v in report[name].items())
                print(f"{name}: {figures}", file=sys.stdout)
    return 0


def _line(figure: dict[str, Any]) -> str:
    return (
        f"{figure['name']}: {figure['value']:.4g} {figure['unit']}, baseline "
        f"{figure['baseline']:.4g}, ratio {figure['ratio']:.4g} (target {figure['target']})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
