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
    """`verify` without the ledger: the same rows read a thousand at a time in key order (the
    events' stored bytes, the chain links with their actors, the Merkle leaves; the tree's
    stored subtrees once), each link and each leaf recomputed with hashlib from the event's
    bytes and compared with the stored one, the tree grown leaf by leaf and every subtree it
    completes compared with the stored one. The seconds and the events checked; an event that
    does not check out stops it (the baseline is only measured on an intact store)."""
    from enrollment_ledger.adapters.store.recorder import ATTRIBUTED_LINK
    from sqlalchemy import select

    recorder = ledger.recorder
    events = recorder.events_record_cls.__table__
    chain, leaves, nodes = recorder.chain, recorder.tree_leaves, recorder.tree_nodes
    engine = recorder.datastore.engine
    started = time.perf_counter()
    previous = b"\x00" * 32
    count = 0
    stack: list[tuple[int, bytes]] = []
    with engine.connect() as conn:

        def pages(key: Any, *columns: Any) -> Any:
            last = -1
            while True:
                rows = conn.execute(
                    select(key, *columns).where(key > last).order_by(key).limit(1000)
                ).all()
                yield from rows
                if len(rows) < 1000:
                    return
                last = rows[-1][0]

        stored_nodes = {
            (int(level), int(index)): bytes(hashed)
            for level, index, hashed in conn.execute(
                select(nodes.c.level, nodes.c.node_index, nodes.c.hash)
            )
        }
        rows = zip(
            pages(
                events.c.id,
                events.c.originator_id,
                events.c.originator_version,
                events.c.topic,
                events.c.state,
            ),
            pages(chain.c.position, chain.c.hash, chain.c.recorded_by),
            pages(leaves.c.leaf_index, leaves.c.position, leaves.c.hash),
            strict=False,
        )
        for (position, originator, version, topic, state), link, leaf in rows:
            header = f"{position}\n{UUID(str(originator)).hex}\n{version}\n".encode()
            data = header + topic.encode() + b"\n" + bytes(state)
            if link[2] is not None:
                actor = link[2].encode()
                data = ATTRIBUTED_LINK + f"{len(actor)}\n".encode() + actor + data
            previous = hashlib.sha256(previous + data).digest()
            leaf_hash = hashlib.sha256(b"\x00" + data).digest()
            if (link[0], previous) != (position, bytes(link[1])) or (
                leaf[0],
                leaf[1],
                leaf_hash,
            ) != (count, position, bytes(leaf[2])):
                raise RuntimeError(f"the baseline found position {position} not intact")
            count += 1
            level, current = 0, leaf_hash
            while stack and stack[-1][0] == level:
                current = hashlib.sha256(b"\x01" + stack.pop()[1] + current).digest()
                level += 1
                if stored_nodes.get((level, (count >> level) - 1)) != current:
                    raise RuntimeError(f"the baseline found a subtree at {position} not intact")
            stack.append((level, current))
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
