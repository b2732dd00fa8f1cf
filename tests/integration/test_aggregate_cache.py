"""`apply --cache N` / `serve --cache N`: how many aggregates the ledger keeps in memory between
commands. A cache too small for the commands' working set reads and folds aggregates again from
the store: slower, never different."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import AGGREGATE_CACHE_SIZE, build_ledger
from enrollment_ledger.adapters.cli.main import main

from bench.population import APPEAL_COMMANDS, Driver, population
from bench.throughput import bulk_apply


def _answers(url: str, lines: list[bytes], cache_size: int | None, batch: int) -> list[Any]:
    ledger = build_ledger(url, cache_size=cache_size)
    try:
        assert ledger.repository.cache is not None
        assert ledger.repository.cache.maxsize == (cache_size or AGGREGATE_CACHE_SIZE)
        _seconds, answers = bulk_apply(ledger, lines, batch)
    finally:
        ledger.close()
    for answer in answers:
        for event in answer.get("events", ()):
            event.pop("recorded_at", None)
    return answers


def test_a_cache_of_one_aggregate_answers_as_the_default_one(tmp_path: Path) -> None:
    """A generated population (individuals and small groups, a year of monthly runs), one by one
    and 50 a transaction: with room for one aggregate, every answer is the one given with the
    default cache (each command then reads its aggregates back)."""
    commands = population(8, seed=9)
    lines = [Driver.encode(c) for c in commands if c["command"] not in APPEAL_COMMANDS]
    for batch in (1, 50):
        default = _answers(f"sqlite:///{tmp_path / f'd{batch}.db'}", lines, None, batch)
        small = _answers(f"sqlite:///{tmp_path / f's{batch}.db'}", lines, 1, batch)
        assert all(a["ok"] for a in default)
        assert small == default


@pytest.mark.parametrize("subcommand", ["apply", "serve"])
def test_the_default_cache_is_the_one_the_help_names(
    subcommand: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([subcommand, "--help"])
    assert done.value.code == 0
    assert f"(default: {AGGREGATE_CACHE_SIZE:,};" in " ".join(capsys.readouterr().out.split())


def test_a_monthly_runs_loads_leave_the_cache_as_it_was(tmp_path: Path) -> None:
    """`load_enrollments` (the monthly run's read): enrollments not in the cache are folded for
    the run and not put in it (a run of thousands would push out the day's aggregates); one in
    the cache is handed over as a copy, so what the run does to it leaves the cache's own as it
    was stored."""
    from enrollment_ledger.domain.enrollment import Enrollment
    from enrollment_ledger.domain.events import recording_at

    url = f"sqlite:///{tmp_path / 'run.db'}"
    commands = population(8, seed=9)
    lines = [Driver.encode(c) for c in commands if c["command"] not in APPEAL_COMMANDS]
    ledger = build_ledger(url)
    try:
        bulk_apply(ledger, lines, 50)
    finally:
        ledger.close()
    ledger = build_ledger(url)
    try:
        cache = ledger.repository.cache
        assert cache is not None
        ids = [
            Enrollment.id_for(c["enrollment_id"]) for c in commands if c["command"] == "select_plan"
        ]
        assert len(ids) > 8
        loaded = ledger.load_enrollments(ids)
        assert [e.id for e in loaded] == ids
        assert all(e.version > 1 for e in loaded)
        for aggregate_id in ids:
            with pytest.raises(KeyError):
                cache.get(aggregate_id)

        cached = ledger.repository.get(ids[0], deepcopy_from_cache=False)
        version = cached.version
        (again,) = ledger.load_enrollments([ids[0]])
        assert again is not cached and again.version == version
        with recording_at(datetime(2031, 1, 1, tzinfo=UTC)):
            again.advance(date(2030, 12, 31), ledger.policy.in_force)
        assert again.pending_events and cached.version == version
        assert not cached.pending_events
    finally:
        ledger.close()
