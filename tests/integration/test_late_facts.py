"""Decisions after a late fact are not back-dated (issue 15): a fact entered after the schedule
has run past the dates of the decisions it makes due (a late binder rescinding a cancellation,
12.10(3); a late payment rescinding a termination, 12.12(3)/(5); a late waiver decision whose
period has already ended, 12.12(7)(d)) has those decisions taken as of the date the schedule had
reached, never earlier: the invoice issued that day, the notice dated that day and its payment
date counted from it."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, event_types, only
from ..scenarios import household_commands, pay, schedule, select

FACT_AND_ITS_EFFECTS = {
    "PaymentRecorded",
    "CancellationRescinded",
    "TerminationRescinded",
    "CreditApplied",
    "CoverageEffectuated",
    "DelinquencyCured",
    "HardshipWaiverDecided",
}


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


def decisions(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The time-driven decisions of an answer (not the fact it records or its direct effects)."""
    return [e for e in answer["events"] if e["type"] not in FACT_AND_ITS_EFFECTS]


def days_between(earlier: str, later: str) -> int:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days


# ---- a late binder: CancellationRescinded (12.10(3)) ----------------------------------------


def test_a_late_binder_after_the_schedule_passed_bills_the_past_months_on_the_schedules_date(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands(), select(), schedule("2026-03-31"))
    assert queries.coverage(ledger, "E1")["status"] == "cancelled"

    answer = apply(pay("2026-01-22", "150.00", "binder-entered-late"))

    assert event_types(answer)[:2] == ["PaymentRecorded", "CancellationRescinded"]
    assert only(answer, "CoverageEffectuated")["data"]["start_on"] == "2026-02-01"
    # March and April were billable before 31 March: billed now, dated the day the schedule had
    # reached, due that day (not on 23 February and 23 March, which were past).
    billed = [e for e in answer["events"] if e["type"] == "InvoiceIssued"]
    assert [(e["data"]["month"], e["on"], e["data"]["due_on"]) for e in billed] == [
        ("2026-03", "2026-03-31", "2026-03-31"),
        ("2026-04", "2026-03-31", "2026-03-31"),
    ]
    assert all(e["on"] >= "2026-03-31" for e in decisions(answer))


def test_after_a_late_binder_the_next_run_dates_no_decision_before_the_schedules_date(
    apply: Apply, ledger: Ledger
) -> None:
    """The issue's report: notices dated 5 February and 5 March, a termination, all in the past."""
    run(apply, *household_commands(), select(), schedule("2026-03-31"))
    run(apply, pay("2026-01-22", "150.00", "binder-entered-late"))

    (answer,) = run(apply, schedule("2026-06-30"))

    assert all(e["on"] > "2026-03-31" for e in answer["events"])
    notices = [e for e in answer["events"] if e["type"] == "DelinquencyNoticeIssued"]
    # ConnectorCare, 12.12(4): March and April both missed on 1 April; the notice of 5 April
    # gives the payment date 35 days after it.
    assert [(n["on"], n["data"]["payment_due_on"]) for n in notices] == [
        ("2026-04-05", "2026-05-10")
    ]
    terminated = only(answer, "CoverageTerminated")
    assert terminated["on"] == "2026-05-11"


def test_a_late_binder_before_the_schedule_passed_keeps_the_schedules_own_dates(
    apply: Apply, ledger: Ledger
) -> None:
    """The schedule had run only through 31 January: March's invoice keeps its own date."""
    run(apply, *household_commands(), select(), schedule("2026-01-31"))
    answer = apply(pay("2026-01-22", "150.00", "binder-entered-late"))
    assert "InvoiceIssued" not in event_types(answer)
    (run_answer,) = run(apply, schedule("2026-02-28"))
    march = only(run_answer, "InvoiceIssued")
    assert (march["data"]["month"], march["on"], march["data"]["due_on"]) == (
        "2026-03",
        "2026-02-05",
        "2026-02-23",
    )


def test_known_at_before_the_late_binder_still_shows_the_cancellation(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands(), select(), schedule("2026-03-31"))
    before = instant_between()
    run(apply, pay("2026-01-22", "150.00", "binder-entered-late"))

    old = queries.coverage(ledger, "E1", known_at=before)
    assert old["status"] == "cancelled"
    assert queries.coverage(ledger, "E1")["status"] == "active"
    old_months = {m["month"] for m in queries.balance(ledger, "E1", known_at=before)["months"]}
    assert "2026-03" not in old_months
    new_months = {m["month"] for m in queries.balance(ledger, "E1")["months"]}
    assert {"2026-03", "2026-04"} <= new_months


