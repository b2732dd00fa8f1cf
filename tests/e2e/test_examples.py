"""The examples and the README's first command, run as a person runs them: the installed
`enrollment-ledger` console script, a fresh folder, and the real clock (no
LEDGER_SIMULATED_TODAY: every business date in them must already be in the past, or the ledger
refuses it as `future_date`). Each example's key answers are asserted, so the files, their
description in examples/README.md and the README's "Try it" cannot rot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.record_day import SIMULATED_TODAY_ENV

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPT = Path(sys.executable).parent / "enrollment-ledger"
"""The console script `pip install -e .` put next to the interpreter running the tests."""

Events = list[dict[str, Any]]


def a_person_s_environment() -> dict[str, str]:
    """The tests' environment without the ledger's variables (the suite's simulated today
    above all), and a 100-column screen (the width the readable answers are drawn for)."""
    ledger_variables = {
        SIMULATED_TODAY_ENV,
        "LEDGER_STORE_URL",
        "LEDGER_CIPHER_KEY",
        "LEDGER_CIPHER_KEY_FILE",
    }
    env = {k: v for k, v in os.environ.items() if k not in ledger_variables}
    env["COLUMNS"] = "100"
    return env


def run_ledger(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"the console script is not installed next to {sys.executable}"
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=a_person_s_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def apply_example(name: str, folder: Path) -> dict[str, Events]:
    """Apply examples/NAME to a fresh store in FOLDER; the events answered, by command id."""
    result = run_ledger("apply", str(EXAMPLES / name), cwd=folder)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, (answers, result.stderr)
    assert all(answer["ok"] for answer in answers), answers
    return {answer["command_id"]: answer["events"] for answer in answers}


def ask(kind: str, key: str, folder: Path, *options: str) -> dict[str, Any]:
    result = run_ledger(kind, key, "--json", *options, cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def of_type(events: Events, event_type: str) -> Events:
    return [e for e in events if e["type"] == event_type]


def one(events: Events, event_type: str) -> dict[str, Any]:
    found = of_type(events, event_type)
    assert len(found) == 1, (event_type, [e["type"] for e in events])
    return found[0]


def every_event(answers: dict[str, Events]) -> Events:
    return [e for events in answers.values() for e in events]


def commands_of(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (EXAMPLES / name).read_text().splitlines()]


def months(balance: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["month"]: m for m in balance["months"]}


# ---- the files and their description -----------------------------------------------------------

EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.jsonl"))


def test_each_example_file_has_one_section_in_the_examples_readme() -> None:
    """examples/README.md has one section per example file (headed by its name in backquotes), and
    no section for a file that is not there (the README's Guarantees table names this test)."""
    text = (EXAMPLES / "README.md").read_text()
    sections = re.findall(r"^## `([\w.-]+\.jsonl)`", text, re.MULTILINE)
    assert len(sections) == len(set(sections)), "a file described twice"
    assert sorted(sections) == EXAMPLE_FILES
    assert "connectorcare-faq.jsonl" in EXAMPLE_FILES  # the README's first command applies it


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_examples_readme_describes_every_line_of_each_file_in_order(name: str) -> None:
    """Every line has its own command id (so a second apply is answered, not refused) and a row
    of examples/README.md, in the file's order."""
    ids = [command["command_id"] for command in commands_of(name)]
    assert len(set(ids)) == len(ids)
    text = (EXAMPLES / "README.md").read_text()
    section = text.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
    described = re.findall(r"^\| `([\w-]+)` \|", section, re.MULTILINE)
    assert described == ids


# ---- each example's key answers ----------------------------------------------------------------


def test_the_faq_example_terminates_back_to_30_april_and_reinstates_with_four_months(
    tmp_path: Path,
) -> None:
    answers = apply_example("connectorcare-faq.jsonl", tmp_path)
    schedule = answers["faq-06"]
    missed = [m["data"]["due_on"] for m in of_type(schedule, "PaymentMissed")]
    assert missed[:2] == ["2026-03-23", "2026-04-23"]
    notices = of_type(schedule, "DelinquencyNoticeIssued")
    assert [n["on"] for n in notices] == ["2026-04-05", "2026-05-05"]
    assert [n["data"]["payment_due_on"] for n in notices] == [None, "2026-06-09"]
    assert {n["citation"] for n in notices} == {"956 CMR 12.12(4)"}
    terminated = one(schedule, "CoverageTerminated")
    assert (terminated["on"], terminated["data"]["end_on"]) == ("2026-06-10", "2026-04-30")
    assert terminated["citation"] == "956 CMR 12.12(5)"
    four_months = ["2026-04", "2026-05", "2026-06", "2026-07"]
    assert terminated["data"]["reinstatement_months"] == four_months

    (selection,) = [
        c for c in commands_of("connectorcare-faq.jsonl") if c["command"] == "select_plan"
    ]
    premium = Decimal(selection["monthly_premium"])
    decided = one(answers["faq-08"], "ReinstatementDecided")
    assert decided["data"]["granted"] is True
    assert decided["data"]["months"] == four_months
    assert decided["data"]["amount_required"] == decided["data"]["amount_paid"] == "600.00"
    assert Decimal(decided["data"]["amount_required"]) == 4 * premium
    assert decided["citation"] == "956 CMR 12.12(6)"

    on_30_june = ask("coverage", "E-FAQ", tmp_path, "--as-of", "2026-06-30")
    assert on_30_june["status"] == "terminated"
    assert [(s["start_on"], s["end_on"], s["end_reason"]) for s in on_30_june["spans"]] == [
        ("2026-02-01", "2026-04-30", "non_payment")
    ]
    today = ask("coverage", "E-FAQ", tmp_path)
    assert today["status"] == "active"
    assert [(s["start_on"], s["end_on"]) for s in today["spans"]] == [("2026-02-01", None)]
    assert today["paid_through"] == "2026-07-31"
    balance = ask("balance", "E-FAQ", tmp_path)
    assert balance["outstanding_total"] == "0.00"
    assert {
        m: row["paid"] for m, row in months(balance).items() if m in four_months
    } == dict.fromkeys(four_months, selection["monthly_premium"])


def test_the_non_group_member_is_terminated_after_one_missed_month_back_to_31_march(
    tmp_path: Path,
) -> None:
    answers = apply_example("non-group-missed-month.jsonl", tmp_path)
    assert one(answers["ng-03"], "PlanSelected")["data"]["program"] == "non_group"
    schedule = answers["ng-06"]
    notice = one(schedule, "DelinquencyNoticeIssued")
    assert (notice["on"], notice["data"]["payment_due_on"]) == ("2026-04-05", "2026-05-10")
    assert notice["citation"] == "956 CMR 12.12(2)"
    assert notice["data"]["warns_of_termination"] is True
    terminated = one(schedule, "CoverageTerminated")
    assert (terminated["on"], terminated["data"]["end_on"]) == ("2026-05-11", "2026-03-31")
    assert terminated["citation"] == "956 CMR 12.12(3)"
    coverage = ask("coverage", "E-NG", tmp_path)
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [
        ("2026-02-01", "2026-03-31")
    ]
    assert ask("balance", "E-NG", tmp_path)["reinstatement_amount"] == "1440.00"


def test_the_hardship_waiver_waives_the_minimum_premium_retroactively_and_cures(
    tmp_path: Path,
) -> None:
    answers = apply_example("hardship-waiver.jsonl", tmp_path)
    assert one(answers["hw-05"], "PaymentMissed")["data"]["month"] == "2026-03"
    requested = one(answers["hw-06"], "HardshipWaiverRequested")
    assert requested["data"]["grounds_clauses"] == ["956 CMR 12.12(7)(a)2"]
    decision = answers["hw-07"]
    waiver = one(decision, "HardshipWaiverDecided")
    assert waiver["citation"] == "956 CMR 12.12(7)(b)"
    waived_months = ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert waiver["data"]["waived_by_month"] == [
        {"month": m, "amount": "152.00"} for m in waived_months
    ]
    assert one(decision, "DelinquencyCured")["on"] == "2026-03-12"
    assert one(decision, "SpecialEnrollmentPeriodOpened")["citation"] == "956 CMR 12.10(1)(e)"
    ended = one(answers["hw-09"], "HardshipWaiverEnded")
    assert ended["data"]["ended_on"] == "2026-07-01"
    assert one(answers["hw-09"], "SpecialEnrollmentPeriodOpened")["citation"] == (
        "956 CMR 12.10(1)(f)"
    )
    assert not of_type(every_event(answers), "CoverageTerminated")
    by_month = months(ask("balance", "E-HW", tmp_path))
    assert [(by_month[m]["waived"], by_month[m]["outstanding"]) for m in waived_months] == [
        ("152.00", "0.00")
    ] * 4
    assert by_month["2026-07"]["paid"] == "152.00"


def test_the_appeal_filed_the_day_after_patriots_day_is_timely_and_reversed(
    tmp_path: Path,
) -> None:
    answers = apply_example("appeal-patriots-day.jsonl", tmp_path)
    determination = one(answers["ap-02"], "EligibilityDetermined")
    assert {m["program"] for m in determination["data"]["members"]} == {"aptc_only"}
    (filing,) = [
        c for c in commands_of("appeal-patriots-day.jsonl") if c["command"] == "file_appeal"
    ]
    assert filing["appealed_event_id"] == determination["id"]

    # Receipt presumed 5 days after the notice, then 30 days: Monday 20 April 2026, Patriots'
    # Day, so the last day is the next business day.
    presumed_last_day = date.fromisoformat(determination["on"]) + timedelta(days=5 + 30)
    assert presumed_last_day == date(2026, 4, 20)
    filed = one(answers["ap-03"], "AppealFiled")
    assert filed["data"]["deadline"] == "2026-04-21" == filed["on"]
    assert filed["data"]["timely"] is True
    assert "956 CMR 12.14(3)" in filed["data"]["deadline_citation"]

    decided = one(answers["ap-04"], "AppealDecided")
    assert (decided["data"]["outcome"], decided["citation"]) == ("reversed", "956 CMR 12.15(4)")
    corrected = one(answers["ap-04"], "EligibilityDetermined")
    assert corrected["data"]["basis"] == "appeal_reversal"
    assert {
        (m["program"], m["plan_type"], m["effective_on"]) for m in corrected["data"]["members"]
    } == {("connectorcare", "3B", "2026-04-01")}
    period = one(answers["ap-04"], "SpecialEnrollmentPeriodOpened")
    assert (period["citation"], period["data"]["end_on"]) == ("956 CMR 12.10(1)(b)", "2026-07-13")
    packet = ask("hearing", "A-AP", tmp_path)
    assert packet["appealed_event"]["id"] == determination["id"]


def test_the_denied_special_enrollment_period_is_appealed_reversed_and_used(
    tmp_path: Path,
) -> None:
    answers = apply_example("denied-sep-appeal.jsonl", tmp_path)
    terminated = one(answers["sep-05"], "CoverageTerminated")
    assert (terminated["on"], terminated["data"]["end_on"]) == ("2026-05-11", "2026-03-31")
    denied = one(answers["sep-06"], "SpecialEnrollmentPeriodDenied")
    assert (denied["data"]["reason"], denied["data"]["enrollment_ids"]) == (
        "coverage_lost_for_non_payment",
        ["E-SEP-1"],
    )
    assert not of_type(answers["sep-06"], "SpecialEnrollmentPeriodOpened")
    (filing,) = [c for c in commands_of("denied-sep-appeal.jsonl") if c["command"] == "file_appeal"]
    assert filing["appealed_event_id"] == denied["id"]
    filed = one(answers["sep-07"], "AppealFiled")
    assert filed["data"]["appealable_clause"] == "956 CMR 12.13(3)"
    # notice of 10 July, receipt presumed 15 July, 30 days: Friday 14 August
    assert (filed["data"]["deadline"], filed["data"]["timely"]) == ("2026-08-14", True)

    packet = ask("hearing", "A-SEP", tmp_path)
    assert packet["recomputed"]["decision"] == "denied"
    assert packet["recomputed"]["matches"] is True
    assert packet["recomputed"]["coverage_lost"] == {"E-SEP-1": "non_payment"}

    assert one(answers["sep-08"], "AppealDecided")["data"]["outcome"] == "reversed"
    opened = one(answers["sep-08"], "SpecialEnrollmentPeriodOpened")
    assert (opened["data"]["kind"], opened["data"]["event_on"], opened["data"]["end_on"]) == (
        "loss_of_coverage",
        "2026-06-30",
        "2026-08-29",  # the original sixty days, still open on 3 August
    )
    selected = one(answers["sep-09"], "PlanSelected")
    assert selected["data"]["enrollment_basis"] == "special_enrollment:loss_of_coverage"
    coverage = ask("coverage", "E-SEP-2", tmp_path)
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2026-09-01", None)]


def test_the_renewal_crosses_into_2026_at_the_new_premium_without_a_gap(tmp_path: Path) -> None:
    answers = apply_example("renewal-2025-2026.jsonl", tmp_path)
    first = one(answers["rn-02"], "EligibilityDetermined")["data"]
    assert (first["plan_year"], first["fpl_amount"]) == (2025, "15060.00")
    assert first["members"][0]["plan_type"] == "3A"
    renewal = one(answers["rn-07"], "EligibilityDetermined")
    assert (renewal["data"]["plan_year"], renewal["data"]["fpl_amount"]) == (2026, "15650.00")
    assert renewal["data"]["members"][0]["plan_type"] == "2B"
    assert renewal["effective_on"] == "2026-01-01"
    renewed = one(answers["rn-08"], "EnrollmentRenewed")
    assert (renewed["data"]["plan_type"], renewed["data"]["monthly_premium"]) == ("2B", "60.00")
    january = one(answers["rn-09"], "InvoiceIssued")
    assert (january["on"], january["data"]["month"], january["data"]["amount"]) == (
        "2025-12-05",
        "2026-01",
        "60.00",
    )
    assert not of_type(every_event(answers), "PlanYearEnded")
    coverage = ask("coverage", "E-RN", tmp_path)
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2025-02-01", None)]
    balance = ask("balance", "E-RN", tmp_path)
    billed = {m: row["billed"] for m, row in months(balance).items()}
    assert (billed["2025-12"], billed["2026-01"]) == ("110.00", "60.00")
    assert balance["outstanding_total"] == "0.00"


def test_the_loss_of_eligibility_ends_each_member_s_coverage_and_changes_the_premium(
    tmp_path: Path,
) -> None:
    answers = apply_example("loss-of-eligibility.jsonl", tmp_path)
    sentenced = answers["le-08"]
    determined = one(sentenced, "EligibilityDetermined")
    results = {m["member_id"]: m for m in determined["data"]["members"]}
    assert (results["LE-2"]["program"], results["LE-2"]["effective_citation"]) == (
        "ineligible",
        "956 CMR 12.08(3)",
    )
    assert (results["LE-1"]["program"], results["LE-1"]["effective_on"]) == (
        "connectorcare",
        "2026-04-01",
    )
    first_ends = of_type(sentenced, "MemberCoverageEnded")
    assert [
        (
            e["data"]["member_id"],
            e["data"]["end_on"],
            e["data"]["remaining_member_ids"],
            e["citation"],
        )
        for e in first_ends
    ] == [
        ("LE-2", "2026-03-31", ["LE-1"], "956 CMR 12.10(5)(c)"),
        ("LE-2", "2026-03-31", ["LE-1"], "956 CMR 12.16(1)(a)"),
    ]

    (health_change,) = [
        c for c in commands_of("loss-of-eligibility.jsonl") if c["command_id"] == "le-09"
    ]
    assert health_change["determination_event_id"] == determined["id"]
    premium = one(answers["le-09"], "PremiumChanged")
    assert (premium["citation"], premium["data"]["from_month"]) == (
        "956 CMR 12.12(8)(a)",
        "2026-04",
    )
    assert [
        (a["month"], a["billed"], a["amount"], a["difference"])
        for a in premium["data"]["adjustments"]
    ] == [("2026-04", "220.00", "130.00", "-90.00")]
    assert one(answers["le-10"], "PremiumChanged")["data"]["to_credit"] == "20.00"

    moved = answers["le-14"]
    last_ends = of_type(moved, "MemberCoverageEnded")
    assert {(e["data"]["member_id"], e["data"]["end_on"]) for e in last_ends} == {
        ("LE-1", "2026-05-31")
    }
    assert all(e["data"]["remaining_member_ids"] == [] for e in last_ends)
    ended = of_type(answers["le-15"], "CoverageEnded")
    assert [(e["on"], e["data"]["reason"], e["citation"]) for e in ended] == [
        ("2026-06-01", "ineligible", "956 CMR 12.10(5)(c)"),
        ("2026-06-01", "ineligible", "956 CMR 12.16(1)(a)"),
    ]
    assert sorted(e["data"]["amount"] for e in of_type(answers["le-15"], "RefundDue")) == [
        "130.00",
        "80.00",
    ]
    everything = every_event(answers)
    for refused in ("PaymentMissed", "DelinquencyNoticeIssued", "CoverageTerminated"):
        assert not of_type(everything, refused)

    coverage = ask("coverage", "E-LE", tmp_path)
    assert [(s["start_on"], s["end_on"], s["end_reason"]) for s in coverage["spans"]] == [
        ("2026-02-01", "2026-05-31", "ineligible")
    ]
    assert [(m["member_id"], m["end_on"]) for m in coverage["members"]] == [
        ("LE-1", "2026-05-31"),
        ("LE-2", "2026-03-31"),
    ]
    balance = ask("balance", "E-LE", tmp_path)
    by_month = months(balance)
    assert [(m, row["premium"], row["premium_citation"]) for m, row in by_month.items()] == [
        ("2026-02", "220.00", "956 CMR 12.10(2)"),
        ("2026-03", "220.00", "956 CMR 12.10(2)"),
        ("2026-04", "130.00", "956 CMR 12.12(8)(a)"),
        ("2026-05", "130.00", "956 CMR 12.12(8)(a)"),
        ("2026-06", "130.00", "956 CMR 12.12(8)(a)"),
    ]
    assert by_month["2026-04"]["premium_determination_event_id"] == determined["id"]
    assert by_month["2026-06"]["voided"] is True
    paid = sum(
        Decimal(c["amount"])
        for c in commands_of("loss-of-eligibility.jsonl")
        if c.get("enrollment_id") == "E-LE" and c["command"] == "record_payment"
    )
    kept = sum(Decimal(row["paid"]) for row in by_month.values())
    assert paid == kept + Decimal(balance["credit"]) + Decimal(balance["refund_due"])
    assert (balance["outstanding_total"], balance["refund_due"]) == ("0.00", "130.00")


def test_one_household_s_year_a_member_sentenced_then_released_late_and_enrolled_on_appeal(
    tmp_path: Path,
) -> None:
    answers = apply_example("one-household-year.jsonl", tmp_path)
    first = one(answers["yr-02"], "EligibilityDetermined")
    assert {m["program"] for m in first["data"]["members"]} == {"aptc_only"}
    assert one(answers["yr-04"], "CoverageEffectuated")["data"]["start_on"] == "2026-02-01"

    # yr-06: YR-2 serving a sentence, ineligible from 1 April, covered through 31 March
    sentenced = one(answers["yr-06"], "EligibilityDetermined")
    results = {m["member_id"]: m for m in sentenced["data"]["members"]}
    assert (results["YR-2"]["program"], results["YR-2"]["effective_on"]) == (
        "ineligible",
        "2026-04-01",
    )
    assert results["YR-1"]["program"] == "aptc_only"
    ended = one(answers["yr-06"], "MemberCoverageEnded")
    assert (ended["data"]["member_id"], ended["data"]["end_on"], ended["citation"]) == (
        "YR-2",
        "2026-03-31",
        "956 CMR 12.10(5)(c)",
    )
    assert ended["data"]["remaining_member_ids"] == ["YR-1"]

    # yr-07: the premium for YR-1 alone from April, April's invoice adjusted by the event
    (premium_change,) = [
        c for c in commands_of("one-household-year.jsonl") if c["command_id"] == "yr-07"
    ]
    assert premium_change["determination_event_id"] == sentenced["id"]
    changed = one(answers["yr-07"], "PremiumChanged")
    assert (changed["data"]["from_month"], changed["data"]["previous_premium"]) == (
        "2026-04",
        "640.00",
    )
    assert changed["data"]["adjustments"][0]["difference"] == "-310.00"
    at_april = ask("balance", "E-YR", tmp_path, "--as-of", "2026-04-15")
    assert [(m["month"], m["premium"], m["paid"]) for m in at_april["months"]] == [
        ("2026-02", "640.00", "640.00"),
        ("2026-03", "640.00", "640.00"),
        ("2026-04", "330.00", "330.00"),
        ("2026-05", "330.00", "0.00"),  # invoiced 5 April at the new premium, due 23 April
    ]
    members = ask("coverage", "E-YR", tmp_path, "--as-of", "2026-04-15")["members"]
    assert [(m["member_id"], m["end_on"]) for m in members] == [
        ("YR-1", None),
        ("YR-2", "2026-03-31"),
    ]

    # yr-12, yr-13: the release on 14 May reported on 20 July, late for both clocks
    released = one(answers["yr-12"], "ChangeReported")
    assert (released["data"]["changed_on"], released["data"]["late"]) == ("2026-05-14", True)
    assert not of_type(answers["yr-12"], "SpecialEnrollmentPeriodOpened")
    denied = one(answers["yr-13"], "SpecialEnrollmentPeriodDenied")
    assert (denied["data"]["reason"], denied["data"]["end_on"]) == (
        "reported_after_sixty_days",
        "2026-07-13",
    )

    # yr-15, yr-16: appealed in time, reversed; the sixty days had passed: sixty from the decision
    (filing,) = [c for c in commands_of("one-household-year.jsonl") if c["command_id"] == "yr-15"]
    assert filing["appealed_event_id"] == denied["id"]
    filed = one(answers["yr-15"], "AppealFiled")
    assert (filed["data"]["deadline"], filed["data"]["timely"]) == ("2026-08-24", True)
    packet = ask("hearing", "A-YR", tmp_path)
    assert packet["recomputed"]["decision"] == "denied"
    premiums = {e["enrollment_id"]: months(e) for e in packet["premiums_by_month"]}
    assert list(premiums) == ["E-YR", "E-YR-2"]
    assert (premiums["E-YR"]["2026-03"]["basis"], premiums["E-YR"]["2026-04"]["basis"]) == (
        "plan_selection",
        "premium_change",
    )
    assert premiums["E-YR"]["2026-04"]["determination_event_id"] == sentenced["id"]
    assert one(answers["yr-16"], "AppealDecided")["data"]["outcome"] == "reversed"
    opened = one(answers["yr-16"], "SpecialEnrollmentPeriodOpened")
    assert (opened["data"]["kind"], opened["data"]["end_on"]) == (
        "release_from_incarceration",
        "2026-10-11",
    )

    # yr-17, yr-19: YR-2 enrolled in that period, covered from 1 September; E-YR goes on for YR-1
    selected = one(answers["yr-17"], "PlanSelected")
    assert selected["data"]["enrollment_basis"] == "special_enrollment:release_from_incarceration"
    assert one(answers["yr-19"], "CoverageEffectuated")["data"]["start_on"] == "2026-09-01"
    assert not of_type(every_event(answers), "ReplacedByEnrollment")
    assert not of_type(every_event(answers), "PaymentMissed")
    before = ask("coverage", "E-YR-2", tmp_path, "--as-of", "2026-08-15")
    assert (before["status"], before["spans"]) == ("pending_binder", [])
    coverage = ask("coverage", "E-YR-2", tmp_path, "--as-of", "2026-09-30")
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2026-09-01", None)]
    assert [(s["start_on"], s["end_on"]) for s in ask("coverage", "E-YR", tmp_path)["spans"]] == [
        ("2026-02-01", None)
    ]
    for enrollment_id, paid_through in (("E-YR", "2026-10"), ("E-YR-2", "2026-10")):
        balance = ask("balance", enrollment_id, tmp_path, "--as-of", "2026-09-30")
        assert (balance["outstanding_total"], balance["credit"], balance["refund_due"]) == (
            "0.00",
            "0.00",
            "0.00",
        )
        assert max(months(balance)) == paid_through


def test_the_small_group_is_terminated_back_to_june_with_a_notice_each_then_reinstated(
    tmp_path: Path,
) -> None:
    answers = apply_example("small-group.jsonl", tmp_path)
    decided = one(answers["sg-02"], "EmployerEligibilityDetermined")["data"]
    assert (decided["eligible"], decided["failed_conditions"]) == (True, [])
    closed = one(answers["sg-07"], "GroupEnrollmentClosed")["data"]
    assert (closed["enrolled"], closed["waived"]) == (["BK-ANA", "BK-BEN"], ["BK-CAL"])
    binder = one(answers["sg-07"], "InvoiceIssued")
    assert (binder["data"]["amount"], binder["data"]["due_on"]) == ("2000.00", "2026-03-23")
    assert one(answers["sg-07"], "CoverageEffectuated")["data"]["start_on"] == "2026-04-01"
    assert one(answers["sg-09"], "EmployeeEnrolled")["data"]["start_on"] == "2026-06-01"

    schedule = answers["sg-11"]
    notice = one(schedule, "DelinquencyNoticeIssued")
    assert (notice["on"], notice["data"]["payment_due_on"]) == ("2026-07-05", "2026-08-09")
    assert notice["citation"] == "956 CMR 12.12(11)"
    terminated = one(schedule, "CoverageTerminated")
    assert (terminated["on"], terminated["data"]["end_on"]) == ("2026-08-10", "2026-06-30")
    assert terminated["data"]["reinstatement_deadline"] == "2026-09-09"
    notices = of_type(schedule, "TerminationNoticeIssued")
    assert [n["data"]["employee_id"] for n in notices] == [None, "BK-ANA", "BK-BEN", "BK-CAL"]

    on_31_august = ask("coverage", "G-BAKERY", tmp_path, "--as-of", "2026-08-31")
    assert on_31_august["status"] == "terminated"
    assert {e["employee_id"]: e["spans"][0]["end_on"] for e in on_31_august["employees"]} == {
        "BK-ANA": "2026-06-30",
        "BK-BEN": "2026-06-30",
        "BK-CAL": "2026-06-30",
    }
    reinstated = one(answers["sg-13"], "ReinstatementDecided")["data"]
    assert (reinstated["granted"], reinstated["amount_required"]) == (True, "7830.00")
    ended = one(answers["sg-15"], "VoluntaryTerminationRequested")
    assert (ended["data"]["end_on"], ended["citation"]) == ("2026-10-31", "956 CMR 12.11(7)")

    today = ask("coverage", "G-BAKERY", tmp_path)
    assert [(s["start_on"], s["end_on"]) for s in today["spans"]] == [("2026-04-01", "2026-10-31")]
    assert today["paid_through"] == "2026-10-31"
    balance = ask("balance", "G-BAKERY", tmp_path)
    assert balance["outstanding_total"] == "0.00"
    assert months(balance)["2026-11"]["voided"] is True
    timeline = ask("timeline", "ER-BAKERY", tmp_path)
    assert timeline["employer_id"] == "ER-BAKERY"
    assert len(of_type(timeline["events"], "TerminationNoticeIssued")) == 4


# ---- the README's commands ---------------------------------------------------------------------


def readme_bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), re.DOTALL)


