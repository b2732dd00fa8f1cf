"""A command dated before the record it names was opened is impossible: refused `invalid_date`,
recording nothing (contract, second edition). A late-entered fact about a record that changes
another one opened since is still taken. And a store holding such an event (written before the
refusal existed) answers a query dated before the opening as "unknown at that point in time",
never with an internal error."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.errors import LedgerError
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events
from ..group_scenarios import determine, employer_application, enroll, select_group
from ..scenarios import by_type, household_commands, pay, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def refused_before_opening(apply: Apply, ledger: Ledger, command: dict[str, Any]) -> None:
    before = count_events(ledger)
    answer = apply(command)
    assert answer["ok"] is False, answer
    assert answer["error"]["code"] == "invalid_date"
    assert "before the record it names was opened" in answer["error"]["message"]
    assert count_events(ledger) == before


@pytest.mark.parametrize(
    ("command", "allowed_on"),
    [
        ({"command": "request_termination", "on": "2026-01-09", "enrollment_id": "E1"}, "2026-01-10"),
        (pay("2026-01-09", "150.00", "early"), "2026-01-10"),
    ],
)  # fmt: skip
def test_an_individual_enrollment_s_commands_dated_before_its_selection_are_refused(
    apply: Apply, ledger: Ledger, command: dict[str, Any], allowed_on: str
) -> None:
    """Selected on 10 January: a day earlier, it did not exist; on the day, it did."""
    run(apply, *household_commands(), select())
    refused_before_opening(apply, ledger, command)
    run(apply, {**command, "on": allowed_on})


def test_a_group_s_employee_enrolled_before_the_group_plan_was_selected_is_refused(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, employer_application(), determine(), select_group(on="2026-02-05"))
    refused_before_opening(apply, ledger, enroll("EMP-1", "500.00", on="2026-02-04"))
    run(apply, enroll("EMP-1", "500.00", on="2026-02-05"))


def test_an_employer_determined_before_its_application_is_refused(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, employer_application(on="2026-02-02"))
    refused_before_opening(apply, ledger, determine(on="2026-02-01"))
    run(apply, determine(on="2026-02-02"))


def test_an_application_dated_before_the_household_s_first_is_an_earlier_fact_not_refused(
    apply: Apply,
) -> None:
    run(apply, *household_commands(applied_on="2026-01-02"))
    (first,) = household_commands(applied_on="2026-01-02")[:1]
    run(apply, {**first, "on": "2026-01-01"})


def test_a_late_entered_change_ends_an_enrollment_opened_after_its_date(
    apply: Apply, ledger: Ledger
) -> None:
    """The change (names only the household) happened on 8 January and is entered after the
    plan selected on the 10th: its decision reaches the enrollment, dated as decided."""
    run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
    change = {
        "command": "report_change",
        "on": "2026-01-08",
        "household_id": "H1",
        "members": [{"member_id": "M1", "lawfully_present": False}],
    }
    answers = run(apply, change)
    ended = by_type(answers, "MemberCoverageEnded") + by_type(answers, "EnrollmentCancelled")
    assert ended, answers


def test_a_query_dated_before_a_record_s_opening_is_unknown_then_even_with_an_earlier_event(
    apply: Apply, ledger: Ledger
) -> None:
    """An event dated before the enrollment's selection, saved as a store written before the
    refusal could hold one: the enrollment did not exist on that date."""
    run(apply, *household_commands(), select())
    enrollment = ledger.enrollment("E1")
    with recording_at(datetime(2026, 1, 11, tzinfo=UTC)):
        enrollment.request_termination(date(2026, 1, 9), ledger.policy.in_force(date(2026, 1, 9)))
    ledger.save(enrollment)
    with pytest.raises(LedgerError) as unknown:
        queries.coverage(ledger, "E1", as_of=date(2026, 1, 9))
    assert unknown.value.code == "unknown_enrollment"
    assert queries.coverage(ledger, "E1", as_of=date(2026, 1, 10))["enrollment_id"] == "E1"
