"""Issue 17's eligibility sections through `enrollment-ledger apply` as a user runs it (a real
process, a real SQLite file): incarceration pending disposition (12.04(1)(b)), catastrophic plans
(12.04(1)), a death and the estate's continuation of an appeal (12.15(2)(d)); and `schema` lists
the new commands and events. The loss of eligibility and the premium change are walked through
in `examples/loss-of-eligibility.jsonl` (tests/e2e/test_examples.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..conftest import application, member
from .test_cli_apply import run_cli


def apply_lines(tmp_path: Path, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    stdin = "".join(json.dumps(command) + "\n" for command in commands)
    result = run_cli("apply", "-", cwd=tmp_path, stdin=stdin)
    assert "Traceback" not in result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def determine(on: str = "2026-01-05") -> dict[str, Any]:
    return {"command": "determine_eligibility", "on": on, "household_id": "H1"}


def types(answer: dict[str, Any]) -> list[str]:
    assert answer["ok"], answer
    return [event["type"] for event in answer["events"]]


def test_incarceration_pending_disposition_is_eligible_and_contradictions_are_refused(
    tmp_path: Path,
) -> None:
    pending = member("M1", incarceration="pending_disposition")
    del pending["incarcerated"]
    contradictory = member("M1", incarcerated=True, incarceration="pending_disposition")
    neither = member("M1")
    del neither["incarcerated"]
    answers = apply_lines(
        tmp_path,
        application(members=[contradictory]),
        application(members=[neither]),
        application(members=[pending]),
        determine(),
    )
    assert answers[0]["error"]["code"] == "invalid_field"
    assert answers[1]["error"]["code"] == "missing_field"
    submitted = answers[2]["events"][-1]["data"]["members"][0]
    assert (submitted["incarceration"], submitted["incarcerated"]) == ("pending_disposition", False)
    (result,) = answers[3]["events"][0]["data"]["members"]
    assert result["program"] == "connectorcare"


def test_a_catastrophic_plan_is_refused_over_30_and_chosen_under_30_or_exempt(
    tmp_path: Path,
) -> None:
    """Plan year 2026: born 1 January 1996 is 30 on 1 January 2026, not before it."""
    members = [
        member("YOUNG", birth_date="1996-01-01"),
        member("OLDER", birth_date="1995-12-31"),
        member("EXEMPT", birth_date="1970-05-01", catastrophic_exemption=True),
    ]

    def catastrophic(enrollment_id: str, member_ids: list[str]) -> dict[str, Any]:
        return {
            "command": "select_plan",
            "on": "2026-01-10",
            "enrollment_id": enrollment_id,
            "household_id": "H1",
            "member_ids": member_ids,
            "plan_id": "CATASTROPHIC-1",
            "coverage": "health",
            "monthly_premium": "120.00",
            "metal_level": "catastrophic",
        }

    answers = apply_lines(
        tmp_path,
        application(on="2026-01-02", size=3, magi="90000.00", members=members),
        determine(),
        catastrophic("E-BOTH", ["YOUNG", "OLDER"]),
        catastrophic("E-YOUNG", ["YOUNG", "EXEMPT"]),
        {**catastrophic("E-DENTAL", ["YOUNG"]), "coverage": "dental"},
    )
    refused = answers[2]["error"]
    assert refused["code"] == "not_eligible"
    assert "'OLDER'" in refused["message"] and "956 CMR 12.04(1)" in refused["message"]
    assert "'YOUNG'" not in refused["message"]
    selected = [e for e in answers[3]["events"] if e["type"] == "PlanSelected"]
    assert selected[0]["data"]["metal_level"] == "catastrophic"
    assert answers[4]["error"]["code"] == "invalid_field"


def test_a_death_dismisses_the_appeal_and_the_estate_continues_it(tmp_path: Path) -> None:
    first = apply_lines(tmp_path, application(on="2026-01-02"), determine())
    determination = first[1]["events"][0]
    answers = apply_lines(
        tmp_path,
        {
            "command": "file_appeal",
            "on": "2026-01-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": determination["id"],
            "grounds": "income was lower",
        },
        {
            "command": "record_death",
            "on": "2026-02-03",
            "household_id": "H1",
            "member_id": "M1",
            "died_on": "2026-02-01",
        },
        {
            "command": "continue_appeal",
            "on": "2026-02-10",
            "appeal_id": "A1",
            "representative_name": "Ana Example, administrator of the estate",
        },
    )
    assert types(answers[1]) == ["DeathRecorded", "AppealDismissed"]
    assert answers[1]["events"][1]["citation"] == "956 CMR 12.15(2)(d)"
    assert types(answers[2]) == ["AppealContinued"]


def test_schema_lists_the_new_commands_events_and_names(tmp_path: Path) -> None:
    result = run_cli("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    for command in ("change_premium", "record_death", "continue_appeal"):
        assert command in schema["commands"]
    for event in ("MemberCoverageEnded", "PremiumChanged", "DeathRecorded", "AppealContinued"):
        assert event in schema["events"]
    select = schema["commands"]["select_plan"]["properties"]["metal_level"]
    assert ["bronze", "silver", "gold", "platinum", "catastrophic"] in [
        option.get("enum") for option in select["anyOf"]
    ]
    members = schema["commands"]["submit_application"]["$defs"]["Member"]
    assert "incarcerated" not in members["required"]
    assert ["none", "pending_disposition", "serving"] in [
        option.get("enum") for option in members["properties"]["incarceration"]["anyOf"]
    ]
