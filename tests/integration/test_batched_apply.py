"""`apply --batch N` (and the HTTP array with `serve --batch N`): up to N commands per
transaction, each command atomic in a savepoint, answered only once its transaction commits; the
store it leaves is the one the unbatched apply of the same file leaves, row for row."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters import answers
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import run_apply

from bench.population import household_steps, merge, schedule_months

from ..conftest import application

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]
TABLES = {
    "ledger_events": "id",
    "ledger_chain": "position",
    "ledger_commands": "command_id",
    "ledger_references": "reference_key",
    "ledger_schedule": "aggregate_id",
    "ledger_tree_leaves": "leaf_index",
    "ledger_tree_nodes": "level, node_index",
}


def population_lines(households: int) -> list[str]:
    """A generated year of `households` households, every command with an id."""
    commands = merge(household_steps(households, 2026), schedule_months(2026))
    for index, command in enumerate(commands):
        command.setdefault("command_id", f"run-{index}")
    return [json.dumps(c) for c in commands]


def awkward_lines() -> list[str]:
    """Lines a batch must answer as the unbatched apply does: a blank line, text that is not
    JSON, a refused command, a command repeated with its id inside the same batch, and the same
    id reused for another command."""
    first = application("HB", on="2025-12-01") | {"command_id": "again"}
    other = application("HC", on="2025-12-01") | {"command_id": "again"}
    return [
        "",
        "not json",
        json.dumps(
            {
                "command": "record_payment",
                "on": "2026-01-05",
                "enrollment_id": "nope",
                "amount": "10.00",
                "reference": "x-1",
                "command_id": "refused-1",
            }
        ),
        json.dumps(first),
        json.dumps(first),
        json.dumps(other),
    ]


def fix_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command recorded one millisecond after the one before, from the same instant in
    every run, so that two runs can be compared byte for byte."""
    start = datetime(2026, 12, 31, 12, tzinfo=UTC)
    instants: Iterator[datetime] = (start + timedelta(milliseconds=i) for i in range(10**7))
    monkeypatch.setattr(answers, "record_instant", lambda: next(instants))


def apply_file(
    url: str, lines: list[str], batch: int, monkeypatch: pytest.MonkeyPatch | None = None
) -> list[dict[str, Any]]:
    """Apply the lines as `apply --batch` does; their answers."""
    if monkeypatch is not None:
        fix_the_clock(monkeypatch)
    ledger = build_ledger(url, create=True)
    out = io.StringIO()
    try:
        run_apply(ledger, io.BytesIO("\n".join(lines).encode() + b"\n"), out, "clerk", batch)
    finally:
        ledger.close()
    return [json.loads(line) for line in out.getvalue().splitlines()]


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            for table, order in TABLES.items()
        }


def test_a_batched_apply_leaves_the_very_store_and_answers_of_the_unbatched_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = population_lines(4)
    lines[20:20] = awkward_lines()
    one_by_one = apply_file(f"sqlite:///{tmp_path / 'one.db'}", lines, 1, monkeypatch)
    batched = apply_file(f"sqlite:///{tmp_path / 'batched.db'}", lines, 7, monkeypatch)
    assert batched == one_by_one
    codes = [a["error"]["code"] for a in batched if not a["ok"]]
    assert {"invalid_json", "unknown_enrollment", "command_id_reused"} <= set(codes)
    stored_one, stored_batched = rows(tmp_path / "one.db"), rows(tmp_path / "batched.db")
    assert stored_batched == stored_one
    assert len(stored_batched["ledger_events"]) > 100
    assert stored_batched["ledger_chain"][-1] == stored_one["ledger_chain"][-1]  # the same head


