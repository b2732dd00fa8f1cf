"""No member data in logs or error messages (issue 11): a full scenario through the CLI, with
good and bad lines, writes none of its birth dates or incomes to standard error, and error
answers never echo them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..conftest import application, member
from ..scenarios import pay, schedule, select

BIRTH_DATES = ["1971-03-14", "2009-11-30"]
INCOME = "48123.45"


def test_a_full_scenario_logs_no_birth_dates_or_incomes(tmp_path: Path) -> None:
    members = [member("M1", birth_date=BIRTH_DATES[0]), member("M2", birth_date=BIRTH_DATES[1])]
    bad_member = member("M3", birth_date="1971-02-30")  # impossible date: refused
    lines = [
        application(size=2, magi=INCOME, members=members, on="2026-01-02"),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        application("H2", magi=INCOME, members=[bad_member]),
        {**application("H3", magi="48123.456", members=members)},
        select(),
        pay("2026-01-20", "500.00", "b"),
        schedule("2026-06-30"),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "apply", "-"],
        input="\n".join(json.dumps(line) for line in lines) + "\nnot json\n",
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [a["error"]["message"] for a in answers if not a["ok"]]
    assert len(errors) == 3
    for secret in [*BIRTH_DATES, "1971-02-30", INCOME, "48123.456", "48123"]:
        assert secret not in result.stderr
        assert not any(secret in message for message in errors)
