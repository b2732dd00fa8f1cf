"""Idempotency that cannot swallow a different command (issue 15): a `command_id` names one
command. The same command again answers its first events; another command under the same id is
refused `command_id_reused` and records nothing. On SQLite and PostgreSQL, and on stores made
before the command log kept fingerprints."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import build_ledger, resolve_store_url
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.commands import COMMANDS, fingerprint
from enrollment_ledger.adapters.commands import parse_command as parse
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import application, count_events
from ..scenarios import household_commands, pay, select


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, store_url: str) -> str:
    if request.param == "sqlite":
        return store_url
    url: str = request.getfixturevalue("pg_store_url")
    return url


@pytest.fixture
def on_any_store(any_store: str) -> Iterator[Ledger]:
    ledger = build_ledger(any_store)
    yield ledger
    ledger.close()


def send(ledger: Ledger, command: dict[str, Any] | str) -> dict[str, Any]:
    raw = command if isinstance(command, str) else json.dumps(command)
    answer = answer_line(ledger, raw.encode())
    assert answer is not None
    return answer


def test_the_same_command_again_answers_its_first_events(on_any_store: Ledger) -> None:
    first = send(on_any_store, application(command_id="c1"))
    assert first["ok"] and first["events"]
    before = count_events(on_any_store)
    assert send(on_any_store, application(command_id="c1")) == first
    assert count_events(on_any_store) == before


def test_the_same_command_written_differently_is_the_same_command(on_any_store: Ledger) -> None:
    """Key order, spacing and the money's written form do not make another command."""
    first = send(on_any_store, application(command_id="c1", magi="30000.00"))
    written_otherwise = json.dumps(
        dict(reversed(list(application(command_id="c1", magi="30000.0").items()))), indent=1
    ).replace("\n", " ")
    assert send(on_any_store, written_otherwise) == first


@pytest.mark.parametrize(
    "other",
    [
        application(command_id="c1", magi="30001.00"),  # another amount
        application(command_id="c1", on="2025-12-02"),  # another date
        application("H2", command_id="c1"),  # another household
        {  # another command altogether
            "command": "determine_eligibility",
            "command_id": "c1",
            "on": "2025-12-01",
            "household_id": "H1",
        },
    ],
    ids=["amount", "date", "household", "type"],
)
def test_a_reused_command_id_with_another_command_is_refused_and_records_nothing(
    on_any_store: Ledger, other: dict[str, Any]
) -> None:
    first = send(on_any_store, application(command_id="c1"))
    before = count_events(on_any_store)
    answer = send(on_any_store, other)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "command_id_reused"
    assert answer["command_id"] == "c1"
    assert count_events(on_any_store) == before
    assert send(on_any_store, application(command_id="c1")) == first


def test_a_payment_under_a_reused_command_id_is_refused_not_swallowed(
    on_any_store: Ledger,
) -> None:
    """The case seen: a second payment with the id of the first was answered as a replay."""
    for command in [*household_commands(), select()]:
        assert send(on_any_store, command)["ok"]
    assert send(on_any_store, {**pay("2026-01-20", "150.00", "r1"), "command_id": "p1"})["ok"]
    before = count_events(on_any_store)
    answer = send(on_any_store, {**pay("2026-02-20", "150.00", "r2"), "command_id": "p1"})
    assert answer["error"]["code"] == "command_id_reused"
    assert count_events(on_any_store) == before


def test_the_fingerprint_ignores_the_command_id_and_the_form_but_not_the_content() -> None:
    one = parse(application(command_id="a", magi="30000.00"))
    assert one.fingerprint == parse(application(command_id="b", magi="30000.0")).fingerprint
    assert one.fingerprint == parse(application(magi="30000")).fingerprint
    assert one.fingerprint != parse(application(magi="30000.01")).fingerprint
    assert len(one.fingerprint) == 64


def test_optional_fields_left_out_or_given_their_default_are_the_same_command() -> None:
    without = select()
    with_default = {**select(), "aptc_applied": "0.00"}
    assert parse(without).fingerprint == parse(with_default).fingerprint
    assert parse(without).fingerprint != parse({**select(), "aptc_applied": "1.00"}).fingerprint


def test_a_fingerprint_is_the_sha256_of_the_canonical_command() -> None:
    command = COMMANDS["determine_eligibility"].model_validate(
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"}
    )
    canonical = '{"command":"determine_eligibility","household_id":"H1","on":"2026-01-05"}'
    assert fingerprint(command) == hashlib.sha256(canonical.encode()).hexdigest()


# ---- stores made before fingerprints were kept ------------------------------------------------


def drop_fingerprint_column(store: str) -> None:
    """The store as the previous version of the ledger made it: no fingerprint column."""
    url = resolve_store_url(store)
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            connection.execute("ALTER TABLE ledger_commands DROP COLUMN fingerprint")
        return
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE ledger_commands DROP COLUMN fingerprint"))
    engine.dispose()


def fingerprints(store: str) -> dict[str, str | None]:
    engine = sa.create_engine(resolve_store_url(store))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT command_id, fingerprint FROM ledger_commands")
            )
            return {str(command_id): value for command_id, value in rows}
    finally:
        engine.dispose()


def test_a_store_made_without_fingerprints_gets_the_column_and_keeps_its_replays(
    any_store: str,
) -> None:
    ledger = build_ledger(any_store)
    first = send(ledger, application(command_id="old"))
    ledger.close()
    drop_fingerprint_column(any_store)

    ledger = build_ledger(any_store)  # opening it adds the column, NULL in the old rows
    try:
        before = count_events(ledger)
        # unknown fingerprint: accepted as the same command, as before
        assert send(ledger, application(command_id="old", magi="99999.00")) == first
        assert count_events(ledger) == before
        assert send(ledger, application("H2", command_id="new"))["ok"]
        assert send(ledger, application("H3", command_id="new"))["error"]["code"] == (
            "command_id_reused"
        )
    finally:
        ledger.close()
    assert fingerprints(any_store) == {
        "old": None,
        "new": parse(application("H2", command_id="new")).fingerprint,
    }


def test_an_upgraded_store_opened_again_by_two_ledgers_is_not_upgraded_twice(
    any_store: str,
) -> None:
    """Adding the column happens once: a later opening finds it there."""
    build_ledger(any_store).close()
    drop_fingerprint_column(any_store)
    first, second = build_ledger(any_store), build_ledger(any_store)
    try:
        assert send(first, application(command_id="c1"))["ok"]
        answer = send(second, application(command_id="c1", magi="1.00"))
        assert answer["error"]["code"] == "command_id_reused"
    finally:
        first.close()
        second.close()