# ---- a late payment: TerminationRescinded (12.12(3)) ----------------------------------------


def terminated_without_assistance(apply: Apply) -> None:
    """Non-group (12.12(2)-(3)): binder and March paid, April missed; the notice of 5 April gives
    10 May; terminated on 11 May; the schedule then runs through 30 June."""
    run(
        apply,
        *household_commands(aptc_eligible=False),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule("2026-06-30"),
    )


def test_a_late_payment_rescinding_a_termination_warns_from_the_schedules_date(
    apply: Apply, ledger: Ledger
) -> None:
    terminated_without_assistance(apply)
    assert queries.coverage(ledger, "E1")["status"] == "terminated"

    # Received 8 May (before the 10 May payment date): April and May, all that was due by then.
    answer = apply(pay("2026-05-08", "300.00", "entered-after-the-run"))

    assert event_types(answer)[:2] == ["PaymentRecorded", "TerminationRescinded"]
    assert all(e["on"] >= "2026-06-30" for e in decisions(answer))
    june = [e for e in answer["events"] if e["type"] == "PaymentMissed"]
    assert [(e["data"]["month"], e["on"], e["effective_on"]) for e in june] == [
        ("2026-06", "2026-06-30", "2026-05-23")
    ]
    notice = only(answer, "DelinquencyNoticeIssued")
    assert notice["on"] == "2026-06-30"
    assert notice["data"]["warns_of_termination"] is True
    assert days_between(notice["on"], notice["data"]["payment_due_on"]) == 35
    assert queries.coverage(ledger, "E1")["status"] == "delinquent"


def test_a_late_payment_before_the_schedule_passed_leaves_the_schedule_to_its_dates(
    apply: Apply, ledger: Ledger
) -> None:
    """Terminated on 11 May, the schedule run only through 20 May: the late payment records its
    fact and rescission; June's check (24 May) and notice (5 June) keep their own days."""
    run(
        apply,
        *household_commands(aptc_eligible=False),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule("2026-05-20"),
    )
    answer = apply(pay("2026-05-08", "300.00", "entered-after-the-run"))
    assert "TerminationRescinded" in event_types(answer)
    assert decisions(answer) == []
    (run_answer,) = run(apply, schedule("2026-06-30"))
    missed = [e for e in run_answer["events"] if e["type"] == "PaymentMissed"]
    assert [(e["data"]["month"], e["on"]) for e in missed] == [
        ("2026-06", "2026-05-24"),
        ("2026-07", "2026-06-24"),
    ]
    notice = only(run_answer, "DelinquencyNoticeIssued")
    assert (notice["on"], notice["data"]["payment_due_on"]) == ("2026-06-05", "2026-07-10")


def test_known_at_before_the_late_payment_still_shows_the_termination(
    apply: Apply, ledger: Ledger
) -> None:
    terminated_without_assistance(apply)
    before = instant_between()
    run(apply, pay("2026-05-08", "300.00", "entered-after-the-run"))
    assert queries.coverage(ledger, "E1", known_at=before)["status"] == "terminated"
    assert queries.coverage(ledger, "E1")["status"] == "delinquent"
    kinds = [e["type"] for e in queries.timeline(ledger, "H1", known_at=before)["events"]]
    assert "CoverageTerminated" in kinds and "TerminationRescinded" not in kinds


# ---- a late waiver decision whose period has ended (12.12(7)(d), 12.10(1)(f)) -------------


def test_a_waiver_decided_late_ends_and_opens_its_period_on_the_schedules_date(
    apply: Apply, ledger: Ledger
) -> None:
    """A waiver of March and April, decided on 10 March but entered after the schedule ran
    through 30 June: its end (1 May) is recorded as of 30 June, and the sixty days to change
    plans (12.10(1)(f)) run from then, not from 1 May."""
    run(
        apply,
        *household_commands(),
        select(premium="200.00"),
        pay("2026-01-20", "200.00", "binder"),
        *[pay(f"2026-0{m}-20", "200.00", f"month-{m}") for m in range(2, 7)],
        {
            "command": "request_hardship_waiver",
            "on": "2026-03-01",
            "household_id": "H1",
            "enrollment_id": "E1",
            "grounds": "utility_shutoff",
        },
        schedule("2026-06-30"),
    )
    answer = apply(
        command="decide_hardship_waiver",
        on="2026-03-10",
        enrollment_id="E1",
        decision="granted",
        first_month="2026-03",
        months=2,
    )
    ended = only(answer, "HardshipWaiverEnded")
    assert (ended["on"], ended["data"]["ended_on"]) == ("2026-06-30", "2026-05-01")
    periods = [
        e
        for e in answer["events"]
        if e["type"] == "SpecialEnrollmentPeriodOpened"
        and e["data"]["kind"] == "hardship_waiver_ended"
    ]
    assert [(p["on"], p["data"]["end_on"]) for p in periods] == [("2026-06-30", "2026-08-29")]


