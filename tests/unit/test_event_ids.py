"""Event ids are UUID v5 of the aggregate id and the version; the string form the relay and the
read models write is the same id."""

from __future__ import annotations

from uuid import UUID, uuid4, uuid5

from enrollment_ledger.domain.events import event_id, event_id_bytes, event_uuid
from hypothesis import given
from hypothesis import strategies as st


@given(st.uuids(), st.integers(min_value=1, max_value=10**9))
def test_event_id_is_the_string_of_the_version_5_uuid(aggregate_id: UUID, version: int) -> None:
    assert event_id(aggregate_id, version) == str(uuid5(aggregate_id, str(version)))
    assert UUID(event_id(aggregate_id, version)) == event_uuid(aggregate_id, version)
    assert UUID(event_id(aggregate_id, version)).version == 5


@given(st.uuids(), st.integers(min_value=1, max_value=10**9))
def test_the_bytes_of_an_event_id_are_those_of_the_version_5_uuid(
    aggregate_id: UUID, version: int
) -> None:
    assert event_id_bytes(aggregate_id, version) == uuid5(aggregate_id, str(version)).bytes


def test_event_ids_differ_by_version_and_by_aggregate() -> None:
    first, second = uuid4(), uuid4()
    ids = {event_id(a, v) for a in (first, second) for v in (1, 2, 10)}
    assert len(ids) == 6
