"""What the ledger needs of its store: how its event values are written as JSON (UUIDs,
Decimals, instants and dates) and the `LedgerStorage` port beyond events (the command log, the
payment reference index, the schedule index), implemented in `adapters.store`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_ledger_transcodings(transcoder: JSONTranscoder) -> None:
    """How the ledger's event values are written as JSON: UUIDs, Decimals, instants and dates."""
    transcoder.register(UUIDAsHex())
    transcoder.register(DecimalAsStr())
    transcoder.register(DatetimeAsISO())
    transcoder.register(DateAsISO())


MAX_CONFLICT_RETRIES = 5
"""How often a command (or the store-wide indexing of payment references) is tried again after
another writer changed the same records."""

EventKeys = list[tuple[UUID, int]]
"""Events named by (aggregate id, version)."""


class LedgerStorage(Protocol):
    """What the ledger needs of its store beyond events (implemented in adapters.store)."""

    def write_transaction(self, recorded_by: str | None = None) -> AbstractContextManager[Any]:
        """One atomic unit of work; the events it stores are recorded by `recorded_by` (the
        command's actor, kept by the store with each event, outside the event itself)."""
        ...

    def find_command(self, command_id: str) -> tuple[EventKeys, str | None] | None:
        """The events a command id recorded and the command's fingerprint (None when the store
        kept none, for a command recorded before fingerprints were kept)."""
        ...

    def record_command(
        self,
        command_id: str,
        events: Sequence[tuple[UUID, int]],
        fingerprint: str | None,
        recorded_by: str | None = None,
    ) -> None: ...

    def find_reference(self, key: str) -> EventKeys | None:
        """The events of the command that recorded the payment reference keyed `key`."""
        ...

    def record_reference(self, key: str, events: Sequence[tuple[UUID, int]]) -> None: ...

    def references_indexed(self) -> bool:
        """Whether every stored payment's reference is in the reference index."""
        ...

    def mark_references_indexed(self) -> None: ...

    def select_topic(self, topic: str) -> Sequence[Any]:
        """Every stored event of one topic, in store order."""
        ...

    def set_next_due(self, dues: Mapping[UUID, date | None]) -> None: ...

    def due_through(self, through: date) -> list[UUID]: ...

    def schedule_through(self) -> date | None: ...

    def raise_schedule_through(self, through: date) -> None: ...

    def select_aggregates(self, aggregate_ids: Sequence[UUID]) -> Sequence[Any]: ...

    def select_after(self, versions: Mapping[UUID, int]) -> Sequence[Any]:
        """The stored events of each aggregate after its version (0: all of them), each
        aggregate's in order."""
        ...
