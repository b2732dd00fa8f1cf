"""Impossible input is refused with a code and records nothing (issue 15): a business date after
the day of recording (`future_date`), dates that lie in a command's past after its `on`, a plan
year without policy parameters, duplicate JSON keys, money that is not a decimal string, and the
grounds of a hardship waiver request given as a list."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from enrollment_ledger.adapters.record_day import RECORD_ZONE, SIMULATED_TODAY_ENV
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, application, count_events, event_types, member, only
from ..scenarios import household_commands, pay, schedule, select


def today_in_new_york() -> date:
    return datetime.now(RECORD_ZONE).date()


def an_application(on: date, household_id: str = "H1") -> dict[str, Any]:
    """An application any day up to the end of 2027 may bring (plan year 2027 has policy
    parameters, and has not ended)."""
    return application(household_id, on=on.isoformat(), plan_year=2027)


# ---- future_date ------------------------------------------------------------------------------


def test_by_the_wall_clock_a_command_dated_tomorrow_is_refused_and_today_accepted(
    apply: Apply, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIMULATED_TODAY_ENV)
    today = today_in_new_york()
    refused = apply(an_application(today + timedelta(days=1)))
    assert refused["ok"] is False
    assert refused["error"]["code"] == "future_date"
    assert count_events(ledger) == 0
    assert apply(an_application(today))["ok"]


def test_by_the_simulated_today_a_command_dated_the_next_day_is_refused_and_that_day_accepted(
    apply: Apply, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIMULATED_TODAY_ENV, "2026-12-15")
    refused = apply(an_application(date(2026, 12, 16)))
    assert refused["error"]["code"] == "future_date"
    assert "2026-12-15" in refused["error"]["message"]
    assert count_events(ledger) == 0
    accepted = apply(an_application(date(2026, 12, 15)))
    assert accepted["ok"]


def test_the_simulated_today_leaves_the_record_instant_real(
    apply: Apply, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIMULATED_TODAY_ENV, "2027-06-30")
    before = datetime.now(UTC)
    answer = apply(an_application(date(2027, 6, 30)))
    after = datetime.now(UTC)
    assert answer["ok"], answer
    for event in answer["events"]:
        assert before <= datetime.fromisoformat(event["recorded_at"]) <= after


def test_a_payment_dated_in_2099_is_refused_and_decides_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    """The case seen: it recorded eleven decisions, a CoverageTerminated among them."""
    for command in [*household_commands(), select(), pay("2026-01-20", "150.00", "b")]:
        assert apply(command)["ok"]
    before = count_events(ledger)
    answer = apply(pay("2099-01-01", "150.00", "far"))
    assert answer["error"]["code"] == "future_date"
    assert count_events(ledger) == before


@pytest.mark.parametrize("value", ["2027-02-30", "soon", "2027-1-1"])
def test_an_invalid_simulated_today_is_a_coded_error_and_records_nothing(
    apply: Apply, ledger: Ledger, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(SIMULATED_TODAY_ENV, value)
    answer = apply(an_application(date(2026, 1, 1)))
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid_simulated_today"
    assert SIMULATED_TODAY_ENV in answer["error"]["message"]
    assert count_events(ledger) == 0


def test_a_command_recorded_earlier_is_still_answered_when_its_date_is_ahead_of_today(
    apply: Apply, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeat records nothing: it is answered its first events, not checked again."""
    command = {**an_application(date(2027, 5, 1)), "command_id": "sim-1"}
    first = apply(command)
    assert first["ok"]
    monkeypatch.setenv(SIMULATED_TODAY_ENV, "2027-04-30")
    assert apply(command) == first
    other = {**an_application(date(2027, 5, 1), "H2"), "command_id": "sim-2"}
    assert apply(other)["error"]["code"] == "future_date"


# ---- dates in a command's past may not be after its `on` --------------------------------------


def test_a_member_born_after_the_application_is_refused(apply: Apply, ledger: Ledger) -> None:
    late = application(on="2025-12-01", members=[member(birth_date="2025-12-02")])
    answer = apply(late)
    assert answer["error"]["code"] == "invalid_field"
    assert "birth_date" in answer["error"]["message"]
    assert count_events(ledger) == 0
    born_that_day = application(on="2025-12-01", members=[member(birth_date="2025-12-01")])
    assert apply(born_that_day)["ok"]


