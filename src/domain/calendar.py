"""Explicit date and month arithmetic (no hidden month maths anywhere else)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def first_of_month(day: date) -> date:
    """The first day of the month containing `day`."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def first_of_next_month(day: date) -> date:
    """The first day of the month following the month of `day`."""
    return add_months(day, 1)


def last_day_of_month(day: date) -> date:
    """The last day of the month containing `day`."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def day_in_month(month: date, day_of_month: int) -> date:
    """The given day of the month of `month`, clamped to the month's length."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(day_of_month, last))


def month_key(day: date) -> str:
    """`YYYY-MM` for the month containing `day`."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(key: str) -> date:
    """The first day of the month written `YYYY-MM` (or a full ISO date)."""
    if len(key) == 7:
        return date.fromisoformat(key + "-01")
    return first_of_month(date.fromisoformat(key))


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from the month of `first` to the month of `last`, inclusive."""
    out: list[date] = []
    cursor = first_of_month(first)
    end = first_of_month(last)
    while cursor <= end:
        out.append(cursor)
        cursor = add_months(cursor, 1)
    return out


def plus_days(day: date, days: int) -> date:
    """`day` moved by a number of calendar days (12.03: a day is a calendar day)."""
    return day + timedelta(days=days)
