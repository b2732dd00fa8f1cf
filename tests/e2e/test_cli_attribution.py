"""Who did it, through the command line as people run it: `--actor NAME` before or after
`apply`, else `LEDGER_ACTOR`, else the operating-system user; every event shows it as
`recorded_by` in `apply`'s answers, `timeline` (JSON and table) and `hearing` (JSON and packet)."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..scenarios import household_commands

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def run_cli(
    *args: str, cwd: Path, stdin: str = "", actor_env: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_ACTOR"}
    env["COLUMNS"] = "200"
    if actor_env is not None:
        env["LEDGER_ACTOR"] = actor_env
    return subprocess.run(
        [*CLI, *args], cwd=cwd, input=stdin, env=env, capture_output=True, text=True, timeout=120
    )


def lines(*commands: dict[str, Any]) -> str:
    return "".join(json.dumps(c) + "\n" for c in commands)


def header_of(table: str) -> str:
    """The header rows of a readable table: the lines between its title and its rule."""
    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip().startswith("─"))
    return "\n".join(lines[1:rule])


def recorded_by(result: subprocess.CompletedProcess[str]) -> list[set[str | None]]:
    assert result.returncode == 0, result.stdout + result.stderr
    return [
        {e["recorded_by"] for e in json.loads(line)["events"]}
        for line in result.stdout.splitlines()
    ]


APPLIED, DETERMINED = household_commands()


def test_actor_given_before_or_after_apply_records_the_commands(tmp_path: Path) -> None:
    before = run_cli("--actor", "intake desk", "apply", "-", cwd=tmp_path, stdin=lines(APPLIED))
    after = run_cli("apply", "-", "--actor", "caseworker 7", cwd=tmp_path, stdin=lines(DETERMINED))
    assert recorded_by(before) == [{"intake desk"}]
    assert recorded_by(after) == [{"caseworker 7"}]


def test_ledger_actor_records_when_no_option_is_given_and_the_option_wins(tmp_path: Path) -> None:
    from_env = run_cli("apply", "-", cwd=tmp_path, stdin=lines(APPLIED), actor_env="batch job")
    option = run_cli(
        "apply",
        "-",
        "--actor",
        "caseworker 7",
        cwd=tmp_path,
        stdin=lines(DETERMINED),
        actor_env="batch job",
    )
    assert recorded_by(from_env) == [{"batch job"}]
    assert recorded_by(option) == [{"caseworker 7"}]


def test_without_option_or_environment_the_operating_system_user_records(tmp_path: Path) -> None:
    result = run_cli("apply", "-", cwd=tmp_path, stdin=lines(APPLIED, DETERMINED))
    assert recorded_by(result) == [{getpass.getuser()}, {getpass.getuser()}]


@pytest.mark.parametrize(
    ("args", "actor_env"),
    [
        (["--actor", ""], None),
        (["--actor", "new\nline"], None),
        (["--actor", "x" * 101], None),
        ([], "tab\there"),
        ([], " padded"),
    ],
    ids=["empty option", "newline", "too long", "control in LEDGER_ACTOR", "padded LEDGER_ACTOR"],
)
def test_an_unfit_actor_is_invalid_field_exit_two_and_creates_no_store(
    tmp_path: Path, args: list[str], actor_env: str | None
) -> None:
    result = run_cli("apply", "-", *args, cwd=tmp_path, stdin=lines(APPLIED), actor_env=actor_env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert json.loads(result.stdout)["error"]["code"] == "invalid_field"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ledger.db").exists()


def test_timeline_and_hearing_show_who_recorded_each_event_as_json_and_tables(
    tmp_path: Path,
) -> None:
    answers = [
        json.loads(line)
        for command, actor in ((APPLIED, "intake desk"), (DETERMINED, "caseworker 7"))
        for line in run_cli(
            "apply", "-", "--actor", actor, cwd=tmp_path, stdin=lines(command)
        ).stdout.splitlines()
    ]
    determination = next(e for e in answers[1]["events"] if e["type"] == "EligibilityDetermined")
    appeal = {
        "command": "file_appeal",
        "on": "2026-01-20",
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": determination["id"],
        "grounds": "my income was counted twice",
    }
    filed = run_cli("apply", "-", "--actor", "appeals clerk", cwd=tmp_path, stdin=lines(appeal))
    assert recorded_by(filed) == [{"appeals clerk"}]
    answers.append(json.loads(filed.stdout))

    timeline = json.loads(run_cli("timeline", "H1", "--json", cwd=tmp_path).stdout)
    shown = {e["id"]: e["recorded_by"] for e in timeline["events"]}
    assert shown == {e["id"]: e["recorded_by"] for a in answers for e in a["events"]}
    table = run_cli("timeline", "H1", cwd=tmp_path).stdout
    assert "recorded" in header_of(table) and header_of(table).split()[-1] == "by"
    # a name may wrap in its column ("intake" over "desk"): one row each
    assert table.count("intake") == len(answers[0]["events"])
    assert table.count("caseworker") == len(answers[1]["events"])

    packet = json.loads(run_cli("hearing", "A1", "--json", cwd=tmp_path).stdout)
    assert packet["appealed_event"]["recorded_by"] == "caseworker 7"
    assert {e["recorded_by"] for e in packet["appeal"]["events"]} == {"appeals clerk"}
    readable = run_cli("hearing", "A1", cwd=tmp_path).stdout
    assert "recorded by caseworker 7" in readable
    assert {"clerk", "intake", "desk"} <= set(readable.split())  # names wrap in their column


def test_a_timeline_recorded_by_one_actor_names_it_once_under_the_table(tmp_path: Path) -> None:
    """One actor for every event: the table has no column for it (it keeps 100 columns for the
    rest) and its caption names who recorded them."""
    applied = run_cli("apply", "-", "--actor", "intake desk", cwd=tmp_path, stdin=lines(APPLIED))
    assert recorded_by(applied) == [{"intake desk"}]
    table = run_cli("timeline", "H1", cwd=tmp_path).stdout
    assert "recorded" not in header_of(table)
    assert table.count("intake desk") == 1
    assert table.rstrip().splitlines()[-1].strip() == "recorded by intake desk"


def test_an_employers_timeline_shows_who_recorded_each_of_its_events(tmp_path: Path) -> None:
    """An employer's timeline (12.04(4), 12.11) says who recorded each event, as a household's
    does: the employer's own events and its group enrollment's."""
    from ..group_scenarios import determine, employer_application, select_group

    applied = run_cli(
        "--actor", "employer desk", "apply", "-", cwd=tmp_path, stdin=lines(employer_application())
    )
    decided = run_cli(
        "--actor",
        "small group unit",
        "apply",
        "-",
        cwd=tmp_path,
        stdin=lines(determine(), select_group()),
    )
    assert recorded_by(applied) == [{"employer desk"}]
    assert recorded_by(decided) == [{"small group unit"}, {"small group unit"}]
    timeline = run_cli("timeline", "ACME", "--json", cwd=tmp_path)
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    actors = {e["recorded_by"] for e in json.loads(timeline.stdout)["events"]}
    assert actors == {"employer desk", "small group unit"}


def test_an_employers_hearing_packet_names_who_recorded_the_appealed_action_and_the_appeal(
    tmp_path: Path,
) -> None:
    """The employer's packet, as a household's: the appealed determination, the facts before it,
    the appeal's own events and the timeline each name who recorded them."""
    from ..group_scenarios import determine, employer_application

    failed = employer_application(participation_rate="0.50")
    decided = run_cli(
        "--actor", "small group unit", "apply", "-", cwd=tmp_path, stdin=lines(failed, determine())
    )
    (determined,) = [
        e
        for line in decided.stdout.splitlines()
        for e in json.loads(line)["events"]
        if e["type"] == "EmployerEligibilityDetermined"
    ]
    appeal = {
        "command": "file_appeal",
        "on": "2026-03-01",
        "appeal_id": "AP-1",
        "employer_id": "ACME",
        "appealed_event_id": determined["id"],
        "grounds": "we are eligible",
    }
    filed = run_cli("--actor", "appeals unit", "apply", "-", cwd=tmp_path, stdin=lines(appeal))
    assert filed.returncode == 0, filed.stdout + filed.stderr
    hearing = run_cli("hearing", "AP-1", "--json", cwd=tmp_path)
    assert hearing.returncode == 0, hearing.stdout + hearing.stderr
    packet = json.loads(hearing.stdout)
    assert packet["appealed_event"]["recorded_by"] == "small group unit"
    assert {e["recorded_by"] for e in packet["facts_known"]} == {"small group unit"}
    assert {e["recorded_by"] for e in packet["appeal"]["events"]} == {"appeals unit"}
    assert {e["recorded_by"] for e in packet["timeline"]} == {"small group unit", "appeals unit"}
    text = run_cli("hearing", "AP-1", cwd=tmp_path)
    assert "recorded by small group unit" in " ".join(text.stdout.replace("│", " ").split())
