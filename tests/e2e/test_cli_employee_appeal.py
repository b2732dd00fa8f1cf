"""An employee's appeal of the termination notice sent to them (12.14(2)(b)) as an operator files
it: `enrollment-ledger apply` in a real process on a real SQLite file, then `hearing` as JSON and
as the officer reads it, and `timeline` of the employer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..group_scenarios import paid_through_may
from .test_cli_apply import run_cli
from .test_cli_small_group import apply_lines, ask_json


def fraud_on_10_may() -> dict[str, Any]:
    return {
        "command": "terminate_group_for_fraud",
        "on": "2026-05-10",
        "group_enrollment_id": "G1",
        "effective_on": "2026-05-10",
        "finding": "employees listed who never worked for the employer",
    }


def test_an_employee_appeals_their_notice_on_day_90_and_not_another_employees(
    tmp_path: Path,
) -> None:
    status, answers = apply_lines(tmp_path, [*paid_through_may(), fraud_on_10_may()])
    assert status == 0, answers
    notices = {
        e["data"]["employee_id"]: e["id"]
        for e in answers[-1]["events"]
        if e["type"] == "TerminationNoticeIssued"
    }
    appeal = {
        "command": "file_appeal",
        "on": "2026-08-13",  # notice 10 May, received 15 May: day 90 is Thursday 13 August
        "appeal_id": "AP-EMP-1",
        "employer_id": "ACME",
        "employee_id": "EMP-1",
        "appealed_event_id": notices["EMP-1"],
        "grounds": "I have worked for ACME since 2024",
    }
    status, (filed,) = apply_lines(tmp_path, [appeal])
    assert status == 0, filed
    (event,) = [e for e in filed["events"] if e["type"] == "EmployeeAppealFiled"]
    assert (event["data"]["employee_id"], event["data"]["deadline"], event["data"]["timely"]) == (
        "EMP-1",
        "2026-08-13",
        True,
    )
    other = {**appeal, "appeal_id": "AP-EMP-2", "appealed_event_id": notices["EMP-2"]}
    status, (dismissed,) = apply_lines(tmp_path, [other])
    assert status == 0, dismissed
    assert [e["type"] for e in dismissed["events"]][-1] == "AppealDismissed"
    packet = ask_json(tmp_path, "hearing", "AP-EMP-1")
    assert (packet["employer_id"], packet["employee_id"]) == ("ACME", "EMP-1")
    assert packet["appealed_event"]["id"] == notices["EMP-1"]
    shown = run_cli("hearing", "AP-EMP-1", cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "for employee EMP-1" in shown.stdout
    timeline = ask_json(tmp_path, "timeline", "ACME")
    appeals = [e for e in timeline["events"] if e["type"] == "EmployeeAppealFiled"]
    assert [e["data"]["appeal_id"] for e in appeals] == ["AP-EMP-1", "AP-EMP-2"]
