"""The day a command is recorded on (issue 15): the record instant's date in America/New_York, or
`LEDGER_SIMULATED_TODAY`; a business date after it is refused `future_date`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from enrollment_ledger.adapters.record_day import (
    SIMULATED_TODAY_ENV,
    InvalidSimulatedToday,
    record_day,
    refuse_future_date,
    simulated_today,
)
from enrollment_ledger.domain.errors import InvalidCommand

NO_SIMULATION: dict[str, str] = {}


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        # winter, UTC-5: 04:59 UTC on 1 December is still 30 November in New York
        (datetime(2026, 12, 1, 4, 59, tzinfo=UTC), date(2026, 11, 30)),
        (datetime(2026, 12, 1, 5, 0, tzinfo=UTC), date(2026, 12, 1)),
        # summer, UTC-4
        (datetime(2026, 7, 1, 3, 59, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2026, 7, 1, 4, 0, tzinfo=UTC), date(2026, 7, 1)),
    ],
)
def test_the_record_day_is_the_instants_date_in_new_york(instant: datetime, day: date) -> None:
    assert record_day(instant, NO_SIMULATION) == day


def test_the_simulated_today_replaces_the_wall_clocks_date() -> None:
    instant = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert record_day(instant, {SIMULATED_TODAY_ENV: "2027-06-15"}) == date(2027, 6, 15)
    assert record_day(instant, {SIMULATED_TODAY_ENV: ""}) == date(2026, 11, 30)


@pytest.mark.parametrize(
    "value", ["2027-02-30", "tomorrow", "2027-6-15", "15/06/2027", "2027-06-15T00:00", "20270615"]
)
def test_a_simulated_today_that_is_not_a_date_is_a_coded_error(value: str) -> None:
    with pytest.raises(InvalidSimulatedToday) as raised:
        simulated_today({SIMULATED_TODAY_ENV: value})
    assert raised.value.code == "invalid_simulated_today"
    assert SIMULATED_TODAY_ENV in raised.value.message


def test_an_instant_without_an_offset_has_no_day() -> None:
    with pytest.raises(ValueError, match="offset"):
        record_day(datetime(2026, 11, 30, 12), NO_SIMULATION)


def test_tomorrow_is_refused_and_today_accepted_by_the_wall_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SIMULATED_TODAY_ENV)
    instant = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)  # 23:30 on 30 November in New York
    refuse_future_date(date(2026, 11, 30), instant)
    with pytest.raises(InvalidCommand) as raised:
        refuse_future_date(date(2026, 12, 1), instant)
    assert raised.value.code == "future_date"
    assert "2026-11-30" in raised.value.message


def test_tomorrow_is_refused_and_today_accepted_by_the_simulated_today(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SIMULATED_TODAY_ENV, "2027-03-01")
    now = datetime.now(UTC)
    refuse_future_date(date(2027, 3, 1), now)
    with pytest.raises(InvalidCommand) as raised:
        refuse_future_date(date(2027, 3, 1) + timedelta(days=1), now)
    assert raised.value.code == "future_date"
    assert SIMULATED_TODAY_ENV in raised.value.message
