"""The small-group program as an operator runs it: `enrollment-ledger apply` in a real process on
a real SQLite file, then `coverage`, `balance`, `timeline` and `hearing`, as JSON and as tables."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ..group_scenarios import (
    a_coverage_year_paid,
    determine,
    employer_application,
    employer_pays,
    enroll,
    paid_through_may,
    select_group,
)
from ..scenarios import schedule
from .test_cli_apply import run_cli


def apply_lines(folder: Path, commands: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    stdin = "".join(json.dumps(c) + "\n" for c in commands)
    result = run_cli("apply", "-", cwd=folder, stdin=stdin)
    assert "Traceback" not in result.stderr
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def ask_json(folder: Path, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--json", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_a_small_employers_group_through_the_command_line_json_and_tables(
    tmp_path: Path,
) -> None:
    status, answers = apply_lines(
        tmp_path,
        [
            *paid_through_may(),
            enroll("EMP-3", "450.00", on="2026-05-01", kind="newly_qualified", event_on="2026-04-15"),
            schedule("2026-07-31"),
        ],
    )  # fmt: skip
    assert status == 0, answers
    coverage = ask_json(tmp_path, "coverage", "G1")
    assert coverage["group_enrollment_id"] == "G1"
    assert coverage["status"] == "terminated"
    spans = {
        e["employee_id"]: [(s["start_on"], s["end_on"]) for s in e["spans"]]
        for e in coverage["employees"]
    }
    assert spans == {
        "EMP-1": [("2026-04-01", "2026-05-31")],
        "EMP-2": [("2026-04-01", "2026-05-31")],
        "EMP-3": [],  # covered from 1 June: the termination back to 31 May came first
    }
    earlier = ask_json(tmp_path, "coverage", "G1", "--as-of", "2026-06-30")
    assert earlier["status"] == "delinquent"
    balance = ask_json(tmp_path, "balance", "G1")
    assert balance["reinstatement_amount"] == "5550.00"  # June to August, 1,850.00 each
    assert balance["months"][2]["employees"] == [
        {"employee_id": "EMP-1", "amount": "500.00"},
        {"employee_id": "EMP-2", "amount": "900.00"},
        {"employee_id": "EMP-3", "amount": "450.00"},
    ]
    timeline = ask_json(tmp_path, "timeline", "ACME")
    types = [e["type"] for e in timeline["events"]]
    assert types[:2] == ["EmployerOpened", "EmployerApplicationSubmitted"]
    assert types.count("TerminationNoticeIssued") == 4  # the employer and three employees

    table = run_cli("coverage", "G1", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "Coverage G1: terminated" in table.stdout
    assert "Employees of ACME in G1" in table.stdout
    assert "EMP-3" in table.stdout
    shown = run_cli("timeline", "ACME", cwd=tmp_path)
    assert shown.returncode == 0 and "Timeline of employer ACME" in shown.stdout
    owed = run_cli("balance", "G1", cwd=tmp_path)
    assert owed.returncode == 0 and "to be reinstated: pay 5550.00" in owed.stdout


def test_the_command_line_reads_a_group_the_same_with_and_without_sqlalchemy(
    tmp_path: Path,
) -> None:
    """`coverage` and `balance` on an SQLite store read its events directly; the answers are the
    ledger's own."""
    from enrollment_ledger.adapters import queries
    from enrollment_ledger.adapters.bootstrap import build_ledger

    status, _ = apply_lines(tmp_path, [*paid_through_may(), schedule("2026-06-30")])
    assert status == 0
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        for kind, query in (("coverage", queries.coverage), ("balance", queries.balance)):
            assert ask_json(tmp_path, kind, "G1") == query(ledger, "G1")
            as_of = ask_json(tmp_path, kind, "G1", "--as-of", "2026-04-01")
            assert as_of == query(ledger, "G1", date(2026, 4, 1))
    finally:
        ledger.close()


def test_refusals_are_answered_one_per_line_and_the_rest_go_on(tmp_path: Path) -> None:
    status, answers = apply_lines(
        tmp_path,
        [
            employer_application(employee_count=51),
            determine(),
            select_group(),  # not eligible: 51 employees
            employer_application(on="2026-02-09"),
            determine(on="2026-02-10"),
            select_group(on="2026-02-11", start="2026-04-02"),  # not a 1st of the month
            select_group(on="2026-02-11"),
            enroll("EMP-1", "500.00", on="2026-03-13"),  # on the deadline
            enroll("EMP-2", "900.00", on="2026-03-14"),  # after it, with no event
            {**employer_pays("2026-03-20", "10.00", "X"), "amount": 10},  # money as a number
        ],
    )
    assert status == 1
    codes = [a["error"]["code"] if not a["ok"] else None for a in answers]
    assert codes == [
        None,
        None,
        "not_eligible",
        None,
        None,
        "invalid_field",
        None,
        None,
        "outside_enrollment_period",
        "invalid_field",
    ]


