"""`balance` as a user runs it (issue 15, money is conserved): the table and the JSON show the
credit and the amount due back, and which months were voided."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..scenarios import household_commands, pay, schedule, select


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


def test_balance_shows_the_refund_due_after_a_voluntary_termination_with_months_prepaid(
    tmp_path: Path,
) -> None:
    """$150 paid at $50 a month; the request on 10 February ends coverage on 28 February, so
    March (paid from credit) is voided and $100 is due back once coverage has ended."""
    commands = [
        *household_commands(),
        select(premium="50.00"),
        pay("2026-01-20", "150.00", "prepaid"),
        schedule("2026-02-09"),
        {"command": "request_termination", "on": "2026-02-10", "enrollment_id": "E1"},
        schedule("2026-03-31"),
    ]
    stdin = "".join(json.dumps(c) + "\n" for c in commands)
    applied = run_cli("apply", "-", cwd=tmp_path, stdin=stdin)
    assert applied.returncode == 0, applied.stdout + applied.stderr

    answer = run_cli("balance", "E1", "--json", cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    balance = json.loads(answer.stdout)
    assert (balance["credit"], balance["refund_due"]) == ("0.00", "100.00")
    during = json.loads(
        run_cli("balance", "E1", "--json", "--as-of", "2026-02-20", cwd=tmp_path).stdout
    )
    assert (during["credit"], during["refund_due"]) == ("100.00", "0.00")

    table = run_cli("balance", "E1", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "credit: 0.00" in table.stdout
    assert "refund due: 100.00" in table.stdout
    (march,) = [line for line in table.stdout.splitlines() if "2026-03" in line]
    assert "voided" in march
    assert "Traceback" not in table.stderr
