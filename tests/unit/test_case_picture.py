"""The picture of a case as data (projections/case_picture.py): each month's coverage state and
amounts, and the marked days, from the coverage and balance answers and the timeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from enrollment_ledger.adapters.pages.drawing import LEFT, MONTH_WIDTH, drawing
from enrollment_ledger.projections.case_picture import MarkKind, MonthState, enrollment_picture

COVERAGE = {"enrollment_id": "E1", "spans": [{"start_on": "2026-02-01", "end_on": None}]}


def month(key: str, billed: str = "150.00", paid: str = "150.00", **extra: Any) -> dict[str, Any]:
    outstanding = str(Decimal(billed) - Decimal(paid))
    return {
        "month": key,
        "billed": billed,
        "paid": paid,
        "waived": extra.pop("waived", "0.00"),
        "outstanding": outstanding,
        "voided": extra.pop("voided", False),
    }


def event(kind: str, on: str, event_id: str = "e", **data: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "on": on, "aggregate_id": "x", "data": data}


def states(picture: Any) -> dict[str, str]:
    return {bar.label: bar.state.value for bar in picture.months}


def test_a_paid_month_inside_a_span_is_active_and_a_missed_one_is_in_its_grace_period() -> None:
    balance = {"months": [month("2026-02"), month("2026-03", paid="0.00")]}
    events = [event("PaymentMissed", "2026-02-24", month="2026-03")]
    picture = enrollment_picture(COVERAGE, balance, events)
    assert states(picture) == {"2026-02": "active", "2026-03": "grace"}
    assert picture.months[1].outstanding == Decimal("150.00")


def test_months_after_a_termination_are_terminated_until_a_reinstatement_restores_them() -> None:
    coverage = {
        "enrollment_id": "E1",
        "spans": [{"start_on": "2026-02-01", "end_on": "2026-04-30"}],
    }
    balance = {"months": [month("2026-04", paid="0.00"), month("2026-05", voided=True)]}
    missed = [event("PaymentMissed", "2026-03-24", month="2026-04")]
    terminated = [*missed, event("CoverageTerminated", "2026-06-10", end_on="2026-04-30")]
    before = enrollment_picture(coverage, {"months": balance["months"][:1]}, terminated)
    assert states(before) == {
        "2026-02": "active",
        "2026-03": "active",
        "2026-04": "grace",
        "2026-05": "terminated",
        "2026-06": "terminated",
    }
    restored = [
        *terminated,
        event("ReinstatementDecided", "2026-07-02", granted=True, months=["2026-04", "2026-05"]),
    ]
    reopened = {"enrollment_id": "E1", "spans": [{"start_on": "2026-02-01", "end_on": None}]}
    after = enrollment_picture(reopened, {"months": [month("2026-04"), month("2026-05")]}, restored)
    assert states(after)["2026-04"] == "grace"  # it was delinquent before the termination's end
    assert states(after)["2026-05"] == "reinstated"


def test_a_voided_month_is_shaded_voided_whatever_else_happened_to_it() -> None:
    balance = {"months": [month("2026-02", paid="0.00", voided=True)]}
    events = [event("PaymentMissed", "2026-01-24", month="2026-02")]
    assert states(enrollment_picture(COVERAGE, balance, events)) == {"2026-02": "voided"}


def test_a_refused_reinstatement_restores_nothing() -> None:
    coverage = {
        "enrollment_id": "E1",
        "spans": [{"start_on": "2026-02-01", "end_on": "2026-02-28"}],
    }
    events = [
        event("CoverageTerminated", "2026-04-10", end_on="2026-02-28"),
        event("ReinstatementDecided", "2026-04-20", granted=False, months=["2026-03"]),
    ]
    picture = enrollment_picture(coverage, {"months": [month("2026-02")]}, events)
    assert states(picture)["2026-03"] == MonthState.TERMINATED


def test_notices_payments_and_the_appealed_action_are_marked_on_their_days() -> None:
    events = [
        event("EligibilityDetermined", "2026-01-05", "appealed"),
        event("PaymentRecorded", "2026-01-20", "pay", amount="150.00"),
        event(
            "DelinquencyNoticeIssued",
            "2026-05-05",
            "n2",
            notice_number=2,
            payment_due_on="2026-06-09",
        ),
        event("InvoiceIssued", "2026-05-05", "inv", month="2026-06"),
    ]
    picture = enrollment_picture(COVERAGE, {"months": [month("2026-02")]}, events, "appealed")
    marks = [(m.day, m.kind, m.label) for m in picture.marks]
    assert marks == [
        (date(2026, 1, 5), MarkKind.APPEALED, "appealed action"),
        (date(2026, 1, 20), MarkKind.PAYMENT, "paid $150.00"),
        (date(2026, 5, 5), MarkKind.NOTICE, "notice 2"),
        (date(2026, 6, 9), MarkKind.NOTICE, "payment date 2026-06-09"),
    ]
    # the chart runs from the first marked month to the last
    assert picture.months[0].label == "2026-01"
    assert picture.months[-1].label == "2026-06"


def test_the_drawing_puts_a_day_inside_its_months_column_and_scales_bars_to_the_largest() -> None:
    balance = {
        "months": [
            month("2026-02", billed="100.00", paid="50.00"),
            month("2026-03", billed="200.00"),
        ]
    }
    events = [event("PaymentRecorded", "2026-03-16", "pay", amount="50.00")]
    shapes = drawing(enrollment_picture(COVERAGE, balance, events))
    (mark,) = shapes.marks
    assert LEFT + MONTH_WIDTH < mark.x < LEFT + 2 * MONTH_WIDTH
    billed = [bar for column in shapes.columns for bar in column.bars if bar.name == "billed"]
    assert billed[1].height == 2 * billed[0].height
