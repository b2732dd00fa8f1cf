"""Re-hearings (12.15(5)) and representatives (12.17, 12.03) as a user runs them: `apply`, then
`hearing` and `timeline`, real processes on a real SQLite file. A representative's name reaches
the hearing packet and never standard error or an error message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..scenarios import household_commands

NAME = "Philippa Oakhurst-Vane"


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


def apply_lines(cwd: Path, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = run_cli("apply", "-", cwd=cwd, stdin="".join(json.dumps(c) + "\n" for c in lines))
    assert "Traceback" not in result.stderr
    assert NAME not in result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def appealed_determination(cwd: Path) -> str:
    answers = apply_lines(cwd, household_commands())
    assert all(a["ok"] for a in answers), answers
    return next(e["id"] for e in answers[1]["events"] if e["type"] == "EligibilityDetermined")


def test_a_representative_files_a_reversal_is_stayed_by_a_rehearing_and_stands(
    tmp_path: Path,
) -> None:
    appealed = appealed_determination(tmp_path)
    answers = apply_lines(
        tmp_path,
        [
            {
                "command": "designate_representative",
                "on": "2026-01-10",
                "household_id": "H1",
                "representative_id": "R1",
                "name": NAME,
                "kind": "appeal",
                "member_id": "M1",
                "written_authorization_on": "2026-01-09",
            },
            {
                "command": "file_appeal",
                "on": "2026-01-20",
                "appeal_id": "A1",
                "household_id": "H1",
                "appealed_event_id": appealed,
                "grounds": "my income was counted twice",
                "filed_by": "R1",
                "appellant_member_id": "M1",
            },
            {
                "command": "decide_appeal",
                "on": "2026-02-20",
                "appeal_id": "A1",
                "outcome": "reversed",
                "findings": {"annual_magi": "30000.00"},
            },
            {"command": "order_rehearing", "on": "2026-03-02", "appeal_id": "A1"},
        ],
    )
    assert [a["ok"] for a in answers] == [True, True, True, True]

    packet = json.loads(run_cli("hearing", "A1", "--json", cwd=tmp_path).stdout)
    assert packet["appeal"]["filed_by"]["name"] == NAME
    assert packet["appeal"]["appellant_member_id"] == "M1"
    assert [r["representative_id"] for r in packet["representatives"]] == ["R1"]
    assert packet["stay"].startswith("the initial decision of 2026-02-20 (reversed) is stayed")
    text = run_cli("hearing", "A1", cwd=tmp_path).stdout
    assert "Stayed:" in text
    assert "filed by representative R1 (appeal), for M1" in " ".join(text.split())
    timeline = run_cli("timeline", "H1", cwd=tmp_path).stdout
    assert "Stayed: the initial decision of 2026-02-20 (reversed)" in timeline

    late = apply_lines(
        tmp_path,
        [
            {
                "command": "decide_rehearing",
                "on": "2026-04-02",
                "appeal_id": "A1",
                "outcome": "supersede",
                "superseding_outcome": "upheld",
            },
            {
                "command": "decide_rehearing",
                "on": "2026-04-02",
                "appeal_id": "A1",
                "outcome": "not_superseded",
            },
        ],
    )
    assert late[0]["error"]["code"] == "rehearing_window_closed"
    assert [e["type"] for e in late[1]["events"]] == ["RehearingDecided", "EligibilityDetermined"]
    assert late[1]["events"][0]["data"]["late"] is True

    packet = json.loads(run_cli("hearing", "A1", "--json", cwd=tmp_path).stdout)
    assert packet["stay"] is None
    assert (packet["appeal"]["status"], packet["appeal"]["outcome"]) == ("decided", "reversed")
    assert "Stayed:" not in run_cli("timeline", "H1", cwd=tmp_path).stdout


def test_refused_representative_commands_show_no_name_on_stderr_or_in_their_messages(
    tmp_path: Path,
) -> None:
    appealed = appealed_determination(tmp_path)
    designation = {
        "command": "designate_representative",
        "on": "2026-01-10",
        "household_id": "H1",
        "representative_id": "R1",
        "name": NAME,
        "kind": "authorized",
        "written_authorization_on": "2026-01-09",
    }
    bad = [
        {**designation, "written_authorization_on": "2026-01-11"},
        {**designation, "member_id": "M9"},
        {**designation, "kind": "friend"},
        {**designation, "name": NAME * 20},
        designation,
        designation,
        {"command": "revoke_representative", "on": "2026-01-12", "household_id": "H1",
         "representative_id": "R1"},
        {"command": "file_appeal", "on": "2026-01-20", "appeal_id": "A1", "household_id": "H1",
         "appealed_event_id": appealed, "grounds": "x", "filed_by": "R1"},
    ]  # fmt: skip
    answers = apply_lines(tmp_path, bad)
    assert [a["ok"] for a in answers] == [False, False, False, False, True, False, True, False]
    for answer in answers:
        if not answer["ok"]:
            assert NAME not in answer["error"]["message"]
            assert "Oakhurst" not in answer["error"]["message"]


def test_schema_lists_the_new_commands_and_events(tmp_path: Path) -> None:
    schema = json.loads(run_cli("schema", cwd=tmp_path).stdout)
    for command in ("designate_representative", "revoke_representative", "decide_rehearing"):
        assert command in schema["commands"]
    assert {"filed_by", "appellant_member_id"} <= set(
        schema["commands"]["file_appeal"]["properties"]
    )
    for event in (
        "RepresentativeDesignated",
        "RepresentativeRevoked",
        "AppealFiledFor",
        "InitialDecisionStayed",
        "RehearingDecided",
        "AppealedDeterminationRestored",
    ):
        assert event in schema["events"]
