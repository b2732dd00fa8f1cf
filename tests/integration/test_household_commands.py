"""Household commands through the ledger's command path into a real SQLite store
(12.04, 12.06, 12.08, 12.09(2), 12.10(1)(b)-(c)), errors, atomicity and idempotency."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.domain.parameters import PolicyBook
from enrollment_ledger.domain.policy import POLICY_V1

from ..conftest import Apply, application, count_events, event_types, member, only


def determination(apply: Apply, on: str, household_id: str = "H1") -> dict:  # type: ignore[type-arg]
    answer = apply(command="determine_eligibility", on=on, household_id=household_id)
    return only(answer, "EligibilityDetermined")


def test_application_is_recorded_as_received(apply: Apply) -> None:
    """12.06: the application, as received."""
    answer = apply(application(magi="30000.00"))
    assert event_types(answer) == ["HouseholdOpened", "ApplicationSubmitted"]
    submitted = only(answer, "ApplicationSubmitted")
    assert submitted["data"]["annual_magi"] == "30000.00"
    assert submitted["citation"] == "956 CMR 12.06"


def test_determination_names_program_plan_type_fpl_and_effective_date(apply: Apply) -> None:
    """12.04(3)(b) and 12.08(1): 30,000 for one person is 191.69% FPL -> plan type 2B."""
    apply(application(magi="30000.00"))
    event = determination(apply, "2025-12-10")
    (result,) = event["data"]["members"]
    assert result["program"] == "connectorcare"
    assert result["plan_type"] == "2B"
    assert result["fpl_percent"] == "191.69"
    assert result["effective_on"] == "2026-01-01"
    assert event["citation"] == "956 CMR 12.04"
    assert event["policy_version"] == "2026.1"


def test_a_first_connectorcare_determination_opens_a_special_enrollment_period(
    apply: Apply,
) -> None:
    """12.10(1)(b): newly eligible for ConnectorCare -> 60 days from the notice."""
    apply(application())
    answer = apply(command="determine_eligibility", on="2026-03-10", household_id="H1")
    sep = only(answer, "SpecialEnrollmentPeriodOpened")
    assert sep["citation"] == "956 CMR 12.10(1)(b)"
    assert sep["data"]["end_on"] == "2026-05-09"


def test_a_change_after_the_cutoff_takes_effect_a_month_later(apply: Apply) -> None:
    """12.09(2) change, 12.08(2) effective date, 12.10(1)(c) plan-type-change SEP."""
    apply(application(magi="30000.00"))
    determination(apply, "2025-12-10")
    answer = apply(
        command="report_change", on="2026-03-16", household_id="H1", annual_magi="45000.00"
    )
    assert event_types(answer) == [
        "ChangeReported",
        "EligibilityDetermined",
        "SpecialEnrollmentPeriodOpened",
    ]
    (result,) = only(answer, "EligibilityDetermined")["data"]["members"]
    assert result["plan_type"] == "3B"
    assert result["effective_on"] == "2026-05-01"
    assert only(answer, "SpecialEnrollmentPeriodOpened")["citation"] == "956 CMR 12.10(1)(c)"


def test_a_change_on_the_cutoff_day_takes_effect_next_month(apply: Apply) -> None:
    apply(application(magi="30000.00"))
    determination(apply, "2025-12-10")
    answer = apply(
        command="report_change", on="2026-03-15", household_id="H1", annual_magi="45000.00"
    )
    (result,) = only(answer, "EligibilityDetermined")["data"]["members"]
    assert result["effective_on"] == "2026-04-01"


def test_losing_all_eligibility_takes_effect_next_month_even_after_the_cutoff(
    apply: Apply,
) -> None:
    """12.08(3)."""
    apply(application())
    determination(apply, "2025-12-10")
    answer = apply(
        command="report_change",
        on="2026-03-20",
        household_id="H1",
        members=[{"member_id": "M1", "incarcerated": True}],
    )
    (result,) = only(answer, "EligibilityDetermined")["data"]["members"]
    assert result["program"] == "ineligible"
    assert result["effective_on"] == "2026-04-01"


def test_the_household_of_a_resident_counts_as_resident(apply: Apply) -> None:
    """12.03 Resident(d) against 12.04(1)(c)."""
    apply(application(size=2, members=[member("M1"), member("M2", resident=False)]))
    results = determination(apply, "2025-12-10")["data"]["members"]
    assert {r["member_id"]: r["program"] for r in results} == {
        "M1": "connectorcare",
        "M2": "connectorcare",
    }


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("this is not json", "invalid_json"),
        ('["a list"]', "invalid_command"),
        ('{"command": "make_coffee", "on": "2026-01-01"}', "unknown_command"),
        ('{"command": "determine_eligibility", "on": "2026-01-01"}', "missing_field"),
        ('{"command": "determine_eligibility", "household_id": "H1"}', "missing_field"),
        (
            '{"command": "determine_eligibility", "on": "2026-02-30", "household_id": "H1"}',
            "invalid_date",
        ),
        (
            '{"command": "determine_eligibility", "on": "01/02/2026", "household_id": "H1"}',
            "invalid_date",
        ),
        (
            '{"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1", "x": 1}',
            "invalid_field",
        ),
        (
            '{"command": "determine_eligibility", "on": "2026-01-05", "household_id": "nobody"}',
            "unknown_household",
        ),
    ],
)
def test_every_error_code_answers_and_records_nothing(
    apply: Apply, ledger: Ledger, line: str, code: str
) -> None:
    apply(application())
    before = count_events(ledger)
    answer = apply(line)
    assert answer["ok"] is False
    assert answer["error"]["code"] == code
    assert answer["error"]["message"]
    assert count_events(ledger) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annual_magi", 30000.5),
        ("annual_magi", "30000.555"),
        ("annual_magi", "-1.00"),
        ("household_size", 0),
        ("plan_year", "2026"),
        ("members", []),
    ],
)
def test_invalid_application_fields_are_refused(
    apply: Apply, ledger: Ledger, field: str, value: object
) -> None:
    answer = apply(
        application(**{field: value}) if field != "annual_magi" else {**application(), field: value}
    )
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid_field"
    assert count_events(ledger) == 0


def test_an_application_for_a_plan_year_without_policy_parameters_is_refused_when_submitted(
    apply: Apply, ledger: Ledger
) -> None:
    """Issue 15: no FPL for plan year 2024 in the policy: refused at once, not accepted and then
    failed at every determination."""
    answer = apply(application(plan_year=2024, on="2023-12-01"))
    assert answer["error"]["code"] == "no_policy_parameters"
    assert "2024" in answer["error"]["message"]
    assert count_events(ledger) == 0
    assert apply(application(plan_year=2026, on="2025-12-01"))["ok"]


def test_a_renewal_for_a_plan_year_without_policy_parameters_is_refused_when_submitted(
    apply: Apply, ledger: Ledger
) -> None:
    apply(application())
    before = count_events(ledger)
    renewal = {**application(on="2026-11-15", plan_year=2028), "command": "submit_renewal"}
    answer = apply(renewal)
    assert answer["error"]["code"] == "no_policy_parameters"
    assert count_events(ledger) == before


def test_a_refused_change_records_neither_the_change_nor_a_determination(
    store_url: str,
) -> None:
    """Atomicity: the change and its redetermination are one command. A policy version adopted
    on 1 February 2026 without the 2026 FPL makes the redetermination fail."""
    lacking = replace(
        POLICY_V1,
        version="test.2",
        adopted_on=date(2026, 2, 1),
        fpl_by_plan_year={2027: POLICY_V1.fpl_by_plan_year[2027]},
    )
    ledger = build_ledger(store_url, policy=PolicyBook((POLICY_V1, lacking)))
    try:
        assert answer_line(ledger, json.dumps(application()).encode())["ok"]  # type: ignore[index]
        before = count_events(ledger)
        change = {"command": "report_change", "on": "2026-02-02", "household_id": "H1"}
        answer = answer_line(ledger, json.dumps({**change, "annual_magi": "1.00"}).encode())
        assert answer is not None and answer["error"]["code"] == "no_policy_parameters"
        assert count_events(ledger) == before
    finally:
        ledger.close()


def test_a_repeated_command_id_is_a_no_op_answering_the_first_events(
    apply: Apply, ledger: Ledger
) -> None:
    apply(application())
    first = apply(
        command="determine_eligibility", on="2025-12-10", household_id="H1", command_id="d-1"
    )
    count = count_events(ledger)
    again = apply(
        command="determine_eligibility", on="2025-12-10", household_id="H1", command_id="d-1"
    )
    assert again == first
    assert count_events(ledger) == count


def test_the_same_commands_give_the_same_events_in_a_fresh_store(tmp_path: object) -> None:
    from pathlib import Path

    from enrollment_ledger.adapters.bootstrap import build_ledger
    from enrollment_ledger.adapters.cli.apply import answer_line

    lines = [
        json.dumps(
            application(
                size=3,
                magi="52000.00",
                members=[member("A"), member("B"), member("C", incarcerated=True)],
            )
        ),
        json.dumps({"command": "determine_eligibility", "on": "2025-12-10", "household_id": "H1"}),
        json.dumps(
            {
                "command": "report_change",
                "on": "2026-02-20",
                "household_id": "H1",
                "annual_magi": "90000.00",
            }
        ),
    ]
    runs = []
    for name in ("one.db", "two.db"):
        ledger = build_ledger(f"sqlite:///{Path(str(tmp_path)) / name}")
        answers = [answer_line(ledger, line.encode()) for line in lines]
        ledger.close()
        for answer in answers:
            assert answer is not None
            for event in answer["events"]:
                event.pop("recorded_at")
        runs.append(answers)
    assert runs[0] == runs[1]


def test_a_member_added_by_a_change_needs_every_fact_of_an_application(
    apply: Apply, ledger: Ledger
) -> None:
    """12.06 facts for a new member (12.09(2): household composition changes)."""
    apply(application())
    before = count_events(ledger)
    answer = apply(
        command="report_change",
        on="2026-02-01",
        household_id="H1",
        household_size=2,
        members=[{"member_id": "NEW", "resident": True}],
    )
    assert answer["error"]["code"] == "missing_field"
    assert "aptc_eligible" in answer["error"]["message"]
    assert count_events(ledger) == before
    added = apply(
        command="report_change",
        on="2026-02-01",
        household_id="H1",
        household_size=2,
        members=[member("NEW")],
    )
    results = only(added, "EligibilityDetermined")["data"]["members"]
    assert {r["member_id"] for r in results} == {"M1", "NEW"}