# ---- determinism ----------------------------------------------------------------------------


def recorded(store_url: str, commands: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Every event the commands record in the store: id, type, business dates, data."""
    ledger = build_ledger(store_url)
    try:
        events: list[tuple[Any, ...]] = []
        for command in commands:
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None and answer["ok"], answer
            events += [
                (e["id"], e["type"], e["on"], e["effective_on"], json.dumps(e["data"]))
                for e in answer["events"]
            ]
    finally:
        ledger.close()
    return events


def replayed(commands: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    with tempfile.TemporaryDirectory() as folder:
        return recorded(f"sqlite:///{Path(folder) / 'ledger.db'}", commands)


LATE_FACTS = [
    *household_commands(),
    select(),
    schedule("2026-03-31"),
    pay("2026-01-22", "150.00", "binder-entered-late"),
    schedule("2026-06-30"),
    pay("2026-05-08", "300.00", "late-again"),
    schedule("2026-08-31"),
]


def test_the_same_commands_replayed_in_a_fresh_store_record_the_same_events() -> None:
    first = replayed(LATE_FACTS)
    time.sleep(0.01)
    second = replayed(LATE_FACTS)
    assert any(kind == "InvoiceIssued" and on == "2026-03-31" for _, kind, on, *_ in first)
    assert first == second


def test_postgresql_takes_late_decisions_as_sqlite_does(pg_store_url: str) -> None:
    assert recorded(pg_store_url, LATE_FACTS) == replayed(LATE_FACTS)


def test_a_run_that_records_nothing_still_moves_the_schedules_date(
    apply: Apply, ledger: Ledger
) -> None:
    """Running the schedule through 30 April finds nothing due for a cancelled enrollment, yet a
    binder entered after it is billed as of 30 April."""
    run(apply, *household_commands(), select(), schedule("2026-01-31"))
    (quiet,) = run(apply, schedule("2026-04-30"))
    assert quiet["events"] == []
    answer = apply(pay("2026-01-22", "150.00", "binder-entered-late"))
    billed = [e for e in answer["events"] if e["type"] == "InvoiceIssued"]
    assert {e["on"] for e in billed} == {"2026-04-30"}
    assert [e["data"]["month"] for e in billed] == ["2026-03", "2026-04", "2026-05"]
    assert {e["data"]["due_on"] for e in billed} == {"2026-04-30"}


def test_a_run_takes_what_a_concurrent_late_fact_left_due_as_of_the_previous_runs_date(
    apply: Apply, ledger: Ledger, store_url: str
) -> None:
    """On PostgreSQL a late fact can commit while a run is in progress, having read the date
    before that run's: the run does not see it, and the decisions it left due by that run's
    date are found by the next run. Simulated: the binder entered when the schedule's date was
    31 January, then the date moved to 31 March by a run that did not see the enrollment."""
    run(apply, *household_commands(), select(), schedule("2026-01-31"))
    run(apply, pay("2026-01-22", "150.00", "binder-entered-late"))
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE ledger_meta SET value = '2026-03-31' WHERE name = 'schedule_through'")

    (answer,) = run(apply, schedule("2026-04-30"))

    billed = [e for e in answer["events"] if e["type"] == "InvoiceIssued"]
    assert [(e["data"]["month"], e["on"]) for e in billed] == [
        ("2026-03", "2026-03-31"),
        ("2026-04", "2026-03-31"),
        ("2026-05", "2026-04-05"),
    ]


def test_a_selection_entered_after_its_binder_due_date_passed_is_cancelled_as_of_the_schedule(
    apply: Apply, ledger: Ledger
) -> None:
    """12.10(3): the binder was due on 23 January; the selection of 10 January is entered after
    the schedule ran through 31 March, with no binder: cancelled on 31 March, by that command."""
    run(apply, *household_commands(), schedule("2026-03-31"))
    answer = apply(select())
    cancelled = only(answer, "EnrollmentCancelled")
    assert (cancelled["on"], cancelled["effective_on"]) == ("2026-03-31", "2026-01-23")
    assert cancelled["data"]["reason"] == "binder_unpaid"
    assert queries.coverage(ledger, "E1")["status"] == "cancelled"
