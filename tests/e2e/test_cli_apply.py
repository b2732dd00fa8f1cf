"""`enrollment-ledger apply` as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..conftest import application


def run_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_bad_line_among_good_ones_is_answered_and_the_rest_go_on(tmp_path: Path) -> None:
    lines = [
        json.dumps(application()),
        "{not json",
        json.dumps({"command": "determine_eligibility", "on": "2025-12-10", "household_id": "H1"}),
    ]
    result = run_cli("apply", "-", cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert result.returncode == 1, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["ok"] for a in answers] == [True, False, True]
    assert answers[1]["error"]["code"] == "invalid_json"
    assert (tmp_path / "ledger.db").exists()
    assert "Traceback" not in result.stderr


def test_all_good_lines_exit_zero_and_store_flag_selects_the_file(tmp_path: Path) -> None:
    commands = tmp_path / "commands.jsonl"
    commands.write_text(json.dumps(application()) + "\n")
    store = f"sqlite:///{tmp_path / 'other.db'}"
    result = run_cli("apply", str(commands), "--store", store, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "other.db").exists()
    assert not (tmp_path / "ledger.db").exists()


def test_schema_lists_every_command_and_event(tmp_path: Path) -> None:
    result = run_cli("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert "submit_application" in schema["commands"]
    assert "EligibilityDetermined" in schema["events"]
    assert schema["commands"]["submit_application"]["properties"]["members"]
