"""The benchmark's scale point: the load is counted, not kept, and the monthly run is answered by
another process on the loaded store (no timing here; the benchmark measures, tests do not)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import build_ledger, resolve_store_url

from bench import run
from bench.population import Driver, household_steps, merge, schedule_months
from bench.throughput import (
    PHASES,
    bulk_load,
    rehearsed_in_a_fresh_process,
    timed_in_a_fresh_process,
)

from .kafka_helpers import seed


def _events(url: str) -> int:
    ledger = build_ledger(url)
    try:
        return int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()


def test_a_scale_point_loads_the_households_and_runs_the_month_in_another_process(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'scale.db'}"
    point = run.measure_scale_point(url, 20, seed=2026, cache=5)  # a load past its cache
    commands = merge(household_steps(20, 2026), schedule_months(2026))
    run_at = next(
        i
        for i, c in enumerate(commands)
        if c["command"] == "run_schedule" and c["through"] == run.SCALE_MONTH.isoformat()
    )
    loaded = [c for c in commands[:run_at] if c["command"] not in run.APPEAL_COMMANDS]
    assert point.commands == len(loaded)
    assert point.rejected == 0
    assert point.run_events > 0
    assert point.run_peak_rss_mb is not None and point.run_peak_rss_mb > 0
    assert point.load_cache == 5
    assert point.settle_seconds is not None and point.settle_seconds >= 0
    # the run timed function by function: each phase seen, within the run's seconds
    assert point.run_phases is not None and set(point.run_phases) == {p for p, _, _ in PHASES}
    assert all(0 < s <= point.run_seconds for s in point.run_phases.values())
    assert point.run_phases["loads.read"] <= point.run_phases["loads"]
    assert point.store_mb == pytest.approx((tmp_path / "scale.db").stat().st_size / 2**20, abs=0.01)
    # readings of the run before it, each rolled back at its commit
    assert point.rehearsal_seconds is not None
    assert len(point.rehearsal_seconds) == run.SCALE_REHEARSALS
    assert all(s > 0 for s in point.rehearsal_seconds)
    # the run's events are in the store, after the load's
    assert _events(url) >= point.run_events + point.commands


def test_a_load_counts_refused_commands_without_keeping_answers(tmp_path: Path) -> None:
    ledger = build_ledger(f"sqlite:///{tmp_path / 'load.db'}")
    try:
        steps = merge(household_steps(2, 4), [])
        lines = [Driver.encode(c) for c in steps[:6]]
        lines.insert(2, json.dumps({"command": "no_such_command", "command_id": "x"}).encode())
        seconds, answered, refused = bulk_load(ledger, lines, batch=3)
    finally:
        ledger.close()
    assert seconds > 0
    assert (answered, refused) == (7, 1)


def test_a_command_timed_in_a_fresh_process_reports_a_refusal_with_its_code(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    build_ledger(url).close()
    line = json.dumps({"command": "run_schedule", "command_id": "r", "on": "2026-02-30"})
    refused = timed_in_a_fresh_process(url, line.encode())
    assert not refused.ok and refused.error == "invalid_date"
    assert refused.events == 0 and refused.peak_rss_mb > 0


def test_the_fresh_process_reports_its_own_peak_not_the_one_that_started_it(
    tmp_path: Path,
) -> None:
    """Linux keeps `ru_maxrss` across exec: a child spawned by a loader holding gigabytes would
    report the loader's peak. The child's own high-water mark (VmHWM) is taken."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    build_ledger(url).close()
    line = json.dumps({"command": "run_schedule", "on": "2026-02-01", "through": "2026-02-01"})
    ballast = bytearray(600 * 2**20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # resident, page by page
    fresh = timed_in_a_fresh_process(url, line.encode())
    assert fresh.ok
    assert 0 < fresh.peak_rss_mb < 400
    del ballast


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_settling_a_store_vacuums_and_analyses_its_tables(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """`servers.settle`, before a scale run is timed: the store's tables vacuumed and analysed
    (PostgreSQL; SQLite: analysed), as autovacuum leaves them minutes after a load."""
    from bench.servers import settle

    store_url = (
        str(request.getfixturevalue("pg_store_url"))
        if store == "postgresql"
        else f"sqlite:///{tmp_path / 'settled.db'}"
    )
    build_ledger(store_url, create=True).close()
    empty = settle(store_url)["store_mb"]
    seed(store_url, range(10))
    settled = settle(store_url)
    assert settled["store_mb"] > empty > 0  # the store's size, grown by what it holds

    engine = sa.create_engine(resolve_store_url(store_url))
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                assert settled["done"] == ["vacuum_analyze", "checkpoint"]
                row = connection.exec_driver_sql(
                    "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = 'ledger_events'"
                ).one()
                assert tuple(row) == (True, True)
            else:
                assert settled["done"] == ["analyze", "wal_checkpoint"]
                tables = connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
                ).all()
                assert len(tables) == 1
    finally:
        engine.dispose()


def _contents(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table of the store, as text, sorted."""
    engine = sa.create_engine(resolve_store_url(url))
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            return {
                t: sorted(
                    tuple(map(str, row))
                    for row in connection.execute(sa.text(f'SELECT * FROM "{t}"'))
                )
                for t in tables
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_rehearsal_runs_the_month_to_its_commit_and_leaves_the_store_as_it_was(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """`rehearsed_in_a_fresh_process`: the monthly run done up to its commit, in another
    process, and rolled back: every table as it was, and the run committed after it records the
    events the rehearsal saved."""
    url = (
        str(request.getfixturevalue("pg_store_url"))
        if store == "postgresql"
        else f"sqlite:///{tmp_path / 'rehearsed.db'}"
    )
    build_ledger(url, create=True).close()
    commands = merge(household_steps(20, 2026), schedule_months(2026))  # 3 events in June
    run_at = next(
        i
        for i, c in enumerate(commands)
        if c["command"] == "run_schedule" and c["through"] == run.SCALE_MONTH.isoformat()
    )
    ledger = build_ledger(url)
    try:
        lines = [
            Driver.encode(c) for c in commands[:run_at] if c["command"] not in run.APPEAL_COMMANDS
        ]
        _, _, refused = bulk_load(ledger, lines, batch=50)
    finally:
        ledger.close()
    assert refused == 0
    before = _contents(url)
    line = Driver.encode(commands[run_at])

    rehearsal = rehearsed_in_a_fresh_process(url, line)
    assert not rehearsal.committed and rehearsal.ok and rehearsal.events > 0
    assert rehearsal.seconds > 0
    assert rehearsal.phases["save"] > 0 and rehearsal.phases["deferred_rows"] > 0
    assert _contents(url) == before

    committed = timed_in_a_fresh_process(url, line)
    assert committed.committed and committed.ok
    assert committed.events == rehearsal.events
    after = _contents(url)["ledger_events"]
    assert len(after) == len(before["ledger_events"]) + committed.events


def test_a_rehearsal_of_a_refused_command_is_answered_as_the_command_is(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'refused.db'}"
    build_ledger(url).close()
    line = json.dumps({"command": "run_schedule", "command_id": "r", "on": "2026-02-30"})
    refused = rehearsed_in_a_fresh_process(url, line.encode())
    assert refused.committed and not refused.ok and refused.error == "invalid_date"


def test_the_growth_is_taken_from_the_rehearsals_medians_when_both_sizes_have_them() -> None:
    def point(households: int, run_s: float, rehearsals: list[float] | None) -> run.ScalePoint:
        return run.ScalePoint(
            households=households,
            enrollments=households,
            commands=10 * households,
            load_seconds=1.0,
            run_seconds=run_s,
            run_events=households,
            rejected=0,
            rehearsal_seconds=rehearsals,
        )

    small = point(1000, 1.0, [2.0, 1.0, 9.0])  # median 2.0
    large = point(4000, 4.0, [8.0, 30.0, 10.0])  # median 10.0
    figure = run.schedule_growth(small, large)
    assert figure.ratio == pytest.approx((10.0 / 4000) / (2.0 / 1000))
    assert "median of 3 and 3 readings" in figure.note
    assert "give 1.000" in figure.note  # the committed runs: 4.0/4000 over 1.0/1000

    resumed = run.schedule_growth(point(1000, 1.0, None), large)
    assert resumed.ratio == pytest.approx(1.0)
    assert "one committed run at each size" in resumed.note
