"""The message key is whose story an event belongs to: the owner the aggregate's first event
names (an employer before a household), else the aggregate itself."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from enrollment_ledger.adapters.kafka.partition import OWNER_FIELDS, PartitionKeys, owner_named_by
from enrollment_ledger.domain.catalogue import AGGREGATES
from enrollment_ledger.domain.events import LedgerCreated


def creation_events(aggregate: type[Any]) -> list[type[Any]]:
    return [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, LedgerCreated)
    ]


@pytest.mark.parametrize("aggregate", AGGREGATES, ids=lambda a: a.__name__)
def test_every_aggregates_first_event_names_whose_story_it_belongs_to(aggregate: type[Any]) -> None:
    created = creation_events(aggregate)
    assert created, f"{aggregate.__name__} has no creation event"
    for cls in created:
        fields = typing.get_type_hints(cls, localns=vars(cls))
        assert set(OWNER_FIELDS) & set(fields), (
            f"{cls.__qualname__} names none of {OWNER_FIELDS}: its events would be keyed by "
            "their aggregate id; add its owner field to partition.OWNER_FIELDS"
        )


@pytest.mark.parametrize(
    ("fields", "owner"),
    [
        ({"household_id": "H1"}, "H1"),
        ({"employer_id": "ER1"}, "ER1"),
        ({"employer_id": "ER1", "household_id": "H1"}, "ER1"),
        ({"employer_id": "", "household_id": "H1"}, "H1"),
        ({"employer_id": None, "household_id": "H1"}, "H1"),
        ({"enrollment_id": "E1"}, None),
        ({"household_id": ""}, None),
        ({}, None),
    ],
)
def test_the_owner_is_the_employer_else_the_household_a_first_event_names(
    fields: dict[str, Any], owner: str | None
) -> None:
    assert owner_named_by(fields) == owner


def event(aggregate_id: str, version: int, **data: Any) -> dict[str, Any]:
    return {"aggregate_id": aggregate_id, "version": version, "data": data}


ENROLLMENT = "6f2c1c1e-0000-5000-8000-000000000001"
APPEAL = "6f2c1c1e-0000-5000-8000-000000000002"


def test_an_aggregates_later_events_take_the_key_its_first_event_named() -> None:
    keys = PartitionKeys(lambda a: {"household_id": "a household read back"})

    assert keys.key_of(event(ENROLLMENT, 1, enrollment_id="E1", household_id="H1")) == "H1"
    assert keys.key_of(event(ENROLLMENT, 2, amount="150.00")) == "H1"
    assert keys.key_of(event(ENROLLMENT, 3)) == "H1"
    assert keys.lookups == 0


def test_an_aggregate_first_seen_mid_story_is_read_back_once() -> None:
    first_events = {APPEAL: {"appeal_id": "A1", "household_id": "H7"}}
    keys = PartitionKeys(lambda a: first_events.get(str(a)))

    assert [keys.key_of(event(APPEAL, v)) for v in (2, 3, 4)] == ["H7", "H7", "H7"]
    assert keys.lookups == 1


def test_a_forgotten_aggregate_is_read_back_again_with_the_same_key() -> None:
    first_events = {
        ENROLLMENT: {"household_id": "H1"},
        APPEAL: {"household_id": "H2"},
    }
    keys = PartitionKeys(lambda a: first_events.get(str(a)), capacity=1)

    answers = [keys.key_of(event(a, 5)) for a in (ENROLLMENT, APPEAL, ENROLLMENT)]

    assert answers == ["H1", "H2", "H1"]
    assert keys.lookups == 3


def test_an_aggregate_whose_first_event_names_no_owner_keeps_its_own_id_as_key() -> None:
    keys = PartitionKeys(lambda a: None)

    assert keys.key_of(event(ENROLLMENT, 1, enrollment_id="E1")) == ENROLLMENT
    assert keys.key_of(event(APPEAL, 4)) == APPEAL
    assert keys.key_of(event(APPEAL, 5)) == APPEAL
    assert keys.unowned == 2
