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


def test_coverage_and_balance_as_processes_equal_the_ledgers_answers_without_sqlalchemy(
    tmp_path: Path,
) -> None:
    """The query path of an SQLite store reads events with sqlite3 (benchmark figure
    `cli.seconds`); its answers are the ledger's own."""
    from enrollment_ledger.adapters import queries
    from enrollment_ledger.adapters.bootstrap import build_ledger

    from ..scenarios import household_commands, pay, schedule, select

    lines = [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "b"),
        schedule("2026-06-30"),
    ]
    assert (
        run_cli(
            "apply", "-", cwd=tmp_path, stdin="".join(json.dumps(c) + "\n" for c in lines)
        ).returncode
        == 0
    )
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    for kind, query in (("coverage", queries.coverage), ("balance", queries.balance)):
        for extra in ([], ["--as-of", "2026-04-01"]):
            result = run_cli(kind, "E1", "--json", *extra, cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            as_of = None if not extra else __import__("datetime").date(2026, 4, 1)
            assert json.loads(result.stdout) == query(ledger, "E1", as_of)
    ledger.close()
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from enrollment_ledger.adapters.cli.main import main; "
            "main(['coverage', 'E1', '--json']); "
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy was imported'",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
