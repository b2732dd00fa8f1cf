"""The command line's readable answers (issue 19), run as a person runs them: the console script
on the examples, without --json. Each test asserts what a person must be able to read (not the
whole text); the JSON answers stay the contract and are checked unchanged elsewhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.failures import next_step

from ..answers import READABLE_ERROR

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]
WIDTH = 100


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read(*args: str, cwd: Path) -> str:
    """A readable answer, checked to be drawn within 100 columns and to show no `None`."""
    result = run(*args, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= WIDTH, result.stdout
    assert not re.search(r"\bNone\b", result.stdout), result.stdout
    assert not re.search(r"\bTrue\b|\bFalse\b", result.stdout), result.stdout
    assert "…" not in result.stdout, result.stdout  # nothing cut
    return result.stdout


def ask(*args: str, cwd: Path) -> Any:
    result = run(*args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def apply_lines(lines: list[str], cwd: Path) -> list[dict[str, Any]]:
    result = run("apply", "-", cwd=cwd, stdin="".join(f"{line}\n" for line in lines))
    return [json.loads(line) for line in result.stdout.splitlines()]


def apply_example(name: str, cwd: Path) -> list[dict[str, Any]]:
    answers = apply_lines((EXAMPLES / name).read_text().splitlines(), cwd)
    assert all(a["ok"] for a in answers), answers
    return answers


def flat(text: str) -> str:
    """The text with its line breaks, runs of blanks and a panel's sides as single spaces (a
    table or a panel wraps)."""
    return " ".join(text.replace("│", " ").split())


def row(table: str, short_id: str) -> str:
    """The words of a timeline's row: its first line (the event's short id first) and the lines
    its cells wrapped onto, up to the next row."""
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f" {short_id} "))
    end = start + 1
    while end < len(lines) and lines[end].startswith(" " * 9) and lines[end].strip():
        end += 1
    return flat("\n".join(lines[start:end]))


def events_of(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for a in answers for e in a["events"]]


@pytest.fixture(scope="module")
def faq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faq")
    apply_example("connectorcare-faq.jsonl", folder)
    return folder


@pytest.fixture(scope="module")
def appeal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The appeal near Patriots' Day (a deadline moved to the next business day), reversed; and
    a second appeal of the same determination, filed a day late and dismissed."""
    folder = tmp_path_factory.mktemp("appeal")
    lines = (EXAMPLES / "appeal-patriots-day.jsonl").read_text().splitlines()
    late = {
        **json.loads(lines[2]),
        "command_id": "ap-late",
        "appeal_id": "A-LATE",
        "on": "2026-04-22",
        "grounds": "[bold]late[/bold], my notice came late",
    }
    answers = apply_lines([*lines, json.dumps(late)], folder)
    assert all(a["ok"] for a in answers), answers
    return folder, answers


# ---- hearing -----------------------------------------------------------------------------------


