"""Coverage restored on appeal (12.15(4), 45 CFR 155.545(c)) through the command line, as a user
runs it (a real process, a real SQLite file): a termination for fraud reversed shows in
`coverage`, `balance`, `timeline` and the hearing packet, and `schema` names the event."""

from __future__ import annotations

from pathlib import Path

from ..scenarios import household_commands, pay, schedule, select
from .test_cli_apply import run_cli
from .test_cli_refusals import apply_lines, ask, one


def test_a_termination_for_fraud_reversed_on_appeal_is_coverage_again_with_nothing_due_back(
    tmp_path: Path,
) -> None:
    answers = apply_lines(
        tmp_path,
        [
            *household_commands(magi="90000.00"),
            select(premium="300.00", aptc_applied="200.00"),
            pay("2026-01-20", "300.00", "binder"),
            pay("2026-02-20", "300.00", "march"),
            pay("2026-03-20", "300.00", "april"),
            schedule("2026-05-10"),
            {
                "command": "terminate_for_fraud",
                "on": "2026-05-12",
                "enrollment_id": "E1",
                "effective_on": "2026-03-31",
                "finding": "income documents were forged",
            },
        ],
    )
    ended = one(answers[-1], "CoverageTerminatedForFraud")
    assert ask(tmp_path, "coverage", "E1")["status"] == "terminated"
    (filed, decided) = apply_lines(
        tmp_path,
        [
            {
                "command": "file_appeal",
                "on": "2026-05-20",
                "appeal_id": "A1",
                "household_id": "H1",
                "appealed_event_id": ended["id"],
                "grounds": "the documents were genuine",
            },
            {
                "command": "decide_appeal",
                "on": "2026-06-02",
                "appeal_id": "A1",
                "outcome": "reversed",
            },
        ],
    )
    assert filed["ok"] and decided["ok"]
    restored = one(decided, "CoverageRestoredOnAppeal")
    assert (restored["effective_on"], restored["data"]["withdrawn_end_on"]) == (
        "2026-04-01",
        "2026-03-31",
    )
    coverage = ask(tmp_path, "coverage", "E1")
    assert coverage["status"] == "active"
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2026-02-01", None)]
    balance = ask(tmp_path, "balance", "E1")
    assert (balance["refund_due"], balance["recoupment_due"]) == ("0.00", "0.00")
    timeline = ask(tmp_path, "timeline", "H1")
    assert "CoverageRestoredOnAppeal" in [e["type"] for e in timeline["events"]]
    packet = ask(tmp_path, "hearing", "A1")
    assert packet["appeal"]["outcome"] == "reversed"
    assert [e["enrollment_id"] for e in packet["premiums_by_month"]] == ["E1"]
    schema = run_cli("schema", cwd=tmp_path)
    assert schema.returncode == 0, schema.stderr
    assert "CoverageRestoredOnAppeal" in schema.stdout
