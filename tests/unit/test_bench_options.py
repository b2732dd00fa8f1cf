"""The `bench` subcommand takes every option the benchmark's own parser takes: an option added to
`bench/run.py` and not to the command line would fail only when `bench` runs."""

from __future__ import annotations

import argparse

from enrollment_ledger.adapters.cli.main import _parser

from bench import run


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def _bench_subparser() -> argparse.ArgumentParser:
    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices["bench"]
            return found
    raise AssertionError("the command line has no subcommands")


def test_the_bench_subcommand_takes_every_option_of_the_benchmark() -> None:
    missing = _options(run.parser()) - _options(_bench_subparser())
    assert not missing, f"bench/run.py options the `bench` subcommand lacks: {sorted(missing)}"


def test_the_bench_subcommand_s_options_are_what_the_benchmark_reads() -> None:
    args = _parser().parse_args(["bench", "--quick", "--scale-sizes", "3,12"])
    options = run.options_from(args)
    assert options.quick and options.scale_sizes == (3, 12)
