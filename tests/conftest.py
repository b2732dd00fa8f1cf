"""Shared fixtures: a real SQLite file store per test, and helpers that go through the same
command path as `enrollment-ledger apply`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.record_day import SIMULATED_TODAY_ENV
from enrollment_ledger.domain.ledger import Ledger

SIMULATED_TODAY = "2030-12-31"
"""The day the suite's commands are recorded on (`LEDGER_SIMULATED_TODAY`): its scenarios live
through plan years the calendar has not reached. The tests of the `future_date` check itself set
or remove the variable."""


@pytest.fixture(scope="session", autouse=True)
def simulated_today() -> Iterator[str]:
    """Set for the whole session (in os.environ, so the processes the tests start inherit it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SIMULATED_TODAY_ENV, SIMULATED_TODAY)
        yield SIMULATED_TODAY


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def ledger(store_url: str) -> Iterator[Ledger]:
    app = build_ledger(store_url)
    yield app
    app.close()


Apply = Callable[..., dict[str, Any]]


@pytest.fixture
def apply(ledger: Ledger) -> Apply:
    """Apply one command (a dict, or raw text) and return its answer."""

    def _apply(command: dict[str, Any] | str | None = None, /, **fields: Any) -> dict[str, Any]:
        if command is None:
            command = fields
        raw = command if isinstance(command, str) else json.dumps(command)
        answer = answer_line(ledger, raw.encode())
        assert answer is not None
        return answer

    return _apply


def member(member_id: str = "M1", **overrides: Any) -> dict[str, Any]:
    base = {
        "member_id": member_id,
        "birth_date": "1980-01-01",
        "resident": True,
        "lawfully_present": True,
        "incarcerated": False,
        "aptc_eligible": True,
    }
    base.update(overrides)
    return base


def application(
    household_id: str = "H1",
    *,
    on: str = "2025-12-01",
    plan_year: int = 2026,
    size: int = 1,
    magi: str = "30000.00",
    members: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "command": "submit_application",
        "on": on,
        "household_id": household_id,
        "plan_year": plan_year,
        "household_size": size,
        "annual_magi": magi,
        "members": members if members is not None else [member()],
        **extra,
    }


def event_types(answer: dict[str, Any]) -> list[str]:
    assert answer["ok"], answer
    return [e["type"] for e in answer["events"]]


def only(answer: dict[str, Any], event_type: str) -> dict[str, Any]:
    found = [e for e in answer["events"] if e["type"] == event_type]
    assert len(found) == 1, (event_type, event_types(answer))
    return found[0]


def count_events(ledger: Ledger) -> int:
    return ledger.recorder.max_notification_id() or 0
