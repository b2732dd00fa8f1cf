"""Who did it (issue 20): every accepted command records its actor, kept with the command log and
with each event's chain link, and shown as `recorded_by` wherever the event is shown: the command's
answer, the timeline and the hearing packet. A repeat answers the actor of the first recording. On
SQLite and PostgreSQL, and on stores made before actors were kept."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.audit import verify
from enrollment_ledger.adapters.audit.proof_check import ProofError, check_proof
from enrollment_ledger.adapters.audit.proofs import inclusion_proof
from enrollment_ledger.adapters.audit.signing import new_signing_key, parse_signing_key
from enrollment_ledger.adapters.bootstrap import build_ledger, resolve_store_url
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.commands import parse_command
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import application, count_events
from ..scenarios import household_commands, pay, schedule, select


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


def send(ledger: Ledger, command: dict[str, Any], actor: str | None) -> dict[str, Any]:
    answer = answer_line(ledger, json.dumps(command).encode(), actor)
    assert answer is not None
    return answer


def actors(answer: dict[str, Any]) -> set[str | None]:
    assert answer["ok"], answer
    return {e["recorded_by"] for e in answer["events"]}


def command_log(store: str) -> dict[str, str | None]:
    engine = sa.create_engine(resolve_store_url(store))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT command_id, recorded_by FROM ledger_commands")
            )
            return {str(command_id): by for command_id, by in rows}
    finally:
        engine.dispose()


def test_each_event_is_recorded_by_the_actor_of_its_command(
    on_any_store: Ledger, any_store: str
) -> None:
    applied, determined = (
        send(on_any_store, {**command, "command_id": f"c{i}"}, actor)
        for i, (command, actor) in enumerate(
            zip(household_commands(), ["intake desk", "caseworker 7"], strict=True)
        )
    )
    assert actors(applied) == {"intake desk"}
    assert actors(determined) == {"caseworker 7"}

    timeline = queries.timeline(on_any_store, "H1")
    assert [e["recorded_by"] for e in timeline["events"]] == [
        *["intake desk"] * len(applied["events"]),
        *["caseworker 7"] * len(determined["events"]),
    ]
    assert command_log(any_store) == {"c0": "intake desk", "c1": "caseworker 7"}
    assert verify(on_any_store).ok is True


def test_a_repeated_command_answers_the_actor_of_its_first_recording(
    on_any_store: Ledger, any_store: str
) -> None:
    first = send(on_any_store, application(command_id="c1"), "intake desk")
    before = count_events(on_any_store)
    again = send(on_any_store, application(command_id="c1"), "someone else")
    assert again == first
    assert actors(again) == {"intake desk"}
    assert count_events(on_any_store) == before
    assert command_log(any_store) == {"c1": "intake desk"}


def test_a_payment_sent_again_under_a_new_command_id_keeps_its_first_recordings_actor(
    on_any_store: Ledger, any_store: str
) -> None:
    """The second command records no event (the payment is the same one) but is accepted: the
    command log names who sent it, and its answer who recorded the payment."""
    for command in [*household_commands(), select()]:
        assert send(on_any_store, command, "intake desk")["ok"]
    payment = pay("2026-01-20", "150.00", "r1")
    first = send(on_any_store, {**payment, "command_id": "p1"}, "cashier 1")
    again = send(on_any_store, {**payment, "command_id": "p2"}, "cashier 2")
    assert actors(first) == actors(again) == {"cashier 1"}
    assert again["events"] == first["events"]
    assert command_log(any_store) == {"p1": "cashier 1", "p2": "cashier 2"}


def test_the_schedules_decisions_are_recorded_by_who_ran_the_schedule(
    on_any_store: Ledger,
) -> None:
    for command in [*household_commands(), select(), pay("2026-01-20", "150.00", "r1")]:
        assert send(on_any_store, command, "intake desk")["ok"]
    run = send(on_any_store, schedule("2026-05-31"), "nightly batch")
    assert {"InvoiceIssued", "PaymentMissed"} <= {e["type"] for e in run["events"]}
    assert actors(run) == {"nightly batch"}
    scheduled = {e["id"] for e in run["events"]}
    timeline = queries.timeline(on_any_store, "H1")["events"]
    assert {e["recorded_by"] for e in timeline if e["id"] in scheduled} == {"nightly batch"}
    assert {e["recorded_by"] for e in timeline if e["id"] not in scheduled} == {"intake desk"}


@pytest.mark.parametrize("actor", ["", "two\nlines", "x" * 101])
def test_a_command_with_an_unfit_actor_is_refused_and_records_nothing(
    ledger: Ledger, actor: str
) -> None:
    answer = send(ledger, application(command_id="c1"), actor)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid_field"
    assert answer["command_id"] == "c1"
    assert count_events(ledger) == 0


def test_the_hearing_packet_names_who_recorded_each_event(ledger: Ledger) -> None:
    applied, determined = (
        send(ledger, command, actor)
        for command, actor in zip(
            household_commands(), ["intake desk", "caseworker 7"], strict=True
        )
    )
    determination = next(e for e in determined["events"] if e["type"] == "EligibilityDetermined")
    appeal = {
        "command": "file_appeal",
        "on": "2026-01-20",
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": determination["id"],
        "grounds": "my income was counted twice",
    }
    assert actors(send(ledger, appeal, "appeals clerk")) == {"appeals clerk"}

    packet = queries.hearing(ledger, "A1")
    assert packet["appealed_event"]["recorded_by"] == "caseworker 7"
    assert {e["recorded_by"] for e in packet["facts_known"]} == {"intake desk"}
    assert {e["recorded_by"] for e in packet["appeal"]["events"]} == {"appeals clerk"}
    by_id = {e["id"]: e["recorded_by"] for e in packet["timeline"]}
    for answer in (applied, determined):
        assert all(by_id[e["id"]] == e["recorded_by"] for e in answer["events"])
    assert set(by_id.values()) == {"intake desk", "caseworker 7", "appeals clerk"}


# ---- stores made before actors were kept ------------------------------------------------------


def drop_actor_columns(store: str) -> None:
    """The store as the previous version of the ledger made it: no actor columns (and so every
    link hashed without an actor)."""
    statements = [
        "ALTER TABLE ledger_chain DROP COLUMN recorded_by",
        "ALTER TABLE ledger_commands DROP COLUMN recorded_by",
    ]
    url = resolve_store_url(store)
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            for statement in statements:
                connection.execute(statement)
        return
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()


def test_a_store_made_before_actors_were_kept_gets_the_columns_and_still_verifies(
    any_store: str,
) -> None:
    ledger = build_ledger(any_store)
    try:
        # as the previous version recorded a command: its links hash no actor
        parsed = parse_command(application(command_id="old"))
        ledger.execute(
            parsed.command,
            recorded_at=datetime.now(UTC),
            command_id=parsed.command_id,
            fingerprint=parsed.fingerprint,
        )
        old_events = count_events(ledger)
    finally:
        ledger.close()
    drop_actor_columns(any_store)

    ledger = build_ledger(any_store)  # opening it adds the columns, NULL in the old rows
    try:
        assert verify(ledger).ok is True
        again = send(ledger, application(command_id="old"), "someone")
        assert actors(again) == {None}
        new = send(ledger, application("H2", command_id="new"), "intake desk")
        assert actors(new) == {"intake desk"}
        timeline = queries.timeline(ledger, "H1")["events"]
        assert len(timeline) == old_events
        assert {e["recorded_by"] for e in timeline} == {None}
        result = verify(ledger)
        assert (result.ok, result.events_checked) == (True, count_events(ledger))
    finally:
        ledger.close()
    assert command_log(any_store) == {"old": None, "new": "intake desk"}


# ---- a proof of one event proves who recorded it ----------------------------------------------


def test_a_proof_of_one_event_proves_who_recorded_it_and_a_changed_actor_fails(
    ledger: Ledger,
) -> None:
    """The Merkle leaf is the chain's link bytes, actor included: the offline checker reads the
    actor out of the proven leaf, and a leaf naming someone else is not in the signed tree."""
    key = parse_signing_key(new_signing_key())
    applied = send(ledger, application(), "intake desk")
    event = applied["events"][1]
    proof = inclusion_proof(ledger, event["id"], key)
    assert proof["event"]["recorded_by"] == "intake desk"
    checked = check_proof(proof, [key.public_key])
    assert (checked["ok"], checked["event"]["recorded_by"]) == (True, "intake desk")

    leaf = base64.b64decode(proof["leaf"])
    assert leaf.startswith(b"recorded_by\n11\nintake desk")
    someone_else = leaf.replace(b"intake desk", b"intake dusk", 1)
    forged = {**proof, "leaf": base64.b64encode(someone_else).decode()}
    with pytest.raises(ProofError, match="is not leaf"):
        check_proof(forged, [key.public_key])