def table_rows(screen: str) -> list[list[str]]:
    """The words of every line of the tables on a screen (a row's first line begins with its
    first cell; a blank cell is no word)."""
    return [line.split() for line in screen.splitlines() if line.startswith(" ") and line.strip()]


def test_the_readme_s_first_command_shows_the_faq_s_dates_and_runs_again_unchanged(
    tmp_path: Path,
) -> None:
    """The first ```bash block, after its venv and install steps, run with bash in a fresh
    folder holding the examples and a .venv/bin/enrollment-ledger that is the installed
    script; then run again in the same folder."""
    first = readme_bash_blocks()[0]
    assert "\n" not in first
    steps = first.split(" && ")
    assert steps[:2] == ["python3 -m venv .venv", ".venv/bin/pip install -q -e ."]
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "enrollment-ledger").symlink_to(SCRIPT)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", " && ".join(steps[2:])],
            cwd=tmp_path,
            env=a_person_s_environment(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    first_run = run()
    assert first_run.returncode == 0, first_run.stdout + first_run.stderr
    assert (tmp_path / "ledger.db").exists()
    screen = first_run.stdout
    assert '"ok"' not in screen  # apply's answers are set aside; a person reads tables
    rows = table_rows(screen)
    # the timeline's rows: short id, date, type, effective date, ...
    timeline = {(row[1], row[2]): row[3:] for row in rows if re.fullmatch(r"[0-9a-f]{8}", row[0])}
    assert [on for on, kind in timeline if kind == "DelinquencyNoticeIssued"] == [
        "2026-04-05",
        "2026-05-05",
    ]
    assert timeline[("2026-06-10", "CoverageTerminated")][0] == "2026-04-30"
    assert ("2026-07-02", "ReinstatementDecided") in timeline
    assert ["E-FAQ", "H-FAQ", "2026-03-24", "2026-04", "2026-06-09"] in rows
    assert "Coverage E-FAQ: terminated" in screen
    assert ["2026-02-01", "2026-04-30", "non_payment", "12.12(5)"] in rows
    assert "Coverage E-FAQ: active" in screen  # reinstated: the same span, no end
    assert ["2026-02-01", "12.10(3)"] in rows  # its end and reason blank

    second_run = run()
    assert second_run.returncode == 0, second_run.stdout + second_run.stderr
    assert second_run.stdout == screen


def test_ci_runs_exactly_the_readme_s_test_command() -> None:
    second = readme_bash_blocks()[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert second in ci