def test_a_renewal_or_a_change_naming_a_member_born_after_it_is_refused(
    apply: Apply, ledger: Ledger
) -> None:
    assert apply(application())["ok"]
    before = count_events(ledger)
    renewal = {
        **application(on="2026-11-15", plan_year=2027, members=[member(birth_date="2026-11-16")]),
        "command": "submit_renewal",
    }
    assert apply(renewal)["error"]["code"] == "invalid_field"
    change = {
        "command": "report_change",
        "on": "2026-03-01",
        "household_id": "H1",
        "household_size": 2,
        "members": [member("K1", birth_date="2026-03-02")],
    }
    assert apply(change)["error"]["code"] == "invalid_field"
    assert count_events(ledger) == before
    newborn = {**change, "members": [member("K1", birth_date="2026-03-01")]}
    assert apply(newborn)["ok"]


def test_a_change_leaving_fewer_in_the_household_than_its_living_members_is_refused(
    apply: Apply, ledger: Ledger
) -> None:
    """12.06, 12.09(2): as on an application, the size counts every living member; after a
    member's death, the size may drop by one."""
    two = [member("M1"), member("M2", birth_date="2015-01-01")]
    assert apply(application(size=2, members=two))["ok"]
    before = count_events(ledger)
    change = {"command": "report_change", "on": "2026-03-05", "household_id": "H1"}
    answer = apply({**change, "household_size": 1})
    assert answer["error"]["code"] == "invalid_field"
    assert "living members (2)" in answer["error"]["message"]
    assert count_events(ledger) == before
    death = {
        "command": "record_death",
        "on": "2026-03-06",
        "household_id": "H1",
        "member_id": "M2",
        "died_on": "2026-03-01",
    }
    assert apply(death)["ok"], death
    assert apply({**change, "on": "2026-03-07", "household_size": 1})["ok"]


def test_hearing_findings_of_a_birth_after_the_decision_are_refused(apply: Apply) -> None:
    decision = {
        "command": "decide_appeal",
        "on": "2026-03-01",
        "appeal_id": "A1",
        "outcome": "reversed",
        "findings": {"members": [{"member_id": "M1", "birth_date": "2026-03-05"}]},
    }
    answer = apply(decision)
    assert answer["error"]["code"] == "invalid_field"
    assert "birth_date" in answer["error"]["message"]


def test_a_qualifying_event_after_the_day_it_is_reported_is_refused(
    apply: Apply, ledger: Ledger
) -> None:
    for command in household_commands():
        assert apply(command)["ok"]
    before = count_events(ledger)
    event = {
        "command": "report_qualifying_event",
        "on": "2026-04-01",
        "household_id": "H1",
        "kind": "marriage",
    }
    assert apply({**event, "event_on": "2026-04-02"})["error"]["code"] == "invalid_field"
    assert count_events(ledger) == before
    assert apply({**event, "event_on": "2026-04-01"})["ok"]


def test_a_notice_received_after_the_appeal_of_it_is_refused(apply: Apply, ledger: Ledger) -> None:
    answers = [apply(c) for c in household_commands()]
    determination = only(answers[1], "EligibilityDetermined")
    before = count_events(ledger)
    appeal = {
        "command": "file_appeal",
        "on": "2026-01-20",
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": determination["id"],
        "grounds": "income counted twice",
    }
    answer = apply({**appeal, "notice_received_on": "2026-01-21"})
    assert answer["error"]["code"] == "invalid_field"
    assert "notice_received_on" in answer["error"]["message"]
    assert count_events(ledger) == before
    assert apply({**appeal, "notice_received_on": "2026-01-20"})["ok"]


def test_the_schedule_runs_through_the_day_it_is_run_at_most(apply: Apply, ledger: Ledger) -> None:
    for command in [*household_commands(), select(), pay("2026-01-20", "150.00", "b")]:
        assert apply(command)["ok"]
    before = count_events(ledger)
    ahead = {"command": "run_schedule", "on": "2026-02-01", "through": "2026-03-31"}
    answer = apply(ahead)
    assert answer["error"]["code"] == "invalid_field"
    assert "through" in answer["error"]["message"]
    assert count_events(ledger) == before
    assert apply(schedule("2026-03-31"))["ok"]
    behind = {"command": "run_schedule", "on": "2026-04-10", "through": "2026-04-05"}
    assert apply(behind)["ok"]


