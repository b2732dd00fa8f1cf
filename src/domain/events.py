"""What every ledger event carries, and the instant it is recorded at.

Every event names its business date `on` (the day it happened or was decided), its
`effective_on`, the `citation` of the rule applied and the `policy_version` in force (both None
for facts the ledger merely records). The record instant is set by the service layer with
`recording_at`; the domain itself never reads the clock.
"""

from __future__ import annotations

import copy
import copyreg
from collections.abc import Iterator, Mapping
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
    h = event_id_bytes(aggregate_id, version).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def event_id_bytes(aggregate_id: UUID, version: int) -> bytes:
    """`event_uuid(aggregate_id, version).bytes`, without building the UUID (the store keeps it
    with every event's Merkle leaf)."""
    digest = bytearray(sha1(aggregate_id.bytes + str(version).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return bytes(digest)


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
    """Base of every initial event: the aggregate it makes keeps its business date as
    `opened_on` (no command dated before it can act on the aggregate)."""

    on: Any
    effective_on: Any
    citation: str | None
    policy_version: str | None

    @staticmethod
    def create_timestamp() -> datetime:
        return current_record_instant()

    def mutate(self, aggregate: Any) -> Any:
        created: Any = super().mutate(aggregate)
        created.opened_on = self.on
        return created


class CopiedForCommands:
    """Aggregates are cached between commands and handed to each command as a copy (so a refused
    command cannot corrupt the cache). State is plain values in dicts, lists and sets of flat
    records, so a copy one level deep into each container is a full copy, and much cheaper than
    `copy.deepcopy`'s generic walk. Each value's type is looked at once (`_KINDS`): a plain value
    is kept, a record copied by a shallow copy of its fields."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        clone = object.__new__(type(self))
        state = vars(self).copy()  # then each container replaced by its copy
        kinds = _KINDS
        for key, value in state.items():
            kind = kinds.get(type(value))
            if kind is None:
                kind = _kind_of(type(value))
            if kind == _DICT:
                state[key] = {k: _copy_record(v) for k, v in value.items()}
            elif kind == _LIST:
                state[key] = [_copy_record(v) for v in value]
            elif kind == _SET:
                state[key] = set(value)
        clone.__dict__ = state
        return clone


# How a value is copied, one level into a container, its records shallowly (plain numbers: an
# Enum member's lookup costs ten times more, and this runs for every field of every copy).
_KEPT = 0  # an immutable value (or an object shared on purpose): the same object
_DICT = 1  # a dict: a new plain dict (of copied records, in an aggregate's field)
_LIST = 2
_SET = 3
_RECORD = 4  # a mutable dataclass: `copy.copy`
_RECORD_FIELDS = 5  # a mutable dataclass copied by its fields' dict (what `copy.copy` does)

_KINDS: dict[type, int] = {}
"""Each type's kind, decided once (`_kind_of`)."""


def _kind_of(cls: type) -> int:
    record: Any = cls
    if issubclass(cls, dict):
        kind = _DICT
    elif issubclass(cls, list):
        kind = _LIST
    elif issubclass(cls, set):
        kind = _SET
    elif hasattr(cls, "__dataclass_fields__") and not record.__dataclass_params__.frozen:
        kind = _RECORD_FIELDS if _copied_by_fields(cls) else _RECORD
    else:
        kind = _KEPT
    _KINDS[cls] = kind
    return kind


def _copied_by_fields(cls: type) -> bool:
    """Whether `copy.copy` of an instance is a new instance with a copy of its `__dict__`: an
    ordinary class that customises neither copying, pickling nor its construction."""
    plain: Any = object
    kind: Any = cls
    return (
        all("__slots__" not in vars(c) for c in cls.__mro__[:-1])
        and getattr(cls, "__copy__", None) is None
        and getattr(cls, "__setstate__", None) is None
        and kind.__reduce_ex__ is plain.__reduce_ex__
        and kind.__reduce__ is plain.__reduce__
        and kind.__getstate__ is plain.__getstate__
        and kind.__new__ is plain.__new__
        and copyreg.dispatch_table.get(cls) is None
    )


def _copy_record(value: Any) -> Any:
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = _kind_of(type(value))
    if kind == _KEPT:
        return value
    if kind == _RECORD_FIELDS:
        clone = object.__new__(type(value))
        clone.__dict__ = vars(value).copy()  # a copy of the dict: faster than filling a new one
        return clone
    if kind == _DICT:
        return dict(value)
    if kind == _RECORD:
        return copy.copy(value)
    return value


BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
COMMON_FIELDS = frozenset({"on", "effective_on", "citation", "policy_version"})
_NOT_OWN = BASE_FIELDS | COMMON_FIELDS


def event_data(event: Any) -> dict[str, Any]:
    """An event's own fields (without the library's bookkeeping and the common ones)."""
    return own_fields(vars(event))


def own_fields(state: Mapping[str, Any]) -> dict[str, Any]:
    """The event-specific fields of an event's state (an event's `vars`, or its stored state), in
    a new dict."""
    return {key: value for key, value in state.items() if key not in _NOT_OWN}
