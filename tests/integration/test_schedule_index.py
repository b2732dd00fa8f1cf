"""The schedule index (`next_due_on`, read by `run_schedule`) names every enrollment with a
decision due that can record something, and leaves out the check of a month paid in full, which
records nothing (issue 22: most enrollments of a month are due for nothing else, and a monthly
run read them all)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.ledger import Ledger

from bench.population import Driver, exchange_steps, merge, population, schedule_months

from ..conftest import Apply
from ..group_scenarios import employer_pays, enrolled_group
from ..scenarios import household_commands, pay, schedule, select


def _left_due(ledger: Ledger, enrollment_ids: list[str], through: date) -> list[str]:
    """The events each enrollment would still record if brought to `through` now (a copy of it,
    nothing saved): the decisions a run through `through` left untaken."""
    left = []
    aggregates = ledger.load_enrollments([Enrollment.id_for(e) for e in enrollment_ids])
    with recording_at(datetime(2030, 1, 1, tzinfo=UTC)):
        for name, aggregate in zip(enrollment_ids, aggregates, strict=True):
            aggregate.advance(through, ledger.policy.in_force)
            left += [f"{name}: {type(e).__name__}" for e in aggregate.pending_events]
    return left


def test_after_every_monthly_run_no_decision_that_records_is_left(ledger: Ledger) -> None:
    """A generated population (individuals and small groups; payments on time, late, short and
    missed, terminations, reinstatements, waivers), monthly runs through a year: after each,
    every enrollment brought to the run's date records nothing more; and enrollments whose
    premium fell due since the run before, paid in full, were left out of the index."""
    driver = Driver(ledger)
    enrollment_ids: list[str] = []
    left: list[str] = []
    left_out = 0
    previous: date | None = None
    for command in _some_payments_short(population(24, seed=5)):
        if command["command"] == "run_schedule":
            through = date.fromisoformat(command["through"])
            named = set(ledger.storage.due_through(through))
            fell_due = _premium_fell_due(ledger, enrollment_ids, previous, through)
            left_out += len(fell_due - named)
            previous = through
        answer = driver.apply(command)
        assert answer["ok"], (command, answer)
        enrollment_ids += _selected(command)
        if command["command"] == "run_schedule":
            left += _left_due(ledger, enrollment_ids, through)
    assert left == []
    assert len(enrollment_ids) > 24
    assert left_out > 20


def test_runs_every_day_leave_no_decision_that_records(ledger: Ledger) -> None:
    """The schedule run every day of a generated year (a third of its payments a dollar short):
    after each day's run, every enrollment brought to that day records nothing more. A day's
    run reads only the enrollments the index names for it, so a decision the index leaves out
    (a notice, a payment date passed, an end known ahead, a reinstatement window closing, a
    waiver period ending) is found on its own day, not hidden behind a monthly run's other
    decisions (the monthly test above)."""
    first = schedule_months(2026)[0].replace(day=1)
    days = [first + timedelta(days=n) for n in range((date(2026, 12, 31) - first).days + 1)]
    driver = Driver(ledger)
    enrollment_ids: list[str] = []
    left: list[str] = []
    decided: set[str] = set()
    for command in _some_payments_short(merge(exchange_steps(16, seed=2), days)):
        answer = driver.apply(command)
        # a short payment can end coverage the generated year goes on to act on
        assert answer["ok"] or answer["error"]["code"] == "invalid_state", (command, answer)
        enrollment_ids += _selected(command)
        if command["command"] == "run_schedule":
            decided |= {e["type"] for e in answer["events"]}
            left += _left_due(ledger, enrollment_ids, date.fromisoformat(command["through"]))
    assert left == []
    assert {
        "DelinquencyNoticeIssued",
        "CoverageTerminated",
        "ReinstatementWindowExpired",
        "CoverageEnded",
        "HardshipWaiverEnded",
    } <= decided, " ".join(sorted(decided))


def _selected(command: dict[str, Any]) -> list[str]:
    """The enrollment a plan selection (an individual's or a small group's) opens, if any."""
    if command["command"] in ("select_plan", "select_group_plan"):
        return [command.get("enrollment_id") or command["group_enrollment_id"]]
    return []


def _some_payments_short(commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every third payment a dollar short (a month left owing after a payment, the case the
    index must not leave out)."""
    payments = 0
    changed = []
    for command in commands:
        if command["command"] == "record_payment" and Decimal(command["amount"]) > 1:
            payments += 1
            if payments % 3 == 0:
                command = {**command, "amount": str(Decimal(command["amount"]) - 1)}
        changed.append(command)
    return changed