def test_a_command_refused_inside_a_batch_records_nothing_and_its_neighbours_are_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        json.dumps(application("H1") | {"command_id": "a"}),
        json.dumps(
            {
                "command": "determine_eligibility",
                "on": "2025-12-01",
                "household_id": "nobody",
                "command_id": "b",
            }
        ),
        json.dumps(
            {
                "command": "determine_eligibility",
                "on": "2025-12-01",
                "household_id": "H1",
                "command_id": "c",
            }
        ),
    ]
    got = apply_file(f"sqlite:///{tmp_path / 'l.db'}", lines, 3, monkeypatch)
    assert [a["ok"] for a in got] == [True, False, True]
    stored = rows(tmp_path / "l.db")
    assert [r[0] for r in stored["ledger_commands"]] == ["a", "c"]
    answered = {(e["aggregate_id"], e["version"]) for a in got if a["ok"] for e in a["events"]}
    assert len(stored["ledger_events"]) == len(answered)


def test_a_batched_apply_on_postgresql_records_what_the_unbatched_apply_does(
    pg_store_url: str, postgres_databases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = population_lines(2)
    lines[10:10] = awkward_lines()
    other_url = postgres_databases.create()
    one_by_one = apply_file(pg_store_url, lines, 1, monkeypatch)
    batched = apply_file(other_url, lines, 5, monkeypatch)
    assert batched == one_by_one
    chains = []
    for url in (pg_store_url, other_url):
        ledger = build_ledger(url)
        try:
            with ledger.recorder.datastore.engine.connect() as connection:  # type: ignore[attr-defined]
                chains.append(
                    connection.exec_driver_sql(
                        "SELECT position, hash, recorded_by FROM ledger_chain ORDER BY position"
                    ).all()
                )
        finally:
            ledger.close()
    assert len(chains[0]) > 50
    assert chains[0] == chains[1]  # every link, the head with them


def test_a_batched_apply_killed_midway_loses_no_answered_command_and_records_no_half_batch(
    tmp_path: Path,
) -> None:
    path = tmp_path / "killed.db"
    source = tmp_path / "commands.jsonl"
    lines = population_lines(40)
    source.write_text("\n".join(lines) + "\n")
    reference = apply_file(f"sqlite:///{tmp_path / 'reference.db'}", lines, 1)
    accepted = [a["ok"] for a in reference]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [*CLI, "apply", str(source), "--batch", "25", "--store", f"sqlite:///{path}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None
    answered: list[dict[str, Any]] = []
    deadline = time.monotonic() + 240
    while len(answered) < 100 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        answered.append(json.loads(line))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert len(answered) >= 100, "the apply answered too little before it was killed"
    assert len(answered) < len(lines), "the apply finished before it was killed"

    verified = subprocess.run(
        [*CLI, "verify", "--json", "--store", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    with sqlite3.connect(path) as connection:
        logged = dict(connection.execute("SELECT command_id, events FROM ledger_commands"))
        stored = connection.execute(
            "SELECT lower(hex(originator_id)), originator_version FROM ledger_events"
        ).fetchall()
    stored_keys = {(a, int(v)) for a, v in stored}
    for answer in answered:  # every answered command is recorded, with its events
        if answer["ok"]:
            assert answer["command_id"] in logged
            for event in answer["events"]:
                key = (event["aggregate_id"].replace("-", ""), event["version"])
                assert key in stored_keys
    logged_keys = {
        (a.replace("-", ""), int(v)) for events in logged.values() for a, v in json.loads(events)
    }
    assert stored_keys == logged_keys  # no event outside a whole recorded command
    # whole batches only: of each batch of 25, all the commands it records (as the unbatched
    # apply of the same file shows), or none
    ids = [json.loads(line)["command_id"] for line in lines]
    recorded_batches = 0
    for start in range(0, len(lines), 25):
        wanted = {ids[i] for i in range(start, min(start + 25, len(lines))) if accepted[i]}
        found = wanted & set(logged)
        assert found in (set(), wanted), f"batch at line {start} is half recorded"
        recorded_batches += bool(found)
    assert recorded_batches * 25 >= len(answered)
