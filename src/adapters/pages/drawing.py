"""Where the picture's shapes go: the SVG geometry of an `EnrollmentPicture` (month columns, the
coverage band, the four bars per month, the marks), for the template to draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...domain.calendar import last_day_of_month
from ...projections.case_picture import EnrollmentPicture, MarkKind

LEFT = 70
MONTH_WIDTH = 64
BAND_TOP = 34
BAND_HEIGHT = 26
BARS_TOP = 80
BARS_HEIGHT = 120
MARKS_TOP = BARS_TOP + BARS_HEIGHT + 22
MARK_ROW = 14
BAR_NAMES = ("billed", "paid", "waived", "outstanding")
MARK_LETTERS = {
    MarkKind.NOTICE: "N",
    MarkKind.PAYMENT: "P",
    MarkKind.TERMINATION: "T",
    MarkKind.REINSTATEMENT: "R",
    MarkKind.APPEALED: "A",
    MarkKind.APPEAL: "H",
}


@dataclass(frozen=True)
class Bar:
    name: str
    x: float
    y: float
    width: float
    height: float
    amount: Decimal


@dataclass(frozen=True)
class Column:
    label: str
    x: float
    state: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class MarkShape:
    x: float
    y: float
    letter: str
    kind: str
    label: str
    day: date
    event_id: str


@dataclass(frozen=True)
class Drawing:
    enrollment_id: str
    width: int
    height: int
    columns: tuple[Column, ...]
    marks: tuple[MarkShape, ...]
    scale_label: str


def drawing(picture: EnrollmentPicture) -> Drawing:
    """The geometry: one column per month, bars scaled to the largest amount billed, each mark
    at its day (marks before the first month or after the last sit at the edges), marks on
    rows so their letters do not overlap."""
    largest = picture.largest_amount
    bar_width = (MONTH_WIDTH - 12) / len(BAR_NAMES)
    columns = []
    for index, month in enumerate(picture.months):
        x = float(LEFT + index * MONTH_WIDTH)
        bars = []
        for position, name in enumerate(BAR_NAMES):
            amount: Decimal = getattr(month, name)
            height = float(amount / largest) * BARS_HEIGHT if amount > 0 else 0.0
            bars.append(
                Bar(
                    name,
                    x + 6 + position * bar_width,
                    BARS_TOP + BARS_HEIGHT - height,
                    bar_width - 2,
                    height,
                    amount,
                )
            )
        columns.append(Column(month.label, x, month.state.value, tuple(bars)))
    width = LEFT + max(len(columns), 1) * MONTH_WIDTH + 20
    starts = [month.month for month in picture.months]
    rows: list[float] = []
    marks = []
    for mark in sorted(picture.marks, key=lambda m: m.day):
        x = _day_x(mark.day, starts)
        row = next((i for i, end in enumerate(rows) if end < x - 12), None)
        if row is None:
            rows.append(x)
            row = len(rows) - 1
        else:
            rows[row] = x
        marks.append(
            MarkShape(
                round(x, 1),
                MARKS_TOP + row * MARK_ROW,
                MARK_LETTERS[mark.kind],
                mark.kind.value,
                mark.label,
                mark.day,
                mark.event_id,
            )
        )
    height = MARKS_TOP + max(len(rows), 1) * MARK_ROW + 10
    return Drawing(
        picture.enrollment_id,
        width,
        height,
        tuple(columns),
        tuple(marks),
        f"bars to scale: full height ${largest}",
    )


def _day_x(day: date, starts: list[date]) -> float:
    """A day's x: inside its month's column, in proportion to the day of the month (a day before
    the first month or after the last sits at the edge)."""
    if not starts:
        return float(LEFT)
    if day < starts[0]:
        return float(LEFT)
    index = max(i for i, start in enumerate(starts) if start <= day)
    if index == len(starts) - 1 and day > last_day_of_month(starts[-1]):
        return float(LEFT + len(starts) * MONTH_WIDTH)
    length = last_day_of_month(day).day
    return LEFT + index * MONTH_WIDTH + (day.day - 1) / length * MONTH_WIDTH