def test_an_employers_appeal_and_its_hearing_packet_through_the_command_line(
    tmp_path: Path,
) -> None:
    status, answers = apply_lines(
        tmp_path, [employer_application(on="2026-06-01", employee_count=51), determine(on="2026-06-04")]
    )  # fmt: skip
    assert status == 0
    (determination,) = [
        e for e in answers[1]["events"] if e["type"] == "EmployerEligibilityDetermined"
    ]
    appeal = {
        "command": "file_appeal",
        "on": "2026-09-08",
        "appeal_id": "AP-1",
        "employer_id": "ACME",
        "appealed_event_id": determination["id"],
        "grounds": "our IRC 4980H(c)(2) count is 49",
    }
    status, (filed,) = apply_lines(tmp_path, [appeal])
    assert status == 0, filed
    (event,) = [e for e in filed["events"] if e["type"] == "EmployerAppealFiled"]
    assert (event["type"], event["data"]["deadline"], event["data"]["timely"]) == (
        "EmployerAppealFiled",
        "2026-09-08",
        True,
    )
    packet = ask_json(tmp_path, "hearing", "AP-1")
    assert packet["employer_id"] == "ACME"
    assert packet["appealed_event"]["data"]["failed_conditions"][0]["clause"] == (
        "956 CMR 12.04(4)(a)1"
    )
    shown = run_cli("hearing", "AP-1", cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "Appeal AP-1 of employer ACME" in shown.stdout


def test_schema_lists_the_small_group_commands_and_events(tmp_path: Path) -> None:
    result = run_cli("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert {
        "submit_employer_application",
        "determine_employer_eligibility",
        "select_group_plan",
        "enroll_employee",
        "waive_coverage",
    } <= set(schema["commands"])
    assert {
        "EmployerEligibilityDetermined",
        "GroupPlanSelected",
        "EmployeeEnrolled",
        "EmployeeWaived",
        "GroupEnrollmentClosed",
        "TerminationNoticeIssued",
        "EmployerAppealFiled",
    } <= set(schema["events"])
    termination = schema["commands"]["request_termination"]["properties"]
    assert {"enrollment_id", "group_enrollment_id", "employee_id", "kind"} <= set(termination)


def test_the_cross_member_queries_list_a_groups_termination_and_grace_period(
    tmp_path: Path,
) -> None:
    """`terminations` lists the group's termination with every employee it ended (for the
    carrier), `delinquent` its grace period under the employer's id; JSON and a table."""
    status, answers = apply_lines(tmp_path, [*paid_through_may(), schedule("2026-07-31")])
    assert status == 0, answers
    args = ("terminations", "--from", "2026-07-01", "--to", "2026-07-31")
    (terminated,) = ask_json(tmp_path, *args)["terminations"]
    assert (terminated["enrollment_id"], terminated["household_id"]) == ("G1", "ACME")
    assert (terminated["end_on"], terminated["reason"]) == ("2026-05-31", "non_payment")
    assert [e["employee_id"] for e in terminated["employees"]] == ["EMP-1", "EMP-2"]
    table = run_cli(*args, cwd=tmp_path)
    assert table.returncode == 0 and "+EMP-2-C" in table.stdout  # the child, with EMP-2
    (grace,) = ask_json(tmp_path, "delinquent", "--as-of", "2026-06-15")["delinquent"]
    assert (grace["enrollment_id"], grace["household_id"]) == ("G1", "ACME")
    assert grace["first_unpaid_month"] == "2026-06"
    assert ask_json(tmp_path, "delinquent", "--as-of", "2026-07-15")["delinquent"] == []


def test_the_connectors_terminations_a_new_dependent_and_a_renewal_through_the_command_line(
    tmp_path: Path,
) -> None:
    """12.11(2): a birth covered from its date; 12.04(4)(b): the group renewed; 12.11(5)-(6): one
    employee ended for fraud, then the group for the employer no longer eligible, each with its
    notices, listed by `terminations` for the carrier; a refused command records nothing and
    answers its code."""
    status, answers = apply_lines(
        tmp_path,
        [
            *paid_through_may(),
            {"command": "add_dependent", "on": "2026-04-10", "group_enrollment_id": "G1", "employee_id": "EMP-1", "member_id": "EMP-1-BABY", "event": "birth", "event_on": "2026-04-08", "coverage_from": "event_date", "monthly_premium": "650.00"},
            {"command": "renew_group_plan", "on": "2026-04-15", "group_enrollment_id": "G1"},
            {"command": "terminate_group_for_fraud", "on": "2026-05-06", "group_enrollment_id": "G1", "employee_id": "EMP-2", "effective_on": "2026-05-06", "finding": "a dependent who is not the employee's child"},
            employer_application(on="2026-05-07", actively_engaged=False),
            determine(on="2026-05-08"),
            {"command": "terminate_group_ineligible", "on": "2026-05-11", "group_enrollment_id": "G1"},
            schedule("2026-06-30"),
        ],
    )  # fmt: skip
    assert status == 0, answers
    coverage = ask_json(tmp_path, "coverage", "G1")
    assert coverage["status"] == "terminated"
    assert coverage["spans"][0]["end_on"] == "2026-05-31"
    assert coverage["spans"][0]["end_reason"] == "ineligible"
    emp1 = next(e for e in coverage["employees"] if e["employee_id"] == "EMP-1")
    assert emp1["dependents_from"] == {"EMP-1-BABY": "2026-04-08"}
    args = ("terminations", "--from", "2026-05-01", "--to", "2026-05-31")
    rows = ask_json(tmp_path, *args)["terminations"]
    assert [(r["reason"], r["end_on"]) for r in rows] == [
        ("fraud", "2026-05-06"),
        ("employer_ineligible", "2026-05-31"),
    ]
    assert [[e["employee_id"] for e in r["employees"]] for r in rows] == [["EMP-2"], ["EMP-1"]]
    timeline = ask_json(tmp_path, "timeline", "ACME")
    types = [e["type"] for e in timeline["events"]]
    assert {"DependentAdded", "GroupRenewed", "EmployeeTerminatedForFraud"} <= set(types)
    assert types.count("TerminationNoticeIssued") == 4  # employer and EMP-2; employer and EMP-1
    late = {"command": "terminate_group_for_fraud", "on": "2026-07-01", "group_enrollment_id": "G1", "effective_on": "2026-07-02", "finding": "x"}  # fmt: skip
    status, (refused,) = apply_lines(tmp_path, [late])
    assert status == 1 and refused["error"]["code"] == "invalid_field"


def test_a_coverage_year_not_renewed_ends_through_the_command_line_json_and_tables(
    tmp_path: Path,
) -> None:
    """Not renewed by 5 March 2027 (April's invoice day), the group ends on 31 March 2027 with
    its employees: `coverage`, `balance`, `terminations` and `timeline` show it, and a renewal
    asked after it is refused with a coded error, one answer per line."""
    renew = {"command": "renew_group_plan", "on": "2027-04-02", "group_enrollment_id": "G1"}
    status, answers = apply_lines(
        tmp_path, [*a_coverage_year_paid(), schedule("2027-04-30"), renew]
    )
    assert status != 0
    assert all(a["ok"] for a in answers[:-1]), answers
    assert answers[-1]["ok"] is False and answers[-1]["error"]["code"] == "invalid_state"
    coverage = ask_json(tmp_path, "coverage", "G1")
    assert coverage["status"] == "terminated"
    assert (coverage["spans"][0]["end_on"], coverage["spans"][0]["end_reason"]) == (
        "2027-03-31",
        "coverage_year_ended",
    )
    assert {e["employee_id"]: e["status"] for e in coverage["employees"]} == {
        "EMP-1": "ended",
        "EMP-2": "ended",
    }
    balance = ask_json(tmp_path, "balance", "G1")
    assert balance["months"][-1]["month"] == "2027-03"
    assert balance["outstanding_total"] == "0.00"
    args = ("terminations", "--from", "2027-03-01", "--to", "2027-03-31", "--by", "end_on")
    (ended,) = ask_json(tmp_path, *args)["terminations"]
    assert (ended["reason"], ended["decided_on"]) == ("coverage_year_ended", "2027-03-05")
    assert [e["employee_id"] for e in ended["employees"]] == ["EMP-1", "EMP-2"]
    types = [e["type"] for e in ask_json(tmp_path, "timeline", "ACME")["events"]]
    assert "GroupCoverageYearEnded" in types
    table = run_cli("coverage", "G1", cwd=tmp_path)
    assert table.returncode == 0 and "coverage_year_ended" in table.stdout, table.stdout
    listed = run_cli(*args, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "2027-03-05" in listed.stdout and "+EMP-2-C" in listed.stdout, listed.stdout
