"""Faults with real processes (issue 11): `apply` killed with SIGKILL mid-file loses nothing it
answered and half-records nothing, and a re-run ends in the uninterrupted state; two `apply`
processes on one SQLite file both finish with every command recorded once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.audit.verify import verify
from enrollment_ledger.adapters.bootstrap import build_ledger

from ..scenarios import household_commands, pay, schedule, select

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def population(prefix: str, households: int) -> list[dict[str, Any]]:
    commands: list[dict[str, Any]] = []
    for n in range(households):
        h, e = f"{prefix}H{n}", f"{prefix}E{n}"
        for command in [
            *household_commands(h, magi=str(20000 + 500 * n) + ".00"),
            select(e, household_id=h),
            pay("2026-01-20", "150.00", f"{e}-b", enrollment_id=e),
        ]:
            commands.append({**command, "command_id": f"{e}:{len(commands)}"})
    commands.append({**schedule("2026-04-30"), "command_id": f"{prefix}schedule"})
    return commands


def write(path: Path, commands: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return path


def apply_all(store: str, file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "apply", str(file), "--store", store],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def state(store: str, households: int, prefix: str = "") -> dict[str, Any]:
    ledger = build_ledger(store)
    answers: dict[str, Any] = {"events": ledger.recorder.max_notification_id()}
    for n in range(households):
        for name, answer in (
            ("coverage", queries.coverage(ledger, f"{prefix}E{n}")),
            ("balance", queries.balance(ledger, f"{prefix}E{n}")),
        ):
            answers[f"{name}:{n}"] = answer
        timeline = queries.timeline(ledger, f"{prefix}H{n}")
        answers[f"timeline:{n}"] = [
            {k: v for k, v in e.items() if k != "recorded_at"} for e in timeline["events"]
        ]
    ledger.close()
    return answers


def recorded_commands(path: Path) -> dict[str, list[list[Any]]]:
    with sqlite3.connect(path) as connection:
        return {
            cid: json.loads(events)
            for cid, events in connection.execute("SELECT command_id, events FROM ledger_commands")
        }


def test_apply_killed_mid_file_loses_nothing_answered_and_a_rerun_completes_it(
    tmp_path: Path,
) -> None:
    households = 120
    file = write(tmp_path / "commands.jsonl", population("", households))
    store_path = tmp_path / "killed.db"
    store = f"sqlite:///{store_path}"
    process = subprocess.Popen(
        [*CLI, "apply", str(file), "--store", store], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    answered = [json.loads(process.stdout.readline()) for _ in range(150)]
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    recorded = recorded_commands(store_path)
    for answer in answered:
        assert answer["ok"], answer
        assert answer["command_id"] in recorded  # every answered command is recorded
        assert recorded[answer["command_id"]] == [
            [e["aggregate_id"], e["version"]] for e in answer["events"]
        ]
    with sqlite3.connect(store_path) as connection:
        stored = {
            (row[0], row[1])
            for row in connection.execute(
                "SELECT originator_id, originator_version FROM ledger_events"
            )
        }
    # Nothing half-recorded: every stored event belongs to a recorded command, and every
    # recorded command's events are all stored.
    logged = {(a.replace("-", ""), v) for events in recorded.values() for a, v in events}
    assert {(uuid.UUID(bytes=bytes(a)).hex, v) for a, v in stored} == logged

    rerun = apply_all(store, file)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    uninterrupted = f"sqlite:///{tmp_path / 'whole.db'}"
    assert apply_all(uninterrupted, file).returncode == 0
    assert state(store, households) == state(uninterrupted, households)


def test_two_apply_processes_on_one_sqlite_file_record_every_command_once(tmp_path: Path) -> None:
    households = 40
    store = f"sqlite:///{tmp_path / 'shared.db'}"
    first = write(tmp_path / "a.jsonl", population("A", households)[:-1])
    second = write(tmp_path / "b.jsonl", population("B", households)[:-1])
    processes = [
        subprocess.Popen(
            [*CLI, "apply", str(f), "--store", store],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in (first, second)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert "database is locked" not in out + err
        assert all(json.loads(line)["ok"] for line in out.splitlines())
    shared = state(store, 0)
    # Interleaved writers still chain every event to the one before it (issue 6).
    checked = build_ledger(store)
    assert verify(checked).ok
    checked.close()
    separate = f"sqlite:///{tmp_path / 'separate.db'}"
    for f in (first, second):
        assert apply_all(separate, f).returncode == 0
    assert shared["events"] == state(separate, 0)["events"]
