"""Did a change of the command path change what the ledger records? A generated year (households
and small employers, every monthly run; appeals left out, as in the scale loads) applied with
`apply --batch N` to a fresh SQLite store, then one digest of every stored event in store order:
its aggregate, version, topic and state, less the record instant (`timestamp`), which differs
from run to run. Run it on two versions of the code (a worktree each): the same digest means the
same events, in the same order, byte for byte.

    .venv/bin/python -m bench.event_digest --households 3000 [--batch 100] [--dir /dev/shm] [--json]

No part of the benchmark's figures: a tool for checking an optimisation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from .population import (
    APPEAL_COMMANDS,
    Driver,
    business_dates_through,
    exchange_steps,
    merge,
    schedule_months,
    simulated_today,
)
from .throughput import bulk_load


def digest_of_store(path: Path) -> tuple[str, int, Counter[str]]:
    """The digest of the events of the SQLite store at `path`, their number, and their types."""
    digest = hashlib.sha256()
    types: Counter[str] = Counter()
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT originator_id, originator_version, topic, state FROM ledger_events ORDER BY id"
        )
        for aggregate, version, topic, state in rows:
            fields = json.loads(state)
            fields.pop("timestamp", None)
            digest.update(
                json.dumps([str(aggregate), version, topic, fields], sort_keys=True).encode()
            )
            types[topic.rsplit(".", 1)[-1]] += 1
    finally:
        connection.close()
    return digest.hexdigest(), sum(types.values()), types


def year_digest(households: int, seed: int, batch: int, folder: Path) -> dict[str, Any]:
    """The generated year applied to a fresh store under `folder`; its answers and digest."""
    from enrollment_ledger.adapters.bootstrap import build_ledger

    commands = merge(exchange_steps(households, seed), schedule_months(2026))
    lines = [Driver.encode(c) for c in commands if c["command"] not in APPEAL_COMMANDS]
    path = folder / "ledger.db"
    with business_dates_through(simulated_today(commands)):  # the caller's day kept after
        ledger = build_ledger(f"sqlite:///{path}")
        try:
            _seconds, answered, refused = bulk_load(ledger, lines, batch)
        finally:
            ledger.close()
    digest, events, types = digest_of_store(path)
    return {
        "households": households,
        "seed": seed,
        "commands": answered,
        "refused": refused,
        "events": events,
        "digest": digest,
        "types": dict(sorted(types.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.event_digest", description=__doc__)
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--dir", default=None, help="where the store is made (default: a temp dir)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="ledger-digest-", dir=args.dir))
    try:
        result = year_digest(args.households, args.seed, args.batch, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['commands']} commands ({result['refused']} refused), ", end="")
        print(f"{result['events']} events, digest {result['digest']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
