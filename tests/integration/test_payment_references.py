"""A payment's `reference` is unique in the whole store (the contract: `reference` (unique);
issue 15). The same payment again (same enrollment, amount and date) answers its first recording;
anything else with that reference is refused `duplicate_reference` and records nothing, also when
two writers send it at the same moment, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key, resolve_store_url
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import count_events
from ..scenarios import household_commands, pay, select


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, store_url: str) -> str:
    if request.param == "sqlite":
        return store_url
    url: str = request.getfixturevalue("pg_store_url")
    return url


def send(ledger: Ledger, command: dict[str, Any]) -> dict[str, Any]:
    answer = answer_line(ledger, json.dumps(command).encode())
    assert answer is not None
    return answer


def two_enrollments(ledger: Ledger) -> None:
    """E1 (household H1) and E2 (household H2), each waiting for its 150.00 binder."""
    for household, enrollment in (("H1", "E1"), ("H2", "E2")):
        for command in [
            *household_commands(household),
            select(enrollment, household_id=household),
        ]:
            assert send(ledger, command)["ok"], command


@pytest.fixture
def ledger(any_store: str) -> Iterator[Ledger]:
    app = build_ledger(any_store)
    two_enrollments(app)
    yield app
    app.close()


def payments_with(ledger: Ledger, reference: str) -> list[Any]:
    found = []
    for enrollment in ("E1", "E2"):
        for event in ledger.aggregate_events(ledger.enrollment(enrollment).id):
            if getattr(event, "reference", None) == reference:
                found.append(event)
    return found


def test_the_same_payment_again_answers_all_the_events_of_its_first_recording(
    ledger: Ledger,
) -> None:
    first = send(ledger, pay("2026-01-20", "150.00", "r1"))
    assert {"PaymentRecorded", "CoverageEffectuated"} <= {e["type"] for e in first["events"]}
    before = count_events(ledger)
    assert send(ledger, pay("2026-01-20", "150.00", "r1")) == first
    again = send(ledger, {**pay("2026-01-20", "150.00", "r1"), "command_id": "later"})
    assert again == {**first, "command_id": "later"}
    assert count_events(ledger) == before


def test_a_repeat_under_a_command_id_is_then_that_ids_answer(ledger: Ledger) -> None:
    first = send(ledger, pay("2026-01-20", "150.00", "r1"))
    repeat = {**pay("2026-01-20", "150.00", "r1"), "command_id": "p2"}
    assert send(ledger, repeat)["events"] == first["events"]
    assert send(ledger, repeat)["events"] == first["events"]
    other = {**pay("2026-01-21", "10.00", "r9"), "command_id": "p2"}
    assert send(ledger, other)["error"]["code"] == "command_id_reused"


@pytest.mark.parametrize(
    "other",
    [
        pay("2026-01-20", "100.00", "r1"),  # another amount: it was silently dropped
        pay("2026-01-21", "150.00", "r1"),  # another date
        pay("2026-01-20", "150.00", "r1", enrollment_id="E2"),  # another enrollment
    ],
    ids=["amount", "date", "enrollment"],
)
def test_another_payment_with_a_recorded_reference_is_refused_and_records_nothing(
    ledger: Ledger, other: dict[str, Any]
) -> None:
    send(ledger, pay("2026-01-20", "150.00", "r1"))
    before = count_events(ledger)
    answer = send(ledger, other)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "duplicate_reference"
    assert "r1" in answer["error"]["message"]
    assert count_events(ledger) == before
    assert len(payments_with(ledger, "r1")) == 1


def test_two_writers_with_one_reference_at_the_same_moment_record_it_once(
    any_store: str,
) -> None:
    """Two ledgers (two connections) record, in each round, the same reference for E1 and for
    E2 at once: exactly one of each pair is recorded, the other is `duplicate_reference`."""
    writers = [build_ledger(any_store), build_ledger(any_store)]
    two_enrollments(writers[0])
    rounds = 6
    answers: list[list[dict[str, Any]]] = [[], []]
    barrier = threading.Barrier(2)

    def write(index: int) -> None:
        enrollment = ("E1", "E2")[index]
        for n in range(rounds):
            barrier.wait(timeout=60)
            command = pay("2026-01-20", "10.00", f"race-{n}", enrollment_id=enrollment)
            answers[index].append(send(writers[index], command))

    threads = [threading.Thread(target=write, args=(i,)) for i in (0, 1)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        for n in range(rounds):
            pair = [answers[0][n], answers[1][n]]
            assert sorted(a["ok"] for a in pair) == [False, True], pair
            (refused,) = [a for a in pair if not a["ok"]]
            assert refused["error"]["code"] == "duplicate_reference"
            assert len(payments_with(writers[0], f"race-{n}")) == 1
    finally:
        for writer in writers:
            writer.close()


def forget_the_reference_index(store: str) -> None:
    """The store as the previous version of the ledger left it: payments only in the events."""
    engine = sa.create_engine(resolve_store_url(store))
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM ledger_references"))
        connection.execute(sa.text("DELETE FROM ledger_meta WHERE name = 'references_indexed'"))
    engine.dispose()


def test_payments_recorded_before_the_reference_index_are_unique_store_wide_too(
    any_store: str,
) -> None:
    ledger = build_ledger(any_store)
    two_enrollments(ledger)
    first = send(ledger, pay("2026-01-20", "150.00", "old-1"))
    ledger.close()
    forget_the_reference_index(any_store)

    ledger = build_ledger(any_store)
    try:
        before = count_events(ledger)
        other = pay("2026-01-20", "150.00", "old-1", enrollment_id="E2")
        assert send(ledger, other)["error"]["code"] == "duplicate_reference"
        again = send(ledger, pay("2026-01-20", "150.00", "old-1"))
        (payment,) = [e for e in first["events"] if e["type"] == "PaymentRecorded"]
        assert again["events"] == [payment]  # the index knew only the payment itself
        assert count_events(ledger) == before
    finally:
        ledger.close()


def test_the_reference_index_keeps_no_reference_in_clear_in_an_encrypted_store(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    ledger = build_ledger(f"sqlite:///{path}", key=new_cipher_key())
    try:
        two_enrollments(ledger)
        assert send(ledger, pay("2026-01-20", "150.00", "CHK-0001234"))["ok"]
        repeat = send(ledger, pay("2026-01-20", "150.00", "CHK-0001234", enrollment_id="E2"))
        assert repeat["error"]["code"] == "duplicate_reference"
    finally:
        ledger.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("ledger"))
    assert b"CHK-0001234" not in stored
