"""The `bench` subcommand takes every option the benchmark's own parser takes: an option added to
`bench/run.py` and not to the command line would fail only when `bench` runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
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
    assert options.scale_cache is None
    args = _parser().parse_args(["bench", "--scale-only", "--scale-cache", "300000"])
    assert run.options_from(args).scale_cache == 300_000


def test_a_scale_run_resumes_from_the_sizes_an_earlier_results_file_measured(
    tmp_path: Path,
) -> None:
    point = run.ScalePoint(25_000, 36_000, 285_010, 1500.0, 12.5, 36_000, 0)
    earlier = tmp_path / "scale.json"
    earlier.write_text(json.dumps({"details": {"seed": 7, "scale": [vars(point)]}}))
    args = _parser().parse_args(["bench", "--scale-only", "--scale-resume", str(earlier)])
    options = run.options_from(args)
    assert options.scale_resume == earlier
    assert run.resumed_points(options.scale_resume, 7) == {25_000: point}
    assert run.resumed_points(None, 7) == {}
    with pytest.raises(SystemExit, match="seed 7, not 2026"):
        run.resumed_points(earlier, 2026)


def test_postgresql_settings_are_read_as_name_and_value() -> None:
    args = _parser().parse_args(
        ["bench", "--pg-setting", "shared_buffers=6GB", "--pg-setting", " work_mem = 64MB "]
    )
    assert run.options_from(args).pg_settings == {"shared_buffers": "6GB", "work_mem": "64MB"}
    assert run.options_from(_parser().parse_args(["bench"])).pg_settings == {}
    for bad in ("shared_buffers", "=6GB", "shared_buffers="):
        with pytest.raises(SystemExit, match="give NAME=VALUE"):
            run.options_from(_parser().parse_args(["bench", "--pg-setting", bad]))
