"""The hearing and timeline pages rendered from a real store (in process): what a household
wrote is shown as text, never as markup; an appeal of an action the what-if cannot recompute is
refused; a household without an enrollment has a page with no chart."""

from __future__ import annotations

import pytest
from enrollment_ledger.adapters.pages import hearing_page, timeline_page, what_if_answer
from enrollment_ledger.domain.errors import LedgerError
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply
from ..scenarios import household_commands

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def appeal_of_the_determination(apply: Apply, grounds: str = "income counted twice") -> str:
    answers = [apply(c) for c in household_commands()]
    appealed = next(e["id"] for e in answers[1]["events"] if e["type"] == "EligibilityDetermined")
    filed = apply(
        command="file_appeal",
        on="2026-01-20",
        appeal_id="A1",
        household_id="H1",
        appealed_event_id=appealed,
        grounds=grounds,
    )
    assert filed["ok"], filed
    return appealed


def test_grounds_written_as_markup_are_shown_as_text(ledger: Ledger, apply: Apply) -> None:
    appeal_of_the_determination(apply, HOSTILE)
    page = hearing_page(ledger, "A1")
    assert "<script>" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;" in page


def test_a_household_without_an_enrollment_has_a_page_and_no_chart(
    ledger: Ledger, apply: Apply
) -> None:
    appeal_of_the_determination(apply)
    assert "No enrollment." in timeline_page(ledger, "H1")
    page = hearing_page(ledger, "A1")
    assert "No enrollment." in page and "plan type 3B" in page


def test_a_what_if_of_an_appeal_of_anything_but_a_determination_is_invalid_state(
    ledger: Ledger, apply: Apply
) -> None:
    answers = [apply(c) for c in household_commands()]
    period = next(
        e["id"] for e in answers[1]["events"] if e["type"] == "SpecialEnrollmentPeriodOpened"
    )
    filed = apply(
        command="file_appeal",
        on="2026-01-20",
        appeal_id="A2",
        household_id="H1",
        appealed_event_id=period,
        grounds="the period is too short",
    )
    assert filed["ok"], filed
    with pytest.raises(LedgerError) as refused:
        what_if_answer(ledger, "A2", {"annual_magi": "1.00"})
    assert refused.value.code == "invalid_state"
    assert "SpecialEnrollmentPeriodOpened" in hearing_page(ledger, "A2")


def test_an_unknown_appeal_has_no_page(ledger: Ledger, apply: Apply) -> None:
    appeal_of_the_determination(apply)
    with pytest.raises(LedgerError) as refused:
        hearing_page(ledger, "A-NONE")
    assert refused.value.code == "unknown_appeal"
