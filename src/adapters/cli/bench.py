"""`enrollment-ledger bench`: the benchmark of a synthetic exchange's year (issue 10).

The benchmark lives in the repository's `bench/` folder, not in the installed package: this
subcommand imports `bench.run` lazily from the current directory (run it from the repository
root), so nothing here is imported on any other path.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from types import ModuleType
from typing import Any

from ..failures import MissingFile
from .options import MAX_CACHE, add_count_option


def add_bench_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    bench = sub.add_parser(
        "bench",
        parents=[common],
        help="benchmark a synthetic exchange's year against the bare libraries",
        description="Generate a seeded population, load a year of it through the ledger and "
        "measure every figure against a baseline run on the same data (run from the repository "
        "root, where the bench/ folder is). --store: a PostgreSQL server to use instead of "
        "starting pgserver.",
    )
    add_bench_arguments(bench)


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options, declared once: for this subcommand and for `python -m
    bench.run` (which adds `--store` of its own; here the common `--store` is the server)."""
    parser.add_argument(
        "--households", type=int, default=None, help="N (default 2000; --quick: 30)"
    )
    parser.add_argument("--kafka", metavar="HOST:PORT", default=None, help="a broker (else Tansu)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a small run, under 3 minutes")
    parser.add_argument("--seed", type=int, default=2026, help="the population's seed")
    parser.add_argument(
        "--pg-households",
        type=int,
        default=None,
        help="households on PostgreSQL (default: N/2, at most 500)",
    )
    parser.add_argument(
        "--query-samples",
        type=int,
        default=None,
        help="queries per kind (default 300; --quick: 40)",
    )
    parser.add_argument("--no-kafka", action="store_true", help="skip the relay figure")
    parser.add_argument("--no-postgresql", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--results", metavar="FILE", default=None, help="also write the JSON here")
    parser.add_argument(
        "--scale-sizes",
        metavar="N,M",
        default=None,
        help="households loaded into PostgreSQL for the measured scale figures (default "
        "25000,100000; --quick: 20,80; empty: not measured)",
    )
    parser.add_argument(
        "--scale-only", action="store_true", help="measure only the scale figures (PostgreSQL)"
    )
    parser.add_argument(
        "--scale-resume",
        metavar="FILE",
        default=None,
        help="the results file of an earlier scale run (same seed): the sizes it measured are "
        "taken from it, the others measured (a run of hours goes on where it stopped)",
    )
    parser.add_argument(
        "--pg-setting",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a setting of the PostgreSQL server the benchmark starts (ALTER SYSTEM SET, then a "
        "restart; e.g. shared_buffers=6GB); repeatable, kept in the results",
    )
    add_count_option(
        parser,
        "--scale-cache",
        "aggregates",
        MAX_CACHE,
        None,
        "the aggregate cache of the scale loads, as `apply --cache N` (default: the ledger's)",
    )


def _bench_module() -> ModuleType:
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module("bench.run")


def run_bench(args: argparse.Namespace) -> int:
    try:
        module = _bench_module()
    except ModuleNotFoundError as e:
        if e.name not in ("bench", "bench.run"):
            raise
        raise MissingFile(
            f"the benchmark (bench/run.py) is not in {os.getcwd()}: run `enrollment-ledger "
            "bench` from the repository root"
        ) from None
    code: int = module.execute(module.options_from(args))
    return code
