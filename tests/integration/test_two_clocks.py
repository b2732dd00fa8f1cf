"""Record time and business time (issue 6): `--known-at`, `--as-of`, and late-arriving facts
corrected by new decisions, never by rewriting (12.12(3), (5); 12.10(3))."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, event_types
from ..scenarios import by_type, household_commands, pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def instant_between() -> datetime:
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)
    return moment


def test_a_late_payment_rescinds_a_termination_and_both_beliefs_stay_visible(
    apply: Apply, ledger: Ledger
) -> None:
    """A payment received on 5 June (before the 9 June payment date) is entered on 2 July,
    after the termination decided on 10 June."""
    run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
    run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-06-30"))
    assert queries.coverage(ledger, "E1")["status"] == "terminated"
    before_correction = instant_between()

    # Everything due by 9 June: April, May, June (450.00).
    answer = apply(pay("2026-06-05", "450.00", "entered-late"))
    assert event_types(answer)[:2] == ["PaymentRecorded", "TerminationRescinded"]
    (rescinded,) = [e for e in answer["events"] if e["type"] == "TerminationRescinded"]
    assert rescinded["citation"] == "956 CMR 12.12(5)"
    assert rescinded["effective_on"] == "2026-06-10"
    # Binder, March, and the late 450.00 against everything due by 9 June (Feb-June).
    assert rescinded["data"]["paid_by_payment_date"] == "750.00"
    assert rescinded["data"]["owed_by_payment_date"] == "750.00"

    old = queries.coverage(ledger, "E1", known_at=before_correction)
    assert old["status"] == "terminated"
    assert old["spans"][0]["end_on"] == "2026-04-30"
    new = queries.coverage(ledger, "E1")
    assert new["spans"][0]["end_on"] is None
    # The hearing's two-clock question: on that instant, what did we believe of 30 April?
    assert (
        queries.coverage(ledger, "E1", as_of=date(2026, 4, 30), known_at=before_correction)[
            "status"
        ]
        == "delinquent"
    )
    # The store still holds the termination: nothing was rewritten.
    kinds = [e["type"] for e in queries.timeline(ledger, "H1")["events"]]
    assert "CoverageTerminated" in kinds and "TerminationRescinded" in kinds


def test_a_late_payment_after_the_payment_date_rescinds_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
    run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-06-30"))
    answer = apply(pay("2026-06-10", "450.00", "too-late"))
    assert "TerminationRescinded" not in event_types(answer)
    assert queries.coverage(ledger, "E1")["status"] == "terminated"


def test_a_binder_received_in_time_but_entered_late_undoes_the_cancellation(
    apply: Apply, ledger: Ledger
) -> None:
    """12.10(3): the binder was received on 22 January, entered after the cancellation."""
    answers = run(apply, *household_commands(), select(), schedule("2026-01-31"))
    assert by_type(answers, "EnrollmentCancelled")
    answer = apply(pay("2026-01-22", "150.00", "binder-late-entry"))
    assert event_types(answer)[:2] == ["PaymentRecorded", "CancellationRescinded"]
    assert "CoverageEffectuated" in event_types(answer)
    coverage = queries.coverage(ledger, "E1")
    assert coverage["status"] == "active"
    assert coverage["spans"][0]["start_on"] == "2026-02-01"


def test_timeline_known_at_hides_later_records(apply: Apply, ledger: Ledger) -> None:
    run(apply, *household_commands())
    moment = instant_between()
    run(apply, select())
    assert "EnrollmentLinked" not in [
        e["type"] for e in queries.timeline(ledger, "H1", known_at=moment)["events"]
    ]
    assert "EnrollmentLinked" in [e["type"] for e in queries.timeline(ledger, "H1")["events"]]
