"""One measurement in a fresh process, so its peak RSS is its own:

    python -m bench.probe verify|rebuild STORE_URL

prints one JSON object: the measured seconds and events, the baseline's, and `rss_mb`.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from typing import Any
from uuid import UUID


def peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM (ru_maxrss survives exec, so a child started by a
    large parent would report the parent's peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_hash(ledger: Any) -> tuple[float, int]:
    """Read every stored event's bytes (position, aggregate id, version, topic, state) in
    position order, a thousand at a time, and chain them with hashlib: verify without the
    ledger."""
    from sqlalchemy import select

    recorder = ledger.recorder
    table = recorder.events_record_cls.__table__
    engine = recorder.datastore.engine
    started = time.perf_counter()
    previous = b"\x00" * 32
    count = 0
    last = 0
    with engine.connect() as conn:
        while True:
            rows = conn.execute(
                select(
                    table.c.id,
                    table.c.originator_id,
                    table.c.originator_version,
                    table.c.topic,
                    table.c.state,
                )
                .where(table.c.id > last)
                .order_by(table.c.id)
                .limit(1000)
            ).all()
            if not rows:
                break
            for position, originator, version, topic, state in rows:
                header = f"{position}\n{UUID(str(originator)).hex}\n{version}\n".encode()
                previous = hashlib.sha256(
                    previous + header + topic.encode() + b"\n" + bytes(state)
                ).digest()
                count += 1
            last = rows[-1][0]
    return time.perf_counter() - started, count


def bare_read(ledger: Any) -> tuple[float, int]:
    """Read the whole notification log, a thousand at a time, doing nothing with it."""
    started = time.perf_counter()
    count = 0
    start = 1
    while True:
        batch = ledger.recorder.select_notifications(start=start, limit=1000)
        if not batch:
            break
        count += len(batch)
        start = batch[-1].id + 1
    return time.perf_counter() - started, count


def rebuild(ledger: Any) -> tuple[float, int, str]:
    """`enrollment-ledger projections rebuild`: every projection dropped and rebuilt from the
    first event (each one reads the whole notification log, in batches)."""
    from enrollment_ledger.projections import runner

    started = time.perf_counter()
    runner.rebuild(ledger)
    events = int(ledger.recorder.max_notification_id() or 0)
    return (
        time.perf_counter() - started,
        events,
        f"projections.runner.rebuild ({len(runner.PROJECTIONS)} projections)",
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    kind, url = args[0], args[1]
    from enrollment_ledger.adapters.bootstrap import build_ledger

    ledger = build_ledger(url)
    result: dict[str, Any] = {"kind": kind}
    if kind == "verify":
        from enrollment_ledger.adapters.audit.verify import verify

        started = time.perf_counter()
        outcome = verify(ledger)
        result["seconds"] = time.perf_counter() - started
        result["events"] = outcome.events_checked
        result["ok"] = outcome.ok
        result["rss_mb"] = peak_rss_mb()
        result["baseline_seconds"], result["baseline_events"] = bare_hash(ledger)
    elif kind == "rebuild":
        baseline_seconds, baseline_events = bare_read(ledger)
        result["baseline_seconds"], result["baseline_events"] = baseline_seconds, baseline_events
        rss_before = peak_rss_mb()
        result["seconds"], result["events"], result["how"] = rebuild(ledger)
        result["rss_mb"] = peak_rss_mb()
        result["rss_before_mb"] = rss_before
    else:
        raise SystemExit(f"unknown probe {kind!r}")
    ledger.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
