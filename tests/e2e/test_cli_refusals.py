"""Issue 17 through the command line, as a user runs it (a real process, a real SQLite file): a
refused special enrollment period recorded, appealed, recomputed at the hearing and reversed; a
termination for fraud with its rescission, refund and recoupment; a late change report; and
`schema` naming the new command, field and events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..scenarios import household_commands, pay, schedule, select
from .test_cli_apply import run_cli


def apply_lines(folder: Path, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stdin = "".join(json.dumps(c) + "\n" for c in commands)
    result = run_cli("apply", "-", cwd=folder, stdin=stdin)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, (answers, result.stderr)
    return answers


def ask(folder: Path, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--json", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def one(answer: dict[str, Any], event_type: str) -> dict[str, Any]:
    (found,) = [e for e in answer["events"] if e["type"] == event_type]
    return found


def test_a_refused_period_is_recorded_appealed_recomputed_and_reversed(tmp_path: Path) -> None:
    first = apply_lines(
        tmp_path,
        [
            *household_commands(aptc_eligible=False, determined_on="2026-03-02"),
            {
                "command": "report_qualifying_event",
                "on": "2026-06-01",
                "household_id": "H1",
                "kind": "marriage",
                "event_on": "2026-03-20",
            },
        ],
    )
    denied = one(first[-1], "SpecialEnrollmentPeriodDenied")
    assert first[-1]["ok"] is True
    assert denied["data"]["reason"] == "reported_after_sixty_days"
    second = apply_lines(
        tmp_path,
        [
            {
                "command": "file_appeal",
                "on": "2026-06-10",
                "appeal_id": "A1",
                "household_id": "H1",
                "appealed_event_id": denied["id"],
                "grounds": "the marriage certificate came late",
            }
        ],
    )
    assert one(second[0], "AppealFiled")["data"]["appealable_clause"] == "956 CMR 12.13(3)"

    packet = ask(tmp_path, "hearing", "A1")
    assert packet["appealed_event"]["type"] == "SpecialEnrollmentPeriodDenied"
    assert packet["recomputed"]["decision"] == "denied"
    assert packet["recomputed"]["citation"] == "956 CMR 12.10(1)"
    assert packet["recomputed"]["matches"] is True
    readable = run_cli("hearing", "A1", cwd=tmp_path)
    assert readable.returncode == 0, readable.stderr
    assert "denied (reported_after_sixty_days), rule 956 CMR 12.10(1)" in readable.stdout
    assert "matches the record" in readable.stdout

    third = apply_lines(
        tmp_path,
        [
            {
                "command": "decide_appeal",
                "on": "2026-07-01",
                "appeal_id": "A1",
                "outcome": "reversed",
            },
            select(on="2026-07-10"),
        ],
    )
    opened = one(third[0], "SpecialEnrollmentPeriodOpened")
    assert (opened["data"]["kind"], opened["data"]["end_on"]) == ("marriage", "2026-08-30")
    selected = one(third[1], "PlanSelected")
    assert selected["data"]["enrollment_basis"] == "special_enrollment:marriage"
    timeline = [e["type"] for e in ask(tmp_path, "timeline", "H1")["events"]]
    assert timeline.index("SpecialEnrollmentPeriodDenied") < timeline.index(
        "SpecialEnrollmentPeriodOpened"
    )


def test_a_termination_for_fraud_shows_in_coverage_and_balance(tmp_path: Path) -> None:
    apply_lines(
        tmp_path,
        [
            *household_commands(magi="90000.00"),
            select(premium="300.00", aptc_applied="200.00"),
            pay("2026-01-20", "300.00", "binder"),
            pay("2026-02-20", "300.00", "march"),
            pay("2026-03-20", "300.00", "april"),
            pay("2026-04-20", "300.00", "may"),
            schedule("2026-05-10"),
            {
                "command": "terminate_for_fraud",
                "on": "2026-05-12",
                "enrollment_id": "E1",
                "effective_on": "2026-02-28",
                "finding": "income documents were forged",
            },
        ],
    )
    coverage = ask(tmp_path, "coverage", "E1")
    assert coverage["status"] == "terminated"
    assert [(s["end_on"], s["end_reason"]) for s in coverage["spans"]] == [("2026-02-28", "fraud")]
    balance = ask(tmp_path, "balance", "E1")
    assert (balance["recoupment_due"], balance["refund_due"]) == ("600.00", "900.00")
    table = run_cli("balance", "E1", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "recoupment due (12.10(7)): 600.00" in table.stdout


def test_a_late_change_report_is_flagged_in_the_timeline(tmp_path: Path) -> None:
    apply_lines(
        tmp_path,
        [
            *household_commands(),
            {
                "command": "report_change",
                "on": "2026-04-10",
                "household_id": "H1",
                "annual_magi": "30000.00",
                "changed_on": "2026-03-10",
            },
        ],
    )
    (reported,) = [
        e for e in ask(tmp_path, "timeline", "H1")["events"] if e["type"] == "ChangeReported"
    ]
    assert (reported["data"]["changed_on"], reported["data"]["late"]) == ("2026-03-10", True)
    assert reported["citation"] == "956 CMR 12.09(2)"


def test_schema_names_the_new_command_field_and_events(tmp_path: Path) -> None:
    result = run_cli("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    fraud = schema["commands"]["terminate_for_fraud"]
    assert set(fraud["required"]) >= {"on", "enrollment_id", "effective_on", "finding"}
    assert "changed_on" in schema["commands"]["report_change"]["properties"]
    for event in ("SpecialEnrollmentPeriodDenied", "CoverageTerminatedForFraud"):
        assert event in schema["events"]
    denied = schema["events"]["SpecialEnrollmentPeriodDenied"]["properties"]["data"]["properties"]
    assert {"reason", "kind", "event_on", "end_on", "enrollment_ids"} <= set(denied)
    changed = schema["events"]["ChangeReported"]["properties"]["data"]["properties"]
    assert {"changed_on", "late"} <= set(changed)
