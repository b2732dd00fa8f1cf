"""An employer's determination decided again for its hearing (`domain.employer_hearing`), from the
employer's own events, with no store: the same facts give the same answer; a recorded answer the
facts do not support is listed field by field; a grown employer is kept eligible past 50 only when
its group's coverage year was in force then (12.04(4)(b)): here, with none in force."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from enrollment_ledger.domain.employer import Employer
from enrollment_ledger.domain.employer_hearing import recompute_employer
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.policy import POLICY_V1

from ..group_scenarios import employer_application

APPLIED = date(2026, 2, 2)
DECIDED = date(2026, 2, 3)


def facts(**changes: Any) -> dict[str, Any]:
    """The application's facts, as the scenarios' employer gives them (an employer of 12)."""
    command = employer_application(**changes)
    return {
        "roster": [],
        **{k: v for k, v in command.items() if k not in ("command", "on", "employer_id")},
    }


def decided(**changes: Any) -> tuple[list[Any], Any]:
    """The employer's events before its determination, and the determination recorded."""
    with recording_at(datetime(2026, 2, 3, tzinfo=UTC)):
        employer = Employer.open("ACME", APPLIED)
        employer.submit_application(APPLIED, facts(**changes))
        prior = list(employer.collect_events())
        employer.determine_eligibility(DECIDED, POLICY_V1, None)
        (determination,) = employer.collect_events()
    return prior, determination


class RecordedOtherwise:
    """A determination as recorded, with some of its fields said otherwise."""

    def __init__(self, recorded: Any, **otherwise: Any) -> None:
        self._recorded = recorded
        self._otherwise = otherwise

    def __getattr__(self, name: str) -> Any:
        return self._otherwise.get(name, getattr(self._recorded, name))


def test_the_same_facts_and_policy_give_the_answer_recorded() -> None:
    prior, determination = decided(actively_engaged=False)
    again = recompute_employer(prior, [], determination, POLICY_V1)
    assert again.matches and again.differences == []
    assert again.decision["eligible"] is False
    assert again.policy_version == POLICY_V1.version


def test_an_answer_the_facts_do_not_support_is_listed_field_by_field() -> None:
    prior, determination = decided(actively_engaged=False)
    recorded = RecordedOtherwise(determination, eligible=True, failed_conditions=[])
    again = recompute_employer(prior, [], recorded, POLICY_V1)
    assert not again.matches
    assert [d["field"] for d in again.differences] == ["eligible", "failed_conditions"]
    assert again.differences[0] == {"field": "eligible", "recorded": True, "recomputed": False}


def test_an_employer_of_51_without_a_coverage_year_in_force_is_not_small() -> None:
    prior, determination = decided(employee_count=51)
    again = recompute_employer(prior, [], determination, POLICY_V1)
    assert again.decision["eligible"] is False
    assert again.decision["retained_past_50"] is False
