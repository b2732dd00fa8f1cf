"""PostgreSQL stopped and restarted under a following relay and a following projection run
(issue 11): both retry with bounded backoff instead of dying, and after the restart they catch up
with what was recorded since: nothing lost, nothing double-counted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.projections import runner, tracking

from ..scenarios import household_commands
from .kafka_helpers import read_topic
from .test_kafka_relay import relay_command

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def start(pgdata: Path) -> Any:
    import pgserver

    return pgserver.get_server(pgdata, cleanup_mode="stop")


def record(url: str, households: range) -> int:
    ledger = build_ledger(url)
    for n in households:
        for command in household_commands(f"H{n}"):
            assert (answer_line(ledger, json.dumps(command).encode()) or {})["ok"]
    head = int(ledger.recorder.max_notification_id() or 0)
    ledger.close()
    return head


def wait_until(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_relay_and_projections_ride_out_a_postgresql_restart(
    tmp_path: Path, kafka_bootstrap: str, topic: str
) -> None:
    if os.environ.get("LEDGER_TEST_PG_URL"):
        pytest.skip("needs a PostgreSQL it may stop: runs on the embedded pgserver only")
    pgdata = tmp_path / "pgdata"
    server = start(pgdata)
    url = str(server.get_uri())
    first = record(url, range(3))
    followers = [
        subprocess.Popen(
            relay_command(url, kafka_bootstrap, topic),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
        subprocess.Popen(
            [*CLI, "projections", "run", "--follow", "--poll-seconds", "0.2", "--store", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
    ]
    try:
        assert len(read_topic(kafka_bootstrap, topic, first)) == first
        server.cleanup()  # the store goes away under both followers
        time.sleep(2.0)
        assert all(p.poll() is None for p in followers), [p.communicate() for p in followers]
        server = start(pgdata)
        head = record(url, range(3, 6))
        records = read_topic(kafka_bootstrap, topic, head, timeout=60)
        ids = [dict(r.headers)["ce_id"] for r in records]
        assert len(set(ids)) == head  # every event arrived (duplicates carry the same ce_id)
        ledger = build_ledger(url)
        wait_until(
            lambda: min(tracking.positions(ledger).get(n, 0) for n in runner.PROJECTIONS) >= head
        )
        ledger.close()
        for process in followers:
            process.send_signal(signal.SIGTERM)
        for process in followers:
            _out, err = process.communicate(timeout=30)
            assert process.returncode == 0, err
            assert "Traceback" not in err
    finally:
        for process in followers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        server.cleanup()
