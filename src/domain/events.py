"""What every ledger event carries, and the instant it is recorded at.

Every event names its business date `on` (the day it happened or was decided), its
`effective_on`, the `citation` of the rule applied and the `policy_version` in force (both None
for facts the ledger merely records). The record instant is set by the service layer with
`recording_at`; the domain itself never reads the clock.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from hashlib import sha1
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

LEDGER_NAMESPACE = uuid5(NAMESPACE_URL, "urn:enrollment-ledger")

_recorded_at: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


@contextmanager
def recording_at(instant: datetime) -> Iterator[None]:
    """Events created inside this block are stamped with `instant` as their record time."""
    if instant.tzinfo is None:
        raise ValueError("the record instant must carry a time zone offset")
    token = _recorded_at.set(instant)
    try:
        yield
    finally:
        _recorded_at.reset(token)


def current_record_instant() -> datetime:
    instant = _recorded_at.get()
    if instant is None:
        raise RuntimeError("ledger events are created only inside recording_at(...)")
    return instant


def aggregate_uuid(kind: str, external_id: str) -> UUID:
    """Deterministic aggregate ids: the same external id gives the same aggregate on replay."""
    return uuid5(LEDGER_NAMESPACE, f"{kind}:{external_id}")


def event_uuid(aggregate_id: UUID, version: int) -> UUID:
    """Deterministic event ids, stable across replays into a fresh store."""
    return uuid5(aggregate_id, str(version))


def event_id(aggregate_id: UUID, version: int) -> str:
    """`str(event_uuid(aggregate_id, version))` (RFC 4122 version 5: SHA-1 of the aggregate id's
    bytes and the version), written out without building the UUID: the relay and the read models
    name one event id per event."""
    digest = bytearray(sha1(aggregate_id.bytes + str(version).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class LedgerEvent(Aggregate.Event):
    """Base of every non-initial event."""

    on: Any
    effective_on: Any
    citation: str | None
    policy_version: str | None

    @staticmethod
    def create_timestamp() -> datetime:
        return current_record_instant()


class LedgerCreated(Aggregate.Created):
    """Base of every initial event."""

    on: Any
    effective_on: Any
    citation: str | None
    policy_version: str | None

    @staticmethod
    def create_timestamp() -> datetime:
        return current_record_instant()


class CopiedForCommands:
    """Aggregates are cached between commands and handed to each command as a copy (so a refused
    command cannot corrupt the cache). State is plain values in dicts, lists and sets of flat
    records, so a copy one level deep into each container is a full copy, and much cheaper than
    `copy.deepcopy`'s generic walk."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        clone = object.__new__(type(self))
        for key, value in vars(self).items():
            if isinstance(value, dict):
                value = {k: _copy_record(v) for k, v in value.items()}
            elif isinstance(value, list):
                value = [_copy_record(v) for v in value]
            elif isinstance(value, set):
                value = set(value)
            vars(clone)[key] = value
        return clone


def _copy_record(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if hasattr(value, "__dataclass_fields__") and not value.__dataclass_params__.frozen:
        return copy.copy(value)
    return value


BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
COMMON_FIELDS = frozenset({"on", "effective_on", "citation", "policy_version"})


def event_data(event: Any) -> dict[str, Any]:
    """An event's own fields (without the library's bookkeeping and the common ones)."""
    return own_fields(vars(event))


def own_fields(state: dict[str, Any]) -> dict[str, Any]:
    """The event-specific fields of an event's state (an event's `vars`, or its stored state)."""
    return {
        key: value
        for key, value in state.items()
        if key not in BASE_FIELDS and key not in COMMON_FIELDS
    }
