"""Issue 15 at the command line, as a user meets it: a real `enrollment-ledger apply` process on a
real SQLite file. Dates after the day of recording, reused command ids, repeated references,
duplicate JSON keys and numbers for money are answered with codes; the JSON Schema says what
money is."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters.commands import parse_command
from enrollment_ledger.adapters.record_day import RECORD_ZONE, SIMULATED_TODAY_ENV
from enrollment_ledger.domain.errors import InvalidCommand

from ..conftest import application
from ..scenarios import household_commands, pay, select

MONEY_FIELDS = {
    "submit_application": ["annual_magi"],
    "submit_renewal": ["annual_magi"],
    "report_change": ["annual_magi"],
    "select_plan": ["monthly_premium", "aptc_applied"],
    "record_payment": ["amount"],
    "renew_enrollment": ["monthly_premium"],
}


def apply(
    cwd: Path, lines: list[dict[str, Any] | str], simulated_today: str | None
) -> tuple[int, list[dict[str, Any]], str]:
    env = {k: v for k, v in os.environ.items() if k != SIMULATED_TODAY_ENV}
    if simulated_today is not None:
        env[SIMULATED_TODAY_ENV] = simulated_today
    text = "".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in lines)
    result = subprocess.run(
        [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "apply", "-"],
        cwd=cwd,
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return (
        result.returncode,
        [json.loads(line) for line in result.stdout.splitlines()],
        result.stderr,
    )


def codes(answers: list[dict[str, Any]]) -> list[str | None]:
    return [None if a["ok"] else a["error"]["code"] for a in answers]


def test_by_the_wall_clock_tomorrow_is_refused_and_today_accepted(tmp_path: Path) -> None:
    today = datetime.now(RECORD_ZONE).date()
    tomorrow = today + timedelta(days=1)
    lines = [
        application("H1", on=tomorrow.isoformat(), plan_year=2027),
        application("H2", on=today.isoformat(), plan_year=2027),
    ]
    status, answers, _ = apply(tmp_path, lines, simulated_today=None)
    assert codes(answers) == ["future_date", None]
    assert status == 1


def test_by_the_simulated_today_the_next_day_is_refused_and_that_day_accepted(
    tmp_path: Path,
) -> None:
    lines = [
        application("H1", on="2027-03-02", plan_year=2027),
        application("H2", on="2027-03-01", plan_year=2027),
    ]
    status, answers, _ = apply(tmp_path, lines, simulated_today="2027-03-01")
    assert codes(answers) == ["future_date", None]
    assert "2027-03-01" in answers[0]["error"]["message"]
    assert status == 1
    status, answers, _ = apply(
        tmp_path, [application("H3", on="2027-03-01", plan_year=2027)], "2027-03-01"
    )
    assert (status, codes(answers)) == (0, [None])


def test_an_invalid_simulated_today_is_a_coded_error_not_a_traceback(tmp_path: Path) -> None:
    status, answers, _ = apply(tmp_path, [application()], simulated_today="next tuesday")
    assert codes(answers) == ["invalid_simulated_today"]
    assert SIMULATED_TODAY_ENV in answers[0]["error"]["message"]
    assert status == 1


def test_reused_command_ids_and_references_are_refused(tmp_path: Path) -> None:
    setup = [*household_commands(), select()]
    lines = [
        *setup,
        {**pay("2026-01-20", "150.00", "r1"), "command_id": "p1"},
        {**pay("2026-01-20", "150.00", "r1"), "command_id": "p1"},  # the same command again
        {**pay("2026-01-20", "150.00", "r1"), "command_id": "p2"},  # the same payment again
        {**pay("2026-02-20", "150.00", "r2"), "command_id": "p1"},  # another under p1
        pay("2026-02-20", "99.00", "r1"),  # another payment with r1
    ]
    status, answers, _ = apply(tmp_path, lines, simulated_today="2026-12-31")
    assert codes(answers[len(setup) :]) == [
        None,
        None,
        None,
        "command_id_reused",
        "duplicate_reference",
    ]
    first, again, repeat = answers[len(setup) : len(setup) + 3]
    assert again == first
    assert repeat["events"] == first["events"]
    assert status == 1


def test_duplicate_keys_and_numbers_for_money_are_refused(tmp_path: Path) -> None:
    duplicated = json.dumps(application())[:-1] + ', "household_id": "H9"}'
    as_number = json.dumps(application()).replace('"30000.00"', "30000")
    status, answers, _ = apply(tmp_path, [duplicated, as_number], simulated_today="2026-12-31")
    assert codes(answers) == ["invalid_json", "invalid_field"]
    assert status == 1


def test_the_schema_says_money_is_a_decimal_string_and_means_what_the_parser_accepts(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "schema"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    schema = json.loads(result.stdout)["commands"]
    for command, fields in MONEY_FIELDS.items():
        for field in fields:
            described = schema[command]["properties"][field]
            if "anyOf" in described:  # optional: the money, or null
                (described,) = [s for s in described["anyOf"] if s.get("type") != "null"]
            assert described["type"] == "string", (command, field)
            pattern = re.compile(described["pattern"])
            for written in ["123.45", "123.4", "123", "0.01", "123.456", "1e3", "12,00", ""]:
                by_schema = pattern.fullmatch(written) is not None
                assert by_schema == parses_as_money(written), (command, field, written)


def parses_as_money(written: str) -> bool:
    try:
        parse_command(application(magi=written))
    except InvalidCommand:
        return False
    return True


def test_the_schema_says_grounds_are_one_code_or_a_list(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "schema"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    grounds = json.loads(result.stdout)["commands"]["request_hardship_waiver"]["properties"][
        "grounds"
    ]
    assert sorted(s["type"] for s in grounds["oneOf"]) == ["array", "string"]


def test_a_lone_surrogate_escape_is_refused_and_every_line_still_answered(tmp_path: Path) -> None:
    """A command id or a reference holding half a surrogate pair (`\\udfff`) used to stop
    `apply` at its answer (which could not be printed as UTF-8): now the line is refused
    `invalid_json` and the lines after it are answered, one by one and in a batch alike."""
    first = json.dumps(application("HS", command_id="s1")).replace('"s1"', '"s\\udfff"')
    second = json.dumps(application("HT", command_id="t1"))
    assert "\\udfff" in first
    status, answers, stderr = apply(tmp_path, [first, second], simulated_today="2026-12-31")
    assert codes(answers) == ["invalid_json", None]
    assert status == 1 and "internal error" not in stderr
    batched = subprocess.run(
        [*CLI_APPLY, "--batch", "5", "--store", f"sqlite:///{tmp_path / 'b.db'}"],
        input=f"{first}\n{second}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert [json.loads(line)["ok"] for line in batched.stdout.splitlines()] == [False, True]
    assert "internal error" not in batched.stderr and "Traceback" not in batched.stderr


CLI_APPLY = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "apply", "-"]