def test_dates_ahead_by_their_nature_are_accepted(apply: Apply) -> None:
    """A plan year ahead (an application in open enrollment) and a waiver's first month ahead
    are what they are for."""
    assert apply(application(on="2025-11-03", plan_year=2026))["ok"]
    for command in [
        *household_commands("H2", magi="40000.00"),
        select("E2", household_id="H2", premium="200.00"),
        pay("2026-01-20", "200.00", "b2", "E2"),
    ]:
        assert apply(command)["ok"], command
    request = {
        "command": "request_hardship_waiver",
        "on": "2026-03-01",
        "household_id": "H2",
        "enrollment_id": "E2",
        "grounds": "utility_shutoff",
    }
    assert apply(request)["ok"]
    decision = {
        "command": "decide_hardship_waiver",
        "on": "2026-03-05",
        "enrollment_id": "E2",
        "decision": "granted",
        "first_month": "2026-05",
        "months": 2,
    }
    assert "HardshipWaiverDecided" in event_types(apply(decision))


# ---- a plan year without policy parameters ----------------------------------------------------


def test_a_plan_year_without_a_federal_poverty_level_is_refused_at_submission(
    apply: Apply, ledger: Ledger
) -> None:
    answer = apply(application(on="2026-11-02", plan_year=2028))
    assert answer["error"]["code"] == "no_policy_parameters"
    assert "Federal Poverty Level" in answer["error"]["message"]
    assert count_events(ledger) == 0


# ---- JSON and money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        '{"command": "submit_application", "command": "determine_eligibility", "on": "2025-12-01",'
        ' "household_id": "H1"}',
        json.dumps(application())[:-1] + ', "annual_magi": "1.00"}',
        json.dumps(application()).replace(
            '"birth_date": "1980-01-01"', '"birth_date": "1980-01-01", "birth_date": "2020-01-01"'
        ),
    ],
    ids=["top level", "a second value", "inside a member"],
)
def test_a_duplicate_key_at_any_depth_is_invalid_json(
    apply: Apply, ledger: Ledger, raw: str
) -> None:
    answer = apply(raw)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid_json"
    assert "twice" in answer["error"]["message"]
    assert count_events(ledger) == 0


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(application(command_id="x")).replace('"x"', '"x\\udfff"'),
        json.dumps(application()).replace('"household_id"', '"\\ud800household_id"'),
        json.dumps(application()).replace('"M1"', '"M\\udc00"'),
        json.dumps({**application(), "notes": ["ok", ["\\ud83d"]]}).replace("\\\\", "\\"),
    ],
    ids=["a value", "a key", "inside a member", "inside nested arrays"],
)
def test_a_lone_surrogate_escape_at_any_depth_is_invalid_json(
    apply: Apply, ledger: Ledger, raw: str
) -> None:
    """JSON can escape half of a surrogate pair (\\ud800): not Unicode text, which could be
    neither stored nor printed back as UTF-8; the line is refused, and the next one answered."""
    assert "\\ud" in raw  # the escape is in the text sent
    answer = apply(raw)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid_json"
    assert "surrogate" in answer["error"]["message"]
    assert count_events(ledger) == 0
    assert apply(application())["ok"]


def test_an_escaped_surrogate_pair_is_text_and_accepted(apply: Apply) -> None:
    raw = json.dumps({**application(), "household_id": "H\U0001f600"}, ensure_ascii=True)
    assert "\\ud83d\\ude00" in raw  # the pair, escaped
    answer = apply(raw)
    assert answer["ok"], answer
    assert answer["events"][0]["data"]["household_id"] == "H\U0001f600"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (None, "missing_field"),
        (5, "invalid_field"),
        (["a"], "invalid_field"),
        ("x", "unknown_command"),
    ],
)
def test_a_command_s_name_missing_not_a_string_or_unknown_is_told_apart(
    apply: Apply, ledger: Ledger, command: Any, code: str
) -> None:
    answer = apply({**application(), "command": command})
    assert answer["error"]["code"] == code
    assert count_events(ledger) == 0


