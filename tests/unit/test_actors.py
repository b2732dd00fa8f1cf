"""Who records a command: a fit actor name, where it comes from (`--actor`, `LEDGER_ACTOR`, the
operating-system user), and how a chain link hashes it so that the chain covers it."""

from __future__ import annotations

import hashlib
from uuid import UUID

import pytest
from enrollment_ledger.adapters import actors
from enrollment_ledger.adapters.actors import (
    ACTOR_ENV,
    MAX_ACTOR_LENGTH,
    InvalidActor,
    check_actor,
    resolve_actor,
    system_user,
)
from enrollment_ledger.adapters.kafka.cloudevent import header_map, to_record
from enrollment_ledger.adapters.store.recorder import (
    ATTRIBUTED_LINK,
    GENESIS,
    canonical_bytes,
    chain_link,
    link_bytes,
)
from eventsourcing.persistence import StoredEvent

FIT = [
    "alice",
    "Dana O'Neil",
    "intake desk 3",
    "caseworker@mahealthconnector.org",
    "José Núñez",
    "a" * MAX_ACTOR_LENGTH,
]
UNFIT = [
    ("", "empty"),
    ("   ", "empty"),
    ("a" * (MAX_ACTOR_LENGTH + 1), "limited to"),
    (" alice", "spaces"),
    ("alice\t", "spaces"),
    ("ali\nce", "control"),
    ("ali\x00ce", "control"),
    ("ali\x1bce", "control"),
    ("ali\u200bce", "control or format"),  # zero-width space (a format character)
    ("ali\u202ece", "control or format"),  # right-to-left override
    ("ali\u2028ce", "control or format"),  # line separator
]


@pytest.mark.parametrize("name", FIT)
def test_a_fit_name_is_taken_as_it_is(name: str) -> None:
    assert check_actor(name) == name


@pytest.mark.parametrize(("name", "reason"), UNFIT)
def test_an_unfit_name_is_refused_invalid_field_naming_its_source(name: str, reason: str) -> None:
    with pytest.raises(InvalidActor) as refused:
        check_actor(name, "LEDGER_ACTOR")
    assert refused.value.code == "invalid_field"
    assert refused.value.message.startswith("LEDGER_ACTOR ")
    assert reason in refused.value.message
    assert "\x1b" not in refused.value.message and "\u202e" not in refused.value.message


def test_the_actor_is_the_option_then_the_environment_then_the_system_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ACTOR_ENV, "from-environment")
    assert resolve_actor("from-option") == "from-option"
    assert resolve_actor() == "from-environment"
    monkeypatch.setenv(ACTOR_ENV, "")
    assert resolve_actor() == system_user()
    monkeypatch.delenv(ACTOR_ENV)
    assert resolve_actor() == system_user()


def test_an_unfit_environment_actor_is_refused_not_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ACTOR_ENV, "bad\x07name")
    with pytest.raises(InvalidActor, match=ACTOR_ENV):
        resolve_actor()


@pytest.mark.parametrize("failure", [OSError("no user"), KeyError("uid 4242"), "unfit"])
def test_a_system_without_a_fit_user_name_gives_its_uid(
    monkeypatch: pytest.MonkeyPatch, failure: object
) -> None:
    def getuser() -> str:
        if isinstance(failure, BaseException):
            raise failure
        return "bad\nname"

    monkeypatch.setattr(actors.getpass, "getuser", getuser)
    monkeypatch.setattr(actors.os, "getuid", lambda: 4242)
    system_user.cache_clear()
    try:
        assert system_user() == "uid-4242"
    finally:
        system_user.cache_clear()


STORED = StoredEvent(
    originator_id=UUID("12345678-1234-5678-1234-567812345678"),
    originator_version=3,
    topic="enrollment_ledger.domain.household:Household.ChangeReported",
    state=b'{"on":"2026-03-16"}',
)


def test_a_link_without_an_actor_hashes_the_canonical_bytes_as_before() -> None:
    assert link_bytes(7, STORED) == canonical_bytes(7, STORED)
    expected = hashlib.sha256(GENESIS + canonical_bytes(7, STORED)).digest()
    assert chain_link(GENESIS, 7, STORED) == expected


def test_a_link_with_an_actor_opens_with_the_marker_and_the_actors_length() -> None:
    assert link_bytes(7, STORED, "José") == (
        ATTRIBUTED_LINK + b"5\nJos\xc3\xa9" + canonical_bytes(7, STORED)
    )
    assert not canonical_bytes(7, STORED).startswith(ATTRIBUTED_LINK)


@pytest.mark.parametrize(("first", "second"), [("alice", "alicf"), ("alice", None), ("a", "a ")])
def test_two_actors_of_the_same_event_give_two_links(first: str, second: str | None) -> None:
    assert chain_link(GENESIS, 7, STORED, first) != chain_link(GENESIS, 7, STORED, second)


def test_a_kafka_record_names_who_recorded_its_event_and_omits_an_unknown_one() -> None:
    rendered = {
        "id": "e1",
        "type": "ChangeReported",
        "aggregate_id": str(STORED.originator_id),
        "recorded_at": "2026-03-16T10:00:00+00:00",
        "effective_on": "2026-03-16",
        "citation": None,
        "policy_version": None,
        "recorded_by": "intake desk 3",
    }
    assert header_map(to_record(rendered).headers)["ce_recordedby"] == "intake desk 3"
    unknown = header_map(to_record({**rendered, "recorded_by": None}).headers)
    assert "ce_recordedby" not in unknown
