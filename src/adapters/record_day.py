"""The day a command is recorded on, for the one check that needs the wall clock: a command's
business date `on` may not be later than that day (`future_date`; a payment is not received
tomorrow). The domain never reads a clock; this adapter does, once per command, at the instant
the command is recorded.

The day is the record instant's date in America/New_York (the Connector's time zone).
`LEDGER_SIMULATED_TODAY=YYYY-MM-DD` replaces it, for this check only, in simulations, tests and
benchmarks that live through dates the calendar has not reached; `recorded_at` stays the real
instant.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..domain.errors import InvalidCommand, LedgerError

SIMULATED_TODAY_ENV = "LEDGER_SIMULATED_TODAY"
RECORD_ZONE = ZoneInfo("America/New_York")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidSimulatedToday(LedgerError):
    """`LEDGER_SIMULATED_TODAY` is set to something other than a date YYYY-MM-DD."""

    code = "invalid_simulated_today"


def simulated_today(environ: Mapping[str, str] | None = None) -> date | None:
    """The date `LEDGER_SIMULATED_TODAY` names (None when unset or empty)."""
    value = (os.environ if environ is None else environ).get(SIMULATED_TODAY_ENV, "").strip()
    if not value:
        return None
    if _DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidSimulatedToday(
        f"{SIMULATED_TODAY_ENV} must be a date written YYYY-MM-DD (got {value[:40]!r})"
    )


def record_day(recorded_at: datetime, environ: Mapping[str, str] | None = None) -> date:
    """The day a command recorded at `recorded_at` is recorded on: the instant's date in
    America/New_York, or `LEDGER_SIMULATED_TODAY` when it is set."""
    simulated = simulated_today(environ)
    if simulated is not None:
        return simulated
    if recorded_at.tzinfo is None:
        raise ValueError("the record instant must carry a time zone offset")
    return recorded_at.astimezone(RECORD_ZONE).date()


def refuse_future_date(on: date, recorded_at: datetime) -> None:
    """A command whose business date is after the day it is recorded on is refused
    `future_date`: nothing can have happened, been received or been decided tomorrow."""
    today = record_day(recorded_at)
    if on > today:
        simulated = f" ({SIMULATED_TODAY_ENV})" if simulated_today() is not None else ""
        raise InvalidCommand(
            f"on {on.isoformat()} is after the day the command is recorded, "
            f"{today.isoformat()}{simulated}: a business date cannot lie in the future",
            "future_date",
        )