@pytest.mark.parametrize("amount", [30000, 30000.5, 3e4, True, "30000.001", "1e4", " 30000"])
def test_money_that_is_not_a_decimal_string_with_two_places_at_most_is_invalid_field(
    apply: Apply, ledger: Ledger, amount: Any
) -> None:
    answer = apply(application(magi=amount))
    assert answer["error"]["code"] == "invalid_field"
    assert "annual_magi" in answer["error"]["message"]
    assert count_events(ledger) == 0


@pytest.mark.parametrize("amount", ["30000", "30000.5", "30000.50"])
def test_money_as_a_decimal_string_is_accepted(apply: Apply, amount: str) -> None:
    answer = apply(application(magi=amount))
    assert only(answer, "ApplicationSubmitted")["data"]["annual_magi"] == (f"{float(amount):.2f}")


# ---- grounds of a hardship waiver request ----------------------------------------------------


def waiver_request(grounds: Any) -> dict[str, Any]:
    return {
        "command": "request_hardship_waiver",
        "on": "2026-03-01",
        "household_id": "H1",
        "enrollment_id": "E1",
        "grounds": grounds,
    }


@pytest.fixture
def connectorcare(apply: Apply) -> None:
    for command in [
        *household_commands(),
        select(premium="200.00"),
        pay("2026-01-20", "200.00", "b"),
    ]:
        assert apply(command)["ok"]


@pytest.mark.usefixtures("connectorcare")
def test_a_request_may_state_several_grounds_each_with_its_clause(apply: Apply) -> None:
    answer = apply(waiver_request(["utility_shutoff", "bankruptcy", "homeless"]))
    requested = only(answer, "HardshipWaiverRequested")
    assert requested["data"]["grounds"] == ["utility_shutoff", "bankruptcy", "homeless"]
    assert requested["data"]["grounds_clauses"] == [
        "956 CMR 12.12(7)(a)2",
        "956 CMR 12.12(7)(a)4",
        "956 CMR 12.12(7)(a)1",
    ]
    assert requested["citation"] == (
        "956 CMR 12.12(7)(a)2; 956 CMR 12.12(7)(a)4; 956 CMR 12.12(7)(a)1"
    )


@pytest.mark.usefixtures("connectorcare")
def test_one_grounds_code_is_a_list_of_one(apply: Apply) -> None:
    requested = only(apply(waiver_request("homeless")), "HardshipWaiverRequested")
    assert requested["data"]["grounds"] == ["homeless"]
    assert requested["citation"] == "956 CMR 12.12(7)(a)1"


@pytest.mark.usefixtures("connectorcare")
@pytest.mark.parametrize(
    "grounds",
    [[], ["homeless", "homeless"], ["homeless", "bad_luck"], [1], "", None],
    ids=["none", "twice", "unknown", "not a code", "empty", "null"],
)
def test_grounds_that_are_empty_repeated_or_unknown_are_refused(
    apply: Apply, ledger: Ledger, grounds: Any
) -> None:
    before = count_events(ledger)
    answer = apply(waiver_request(grounds))
    assert answer["error"]["code"] == "invalid_field"
    assert count_events(ledger) == before


@pytest.mark.parametrize(
    ("field", "blank"), [("reference", "   "), ("reference", "\t"), ("household_id", " ")]
)
def test_a_blank_id_or_payment_reference_is_refused(
    apply: Apply, ledger: Ledger, field: str, blank: str
) -> None:
    """An id or a reference of white space names nothing anyone could tell apart."""
    commands = {"reference": pay("2026-01-20", "150.00", "R1"), "household_id": application()}
    before = count_events(ledger)
    answer = apply({**commands[field], field: blank})
    assert answer["error"] == {
        "code": "invalid_field",
        "message": f"invalid field {field!r}: must not be blank",
    }
    assert count_events(ledger) == before
    again = apply({**commands[field], field: f" {field}-1 "})  # text around it: not blank
    assert again["ok"] or again["error"]["code"] != "invalid_field", again