def test_the_hearing_packet_shows_the_determination_in_plain_words(
    appeal: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, _ = appeal
    text = flat(read("hearing", "A-AP", cwd=folder))
    assert "household of 2, income (annual MAGI) 124000.00, 586.29% of the poverty level" in text
    row = re.compile(r"AP-1 aptc_only +586\.29 2026-04-01 12\.04\(2\)")
    assert row.search(text), text


def test_the_hearing_packet_shows_the_facts_contents_and_each_member(
    appeal: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, _ = appeal
    text = flat(read("hearing", "A-AP", cwd=folder))
    assert "ApplicationSubmitted" in text
    assert "household size: 2; annual magi: 124000.00" in text
    assert "AP-1 1988-11-03 yes yes no yes" in text
    assert "AP-2 2019-05-27 yes yes no yes" in text


def test_the_hearing_packet_spells_out_the_deadline_and_why_the_appeal_was_timely(
    appeal: tuple[Path, list[dict[str, Any]]],
) -> None:
    """Notice of 16 March, presumed received on the 21st; 30 days: Monday 20 April, Patriots'
    Day, so the deadline is Tuesday 21 April (12.14(3)); received that day: timely."""
    folder, _ = appeal
    text = flat(read("hearing", "A-AP", cwd=folder))
    assert "Grounds: My wages were counted twice" in text
    assert "presumed received 5 days after its date, on 2026-03-21" in text
    assert "within 30 days after the receipt, by 2026-04-20" in text
    assert "next business day, 2026-04-21" in text
    assert "Timely: yes, because it was received on 2026-04-21, on or before the deadline" in text
    assert "Status: decided; outcome: reversed" in text


def test_a_late_appeal_reads_not_timely_and_why_it_was_dismissed(
    appeal: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, _ = appeal
    text = flat(read("hearing", "A-LATE", cwd=folder))
    assert (
        "Timely: no, because it was received on 2026-04-22, after the deadline 2026-04-21" in text
    )
    assert re.search(
        r"Dismissed: on 2026-04-22, received on 2026-04-22, after the deadline 2026-04-21 "
        r"\(956 CMR 12\.15\(2\)",
        text,
    ), text
    assert "Grounds: [bold]late[/bold], my notice came late" in text  # text, never markup


def test_each_step_of_an_appeal_s_history_reads_as_what_it_was_a_re_hearing_included(
    tmp_path: Path,
) -> None:
    """The reversal, the re-hearing ordered within 14 days, the stay it brings and the superseding
    decision (12.15(5)) each read as themselves, never as a dismissal nor with a `None`."""
    lines = (EXAMPLES / "appeal-patriots-day.jsonl").read_text().splitlines()
    more = [
        {"command": "order_rehearing", "command_id": "ap-05", "on": "2026-05-20",
         "appeal_id": "A-AP"},
        {"command": "decide_rehearing", "command_id": "ap-06", "on": "2026-06-01",
         "appeal_id": "A-AP", "outcome": "supersede", "superseding_outcome": "upheld"},
    ]  # fmt: skip
    answers = apply_lines([*lines, *map(json.dumps, more)], tmp_path)
    assert all(a["ok"] for a in answers), answers
    text = read("hearing", "A-AP", cwd=tmp_path)
    assert "dismissed" not in text.lower(), text
    steps = [flat(line) for line in text.splitlines() if re.match(r"│?\s+20\d\d-\d\d-\d\d: ", line)]
    assert steps == [
        "2026-05-14: reversed",
        "2026-05-20: re-hearing ordered (12.15(5))",
        "2026-05-20: initial decision stayed until the re-hearing is decided (by 2026-06-19)",
        "2026-06-01: re-hearing decided: supersede; the decision that stands: upheld",
    ], text


def test_the_hearing_timeline_names_each_event_by_its_id_and_the_other_appeal_by_its_own(
    appeal: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, answers = appeal
    text = read("hearing", "A-AP", cwd=folder)
    timeline = text.split("Timeline of household H-AP", 1)[1]
    for event in events_of(answers):
        if event["type"] in ("AppealFiled", "AppealDecided", "AppealDismissed"):
            appeal_id = "A-LATE" if event["on"] == "2026-04-22" else "A-AP"
            shown = row(timeline, event["id"][:8]).split()
            assert shown[2] == event["type"] and {"appeal", appeal_id} <= set(shown), shown
        if event["type"] == "EligibilityDetermined":
            assert {"household", "H-AP"} <= set(row(timeline, event["id"][:8]).split())


# ---- timeline, balance, coverage, terminations -------------------------------------------------


def test_the_timeline_shows_short_ids_amounts_and_the_enrollment_each_event_belongs_to(
    faq: Path,
) -> None:
    events = ask("timeline", "H-FAQ", cwd=faq)["events"]
    text = read("timeline", "H-FAQ", cwd=faq)
    assert "as known now (every event recorded)" in flat(text)
    payment = next(e for e in events if e["type"] == "PaymentRecorded")
    shown = row(text, payment["id"][:8]).split()
    assert payment["id"] not in text
    assert shown[1:3] == [payment["on"], "PaymentRecorded"]
    assert {"enrollment", "E-FAQ", "amount", payment["data"]["amount"]} <= set(shown), shown
    assert flat(text).endswith(f"recorded by {payment['recorded_by']}")


def test_the_timeline_with_wide_shows_the_whole_ids(faq: Path) -> None:
    events = ask("timeline", "H-FAQ", cwd=faq)["events"]
    result = run("timeline", "H-FAQ", "--wide", cwd=faq)
    assert result.returncode == 0, result.stderr
    assert all(event["id"] in result.stdout for event in events)


def test_the_timeline_is_headed_with_the_instant_it_is_known_at(faq: Path) -> None:
    events = ask("timeline", "H-FAQ", cwd=faq)["events"]
    instant = events[3]["recorded_at"]
    text = flat(read("timeline", "H-FAQ", "--known-at", instant, cwd=faq))
    assert f"as known at {instant}" in text


def test_the_balance_shows_voided_months_credit_refund_the_reinstatement_deadline_and_notices(
    faq: Path,
) -> None:
    text = flat(read("balance", "E-FAQ", "--as-of", "2026-06-30", cwd=faq))
    assert "Balance E-FAQ, as of 2026-06-30" in text
    assert "2026-05 150.00 0.00 0.00 0.00 voided" in text
    assert "credit: 0.00 refund due: 0.00" in text
    assert "to be reinstated: pay 600.00 by 2026-07-15" in text
    assert "first unpaid month 2026-04, payment date 2026-06-09" in text
    assert "2026-05-05 2 300.00 2026-06-09 12.12(4)" in text


def test_coverage_leaves_an_open_span_s_end_blank(faq: Path) -> None:
    text = read("coverage", "E-FAQ", cwd=faq)
    assert "as of today" in flat(text)
    span = next(line for line in text.splitlines() if line.startswith(" 2026-02-01"))
    assert span.split() == ["2026-02-01", "12.10(3)"]  # no end date, no end reason


def test_terminations_show_the_reinstated_date_and_whole_headers(faq: Path) -> None:
    text = read("terminations", "--from", "2026-01-01", "--to", "2026-12-31", cwd=faq)
    header = flat(text.split("─", 1)[0])
    for words in ("enrollment id", "household id", "rescinded on", "reinstated on"):
        first, second = words.split()
        assert re.search(rf"{first}\b.*\b{second}", header), header
    row = next(line for line in text.splitlines() if line.startswith(" E-FAQ"))
    assert row.split()[-1] == "2026-07-02"


def test_every_query_s_table_fits_100_columns_and_shows_no_none(faq: Path) -> None:
    for args in (
        ["delinquent", "--as-of", "2026-06-09"],
        ["projections", "status"],
        ["coverage", "E-FAQ", "--as-of", "2026-06-30"],
        ["balance", "E-FAQ"],
    ):
        read(*args, cwd=faq)


# ---- projections -------------------------------------------------------------------------------


def test_projections_run_and_rebuild_print_a_summary_and_with_json_the_positions(
    tmp_path: Path,
) -> None:
    apply_example("connectorcare-faq.jsonl", tmp_path)
    head = len(ask("timeline", "H-FAQ", cwd=tmp_path)["events"])
    text = flat(read("projections", "run", cwd=tmp_path))
    assert re.search(r"Projections caught up: \d+, \d+ events read in \d+\.\d s", text), text
    assert re.search(rf"coverage {head} {head}\b", text), text
    again = flat(read("projections", "run", "coverage", cwd=tmp_path))
    assert f"coverage 0 {head}" in again
    rebuilt = flat(read("projections", "rebuild", "balance", cwd=tmp_path))
    assert "rebuilt from the first event: 1" in rebuilt
    assert f"balance {head} {head}" in rebuilt
    answer = ask("projections", "rebuild", "balance", cwd=tmp_path)
    assert answer == {"ok": True, "positions": {"balance": head}}


# ---- errors ------------------------------------------------------------------------------------


def test_an_error_without_json_is_one_line_with_its_code_message_and_next_step(faq: Path) -> None:
    result = run("coverage", "E-NONE", cwd=faq)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and not lines[0].startswith("{")
    found = READABLE_ERROR.fullmatch(lines[0])
    assert found is not None, lines[0]
    assert found["code"] == "unknown_enrollment" and "E-NONE" in found["message"]
    assert found["next"] == next_step("unknown_enrollment")
    assert "timeline HOUSEHOLD_ID" in found["next"]


def test_an_error_with_json_is_still_the_contract_s_error_body(faq: Path) -> None:
    for args in (["coverage", "E-NONE", "--json"], ["--json", "coverage", "E-NONE"]):
        result = run(*args, cwd=faq)
        assert result.returncode == 1
        assert json.loads(result.stdout) == {
            "ok": False,
            "error": {
                "code": "unknown_enrollment",
                "message": "unknown enrollment 'E-NONE' (at that point in time)",
            },
        }


def test_a_bad_option_reads_as_one_line_and_as_json_with_json(faq: Path) -> None:
    readable = run("balance", "E-FAQ", "--as-of", "30 June", cwd=faq)
    assert readable.returncode == 2
    found = READABLE_ERROR.fullmatch(readable.stdout.strip())
    assert found is not None and found["code"] == "invalid_date", readable.stdout
    assert "YYYY-MM-DD" in found["next"]
    as_json = run("balance", "E-FAQ", "--as-of", "30 June", "--json", cwd=faq)
    assert json.loads(as_json.stdout)["error"]["code"] == "invalid_date"


def test_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    result = run("timeline", "H1", cwd=tmp_path)
    assert result.returncode == 2
    found = READABLE_ERROR.fullmatch(result.stdout.strip())
    assert found is not None and found["code"] == "unknown_store", result.stdout
    assert "enrollment-ledger apply FILE" in found["next"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["apply", "nowhere.jsonl"], "not_found"),
        (["relay", "--kafka", "127.0.0.1:1", "--until-caught-up"], "unknown_store"),
        (["schema", "--out", "ledger.txt"], "not_a_folder"),
    ],
)
def test_the_subcommands_that_answer_in_json_answer_their_failures_in_json(
    tmp_path: Path, args: list[str], code: str
) -> None:
    (tmp_path / "ledger.txt").write_text("a file, not a folder\n")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == code


def test_an_unknown_token_reads_as_one_line_through_the_same_mapping(faq: Path) -> None:
    result = run("tokens", "revoke", "nope", cwd=faq)
    assert result.returncode == 1
    found = READABLE_ERROR.fullmatch(result.stdout.strip())
    assert found is not None and found["code"] == "unknown_token", result.stdout
    as_json = run("tokens", "revoke", "nope", "--json", cwd=faq)
    assert json.loads(as_json.stdout)["error"]["code"] == "unknown_token"
