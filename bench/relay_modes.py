"""Both relay figures with the rendering in a process and in the relay's own process, side by
side (`relay.py`'s measure, on a store of the benchmark's population)."""

from __future__ import annotations

from collections.abc import Sequence

from .relay import measure_relay


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.relay_modes --households N --runs R`: a SQLite store of N households (the
    benchmark's population), then R rounds of both relay figures with the rendering in a
    process and in the relay's own process, alternately, on a Tansu broker."""
    import argparse
    import os
    import tempfile
    from pathlib import Path

    from tests.servers import tansu_broker

    from .population import exchange_steps, merge, schedule_months, simulated_today
    from .run import build, load

    parser = argparse.ArgumentParser(prog="python -m bench.relay_modes", description=main.__doc__)
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    commands = merge(exchange_steps(args.households, 2026), schedule_months(2026))
    os.environ["LEDGER_SIMULATED_TODAY"] = simulated_today(commands).isoformat()
    with tempfile.TemporaryDirectory() as work, tansu_broker() as bootstrap:
        ledger = build(f"sqlite:///{Path(work) / 'relay.db'}")
        load(ledger, commands)
        for _ in range(args.runs):
            for rendering in ("process", "here"):
                for run in measure_relay(ledger, bootstrap, rendering):
                    figure = "relay.ratio" if run.with_answers else "relay.events_ratio"
                    print(
                        f"{rendering:8} {figure:19} {run.ratio:.3f}  relay "
                        f"{run.relay_seconds:.2f} s  bare {run.bare_seconds:.2f} s  "
                        f"{run.events} events, {run.answers} answers",
                        flush=True,
                    )
        ledger.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
