"""An employer's appeal of its group's rescission for fraud reversed (12.15(4), 45 CFR
155.545(c)) as an operator records it: `enrollment-ledger apply` in a real process on a real SQLite
file, then `coverage` and `balance` of the group as JSON, and `hearing` as the officer reads it."""

from __future__ import annotations

from pathlib import Path

from ..group_scenarios import determine, employer_application, paid_through_may
from .test_cli_apply import run_cli
from .test_cli_small_group import apply_lines, ask_json


def test_the_group_is_covered_again_with_its_money_where_it_was(tmp_path: Path) -> None:
    rescinded = {
        "command": "terminate_group_for_fraud",
        "on": "2026-05-10",
        "group_enrollment_id": "G1",
        "effective_on": "2026-04-30",
        "finding": "employees listed who never worked for the employer",
    }
    status, answers = apply_lines(tmp_path, [*paid_through_may(), rescinded])
    assert status == 0, answers
    (ended,) = [e for e in answers[-1]["events"] if e["type"] == "GroupCoverageTerminated"]
    appeal = {
        "command": "file_appeal",
        "on": "2026-05-20",
        "appeal_id": "AP-1",
        "employer_id": "ACME",
        "appealed_event_id": ended["id"],
        "grounds": "every listed employee is on our payroll",
    }
    decision = {"command": "decide_appeal", "on": "2026-06-15", "appeal_id": "AP-1"}
    status, answers = apply_lines(tmp_path, [appeal, {**decision, "outcome": "reversed"}])
    assert status == 0, answers
    types = [e["type"] for e in answers[-1]["events"]]
    assert types[:2] == ["AppealDecided", "GroupCoverageRestoredOnAppeal"]
    coverage = ask_json(tmp_path, "coverage", "G1")
    assert (coverage["status"], coverage["spans"][0]["end_on"]) == ("active", None)
    balance = ask_json(tmp_path, "balance", "G1")
    # 2,800.00 received: April and May paid (May from the refund withdrawn), none due back
    paid = {m["month"]: m["paid"] for m in balance["months"]}
    assert (paid["2026-04"], paid["2026-05"]) == ("1400.00", "1400.00")
    assert (balance["credit"], balance["refund_due"]) == ("0.00", "0.00")
    shown = run_cli("hearing", "AP-1", cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "reversed" in shown.stdout


def test_the_hearing_of_an_employer_determination_shows_it_decided_again(tmp_path: Path) -> None:
    not_engaged = employer_application(on="2026-05-01", actively_engaged=False)
    status, answers = apply_lines(
        tmp_path, [*paid_through_may(), not_engaged, determine(on="2026-05-02")]
    )
    assert status == 0, answers
    (determined,) = [
        e for e in answers[-1]["events"] if e["type"] == "EmployerEligibilityDetermined"
    ]
    appeal = {
        "command": "file_appeal",
        "on": "2026-05-20",
        "appeal_id": "AP-2",
        "employer_id": "ACME",
        "appealed_event_id": determined["id"],
        "grounds": "we are trading as ever",
    }
    status, answers = apply_lines(tmp_path, [appeal])
    assert status == 0, answers
    packet = ask_json(tmp_path, "hearing", "AP-2", "--as-of", "2026-06-15")
    assert packet["recomputed"]["matches"] is True
    assert packet["current_policy"]["policy_version"] == "2026.1"  # in force on 15 June
    refused = run_cli("hearing", "AP-2", "--as-of", "June", "--json", cwd=tmp_path)
    assert refused.returncode != 0 and "invalid_date" in refused.stdout
    shown = run_cli("hearing", "AP-2", cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    words = " ".join(shown.stdout.split())  # the table wraps at the terminal's width
    assert "eligible no, dental eligible no" in words
    assert "failed conditions actively_engaged (956 CMR 12.04(4)(a)2)" in words
