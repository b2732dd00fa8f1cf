"""PostgreSQL stopped and restarted under a running `apply` (issue 11): while the server is down
each command is answered `store_unavailable` after a bounded backoff (nothing recorded, no
traceback); after the restart the same commands, re-sent with their ids, are recorded once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger

from ..scenarios import household_commands

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


@pytest.fixture
def pgdata(tmp_path: Path) -> Iterator[Path]:
    if os.environ.get("LEDGER_TEST_PG_URL"):
        pytest.skip("needs a PostgreSQL it may stop: runs on the embedded pgserver only")
    yield tmp_path / "pgdata"


def start(pgdata: Path) -> Any:
    import pgserver

    return pgserver.get_server(pgdata, cleanup_mode="stop")


def ask(stdin: IO[str], stdout: IO[str], command: dict[str, Any]) -> dict[str, Any]:
    stdin.write(json.dumps(command) + "\n")
    stdin.flush()
    answer: dict[str, Any] = json.loads(stdout.readline())
    return answer


def test_apply_answers_clearly_while_postgresql_is_down_and_records_once_after(
    pgdata: Path,
) -> None:
    server = start(pgdata)
    url = str(server.get_uri())
    process = subprocess.Popen(
        [*CLI, "apply", "-", "--store", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    first = [{**c, "command_id": f"h1-{i}"} for i, c in enumerate(household_commands("H1"))]
    second = [{**c, "command_id": f"h2-{i}"} for i, c in enumerate(household_commands("H2"))]
    try:
        for command in first:
            assert ask(process.stdin, process.stdout, command)["ok"]
        server.cleanup()  # stop the server under the running process
        down = ask(process.stdin, process.stdout, second[0])
        assert down["ok"] is False
        assert down["error"]["code"] == "store_unavailable"
        server = start(pgdata)
        for command in second:
            answer = ask(process.stdin, process.stdout, command)
            assert answer["ok"], answer
        process.stdin.close()
        assert process.wait(timeout=60) == 1  # one line was refused
        assert "Traceback" not in process.stderr.read()

        ledger = build_ledger(url)
        households = {type(e).__name__ for _p, e in ledger.household_events(ledger.household("H2"))}
        assert "EligibilityDetermined" in households
        assert ledger.recorder.max_notification_id() == 2 * 4  # 4 events per household, once
        ledger.close()
    finally:
        if process.poll() is None:
            process.kill()
        server.cleanup()
