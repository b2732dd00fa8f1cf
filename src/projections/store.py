"""What the read models need of the ledger's store, as a protocol: the arrow points in.

The adapters' recorder (`adapters.store.recorder.LedgerRecorder`) implements `ProjectionStore`
structurally (mypy checks it there); the read models never import it. They write their rows and
positions in its transactions, read the notification log after a position, and, for a rebuild,
read whole aggregates in store order.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol, cast
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from ..domain.ledger import Ledger


class Datastore(Protocol):
    @property
    def engine(self) -> Engine | Connection | None:
        """The SQLAlchemy engine the read models' tables are created with."""
        ...


class ProjectionStore(Protocol):
    """The ledger's store as the read models use it."""

    @property
    def datastore(self) -> Datastore: ...

    def transaction(self, commit: bool) -> AbstractContextManager[Session]:
        """A transaction (a read one when not `commit`); within a write transaction, that one."""
        ...

    def write_transaction(self) -> AbstractContextManager[Session]:
        """One atomic unit of work (on SQLite BEGIN IMMEDIATE: writers queue, never fail)."""
        ...

    def max_notification_id(self) -> int | None:
        """The last position in the notification log (None when the store is empty)."""
        ...

    def read_notifications(
        self, after: int, limit: int, stop: int | None = None
    ) -> Sequence[Notification]:
        """The notifications after position `after` (at most `limit`, none past `stop`), in
        order, in the caller's transaction when one is open."""
        ...

    def select_aggregates(
        self, aggregate_ids: Sequence[UUID], through: int | None = None
    ) -> Sequence[Notification]:
        """Every stored event of the aggregates (none after position `through`), in store
        order."""
        ...

    def aggregate_extents(self, through: int) -> Sequence[tuple[UUID, int]]:
        """Each aggregate with an event at or before position `through`, with how many it has
        there, in the order of their first events."""
        ...


def recorder_of(ledger: Ledger) -> ProjectionStore:
    """The ledger's recorder, as the store the read models need (the ledger is built on the
    adapters' recorder, which implements `ProjectionStore`)."""
    return cast(ProjectionStore, ledger.recorder)
