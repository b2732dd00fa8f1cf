"""The schedule index (`next_due_on`, read by `run_schedule`) names every enrollment with a
decision due that can record something, and leaves out the check of a month paid in full, which
records nothing (issue 22: most enrollments of a month are due for nothing else, and a monthly
run read them all)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.ledger import Ledger

from bench.population import Driver, population

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
            named = set(ledger.storage.due_through(through, limit=10_000))
            fell_due = _premium_fell_due(ledger, enrollment_ids, previous, through)
            left_out += len(fell_due - named)
            previous = through
        answer = driver.apply(command)
        assert answer["ok"], (command, answer)
        if command["command"] in ("select_plan", "select_group_plan"):
            enrollment_ids.append(command.get("enrollment_id") or command["group_enrollment_id"])
        if command["command"] == "run_schedule":
            left += _left_due(ledger, enrollment_ids, through)
    assert left == []
    assert len(enrollment_ids) > 24
    assert left_out > 20


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