def _premium_fell_due(
    ledger: Ledger, enrollment_ids: list[str], after: date | None, through: date
) -> set[UUID]:
    """The enrollments with a monthly premium's due date in [after, through) (checked the day
    after it)."""
    return {
        Enrollment.id_for(name)
        for name in enrollment_ids
        if any(
            (after is None or i.due_on >= after) and i.due_on < through and i.kind == "monthly"
            for i in ledger.any_enrollment(name).invoices.values()
        )
    }


def test_a_month_paid_in_full_is_left_out_of_the_index_and_one_owing_is_not(
    ledger: Ledger, apply: Apply
) -> None:
    """March's premium (invoiced 5 February, due 23 February) paid in full on 10 February: the
    index's next date for the enrollment is April's invoice day (5 March), not 24 February;
    paid one cent short, it is 24 February, when the missed payment is recorded (12.12(2))."""
    for paid, next_due in (("150.00", date(2026, 3, 5)), ("149.99", date(2026, 2, 24))):
        household, enrollment = f"H-{paid}", f"E-{paid}"
        for command in household_commands(household):
            assert apply(**command)["ok"]
        assert apply(**select(enrollment, household_id=household))["ok"]
        assert apply(**pay("2026-01-12", "150.00", f"B-{paid}", enrollment))["ok"]
        assert apply(**pay("2026-02-10", paid, f"M-{paid}", enrollment))["ok"]
        aggregate = ledger.enrollment(enrollment)
        assert aggregate.next_due_on(ledger.policy.in_force(aggregate.horizon)) == next_due
    answer = apply(**schedule("2026-02-28"))
    missed = [(e["type"], e["data"]["month"]) for e in answer["events"] if "month" in e["data"]]
    assert ("PaymentMissed", "2026-03") in missed
    assert len([m for m in missed if m[0] == "PaymentMissed"]) == 1


def test_a_small_group_month_paid_in_full_is_left_out_and_one_owing_is_not(
    ledger: Ledger, apply: Apply
) -> None:
    """The same for a small group (12.12(11)): May's premium (invoiced 5 April, due 23 April)
    paid in full on 20 April, the index's next date is June's invoice day (5 May); a cent
    short, 24 April."""
    for paid, next_due in (("1400.00", date(2026, 5, 5)), ("1399.99", date(2026, 4, 24))):
        group = f"G-{paid}"
        commands = [
            *enrolled_group(group),
            employer_pays("2026-03-20", "1400.00", f"B{paid}", group),
        ]
        if paid == "1399.99":  # the employer applied with the first group: its second plan
            commands = [c for c in commands if c["command"] != "submit_employer_application"]
        for command in commands:
            assert apply(**command)["ok"], command
        assert apply(**employer_pays("2026-04-20", paid, f"M{paid}", group))["ok"]
        aggregate = ledger.group_enrollment(group)
        assert aggregate.next_due_on(ledger.policy.in_force(aggregate.horizon)) == next_due


def test_a_notice_day_alone_names_the_enrollment(ledger: Ledger, apply: Apply) -> None:
    """March's premium missed (checked 24 February, 12.12(2)): the notice falls due on 5 March
    (`delinquency_notice_day`). Coverage ending 31 March at the member's request (12.10(8))
    leaves no April invoice, whose issue day is also the 5th: the notice alone names the
    enrollment in the index for 5 March, and a run through that day issues it as of that day."""
    for command in household_commands("H1"):
        assert apply(**command)["ok"]
    assert apply(**select("E1"))["ok"]
    assert apply(**pay("2026-01-12", "150.00", "B1"))["ok"]
    missed = apply(**schedule("2026-02-28"))
    assert [e["data"]["notice_on"] for e in missed["events"] if e["type"] == "PaymentMissed"] == [
        "2026-03-05"
    ]
    ended = apply(command="request_termination", on="2026-03-02", enrollment_id="E1")
    assert [e["data"]["end_on"] for e in ended["events"]] == ["2026-03-31"]
    aggregate = ledger.enrollment("E1")
    assert aggregate.next_due_on(ledger.policy.in_force(aggregate.horizon)) == date(2026, 3, 5)
    assert ledger.storage.due_through(date(2026, 3, 4)) == []
    assert ledger.storage.due_through(date(2026, 3, 5)) == [Enrollment.id_for("E1")]
    answer = apply(**schedule("2026-03-05"))
    assert [(e["type"], e["data"]["on"]) for e in answer["events"]] == [
        ("DelinquencyNoticeIssued", "2026-03-05")
    ]
