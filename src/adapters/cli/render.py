"""How the command line's readable answers are drawn: a console at most 100 columns wide, tables
whose headers wrap instead of being cut, blank cells for what is not there (never `None`), and
the point in time each answer is for. Rich is imported only when an answer is drawn."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

WIDTH = 100
"""The widest a readable answer is drawn (a narrower terminal narrows it)."""

WIDE = 160
"""With --wide (full event ids), the widest the timeline is drawn."""


def console(width: int = WIDTH) -> Any:
    """A rich console on standard output, `width` columns at most: narrower when the terminal
    (or $COLUMNS) is; `width` when the output goes to a file or a pipe."""
    from rich.console import Console

    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return Console(width=min(Console().width, width))
    return Console(width=width)


def show(drawn: Any, width: int = WIDTH) -> None:
    """Print a table on a `console(width)`, widened to the table's least width when that is
    wider (a terminal narrower than the table's columns gets long lines, never a column cut)."""
    from rich.console import Console
    from rich.measure import Measurement

    out = console(width)
    unbounded = Console(width=10_000)
    least = Measurement.get(unbounded, unbounded.options, drawn).minimum
    if least > out.width:
        out = Console(width=least)
    out.print(drawn)


def cell(value: Any) -> str:
    """A value as a table shows it: blank for None, yes/no for a boolean, else its text (as
    text: a `[` in it is never read as rich's markup)."""
    from rich.markup import escape

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value))


REGULATION = "956 CMR "
HEADERS = {"citation": "citation (956 CMR)"}
"""Headers that say more than the field's name: the regulation, said once for the column."""


def value(column: str, shown: Any) -> str:
    """A cell of `column`: a citation as `clause` shows it, anything else as `cell` does."""
    return clause(shown) if column == "citation" else cell(shown)


def header(name: str) -> str:
    """A field's name as a column header a table can wrap (`first_unpaid_month` -> `first unpaid
    month`)."""
    return HEADERS.get(name, words(name))


def words(name: str) -> str:
    """A field's name in words (`annual_magi` -> `annual magi`)."""
    return name.replace("_", " ")


def clause(citation: str | None) -> str:
    """A citation as a `citation (956 CMR)` column shows it: `956 CMR 12.12(5); 956 CMR 12.04`
    -> `12.12(5); 12.04` (another source, e.g. 45 CFR, is shown whole)."""
    if citation is None:
        return ""
    return "; ".join(part.removeprefix(REGULATION) for part in citation.split("; "))


DATE_WIDTH = 10
"""A column of dates is never narrower than a date (YYYY-MM-DD)."""


def table(
    title: str,
    columns: Iterable[str],
    *,
    caption: str | None = None,
    min_widths: dict[str, int] | None = None,
    widths: dict[str, int] | None = None,
) -> Any:
    """A rich table in which nothing is cut: each column is at least as wide as the longest word
    of its header (which wraps between words) and as a date when it holds dates (`on`,
    `..._on`) or as `min_widths` says (exactly as `widths` says, see `shares`), and a cell too
    long for its column folds onto the next line."""
    from rich import box
    from rich.table import Table

    drawn = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        min_width=min(len(title), WIDTH),
    )
    for column in columns:
        label = header(column)
        widest_word = max(len(word) for word in label.split())
        dates = column == "on" or column.endswith("_on")
        least = max(widest_word, DATE_WIDTH if dates else 0, (min_widths or {}).get(column, 0))
        drawn.add_column(label, min_width=least, width=(widths or {}).get(column), overflow="fold")
    return drawn


GAP = 1
"""The columns between two of a table's columns (a blank, no padding)."""


def shares(total: int, fixed: dict[str, int], flexible: dict[str, int]) -> dict[str, int]:
    """Column widths that fill `total` columns: the `fixed` ones as given, the rest of the width
    shared among the `flexible` ones by their weights (each at least 6)."""
    gaps = GAP * (len(fixed) + len(flexible)) + 1
    left = max(total - sum(fixed.values()) - gaps, 0)
    weights = sum(flexible.values()) or 1
    return {
        **fixed,
        **{name: max(left * weight // weights, 6) for name, weight in flexible.items()},
    }


def point_in_time(
    as_of: date | None, known_at: datetime | None, *, as_of_applies: bool = True
) -> str:
    """The point in time an answer is for, as its heading says it: the business date (`--as-of`)
    and the record instant (`--known-at`)."""
    parts = []
    if as_of_applies:
        parts.append(f"as of {as_of.isoformat()}" if as_of else "as of today")
    parts.append(
        f"as known at {known_at.isoformat()}" if known_at else "as known now (every event recorded)"
    )
    return ", ".join(parts)


MONEY = re.compile(r"-?\d+\.\d{2}")
NOT_MONEY = ("percent", "rate")


def amounts(data: dict[str, Any]) -> str:
    """The money an event's data carries, `field amount` each (zero amounts left out), e.g.
    `amount 150.00, to credit 0.00` -> `amount 150.00`."""
    shown = [
        f"{words(name)} {value}"
        for name, value in data.items()
        if isinstance(value, str)
        and MONEY.fullmatch(value)
        and not any(word in name for word in NOT_MONEY)
        and value.lstrip("-") != "0.00"
    ]
    return ", ".join(shown)
