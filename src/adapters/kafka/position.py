"""The relay's position and lease, kept in the ledger's own database.

`ledger_relay_position` has one row per topic: `position` (the last notification id the broker
acknowledged), `owner` (the relay holding the lease) and `lease_until` (milliseconds since the
epoch). A relay publishes only while it holds an unexpired lease, renews it on every loop, and
advances the position only as the owner, so two relays on one store never both publish; a relay
that died is replaced once its lease expires. Written with SQLAlchemy Core, so the same on SQLite
and PostgreSQL. Clocks: the lease compares the relays' wall clocks, so keep hosts in NTP sync and
the lease much longer than the skew."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from sqlalchemy import Column, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError, ProgrammingError

from ...domain.ledger import Ledger
from ...runtime.columns import bigint

TABLE_NAME = "ledger_relay_position"


def relay_table(metadata: MetaData) -> Table:
    return Table(
        TABLE_NAME,
        metadata,
        Column("topic", String(249), primary_key=True),
        Column("position", bigint(), nullable=False),
        Column("owner", String(200), nullable=True),
        Column("lease_until", bigint(), nullable=True),
    )


@dataclass(frozen=True)
class Lease:
    owner: str | None
    until_ms: int
    """Milliseconds since the epoch (0: never held)."""
    position: int


class RelayState:
    """Position and lease of one topic's relay, in the store's database."""

    def __init__(
        self,
        ledger: Ledger,
        topic: str,
        owner: str,
        lease_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.topic = topic
        self.owner = owner
        self.lease_ms = int(lease_seconds * 1000)
        self.clock = clock
        self.engine: Any = ledger.recorder.datastore.engine  # type: ignore[attr-defined]
        self.table = relay_table(MetaData())

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def ensure(self) -> None:
        """Create the table and the topic's row when missing (safe when relays race)."""
        for attempt in range(3):
            try:
                self.table.create(self.engine, checkfirst=True)
                break
            except (IntegrityError, ProgrammingError):
                if attempt == 2:
                    raise
        if self._row() is not None:
            return
        try:
            with self.ledger.storage.write_transaction() as session:
                session.execute(
                    insert(self.table).values(
                        topic=self.topic, position=0, owner=None, lease_until=None
                    )
                )
        except (IntegrityError, StoreIntegrityError):
            pass  # another relay inserted it first

    def _row(self) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(
                select(self.table.c.position, self.table.c.owner, self.table.c.lease_until).where(
                    self.table.c.topic == self.topic
                )
            ).first()

    def position(self) -> int:
        row = self._row()
        return int(row.position) if row is not None else 0

    def lease(self) -> Lease:
        """The topic's row as it stands: who holds the lease, until when, and the position."""
        row = self._row()
        if row is None:
            return Lease(None, 0, 0)
        return Lease(row.owner, int(row.lease_until or 0), int(row.position))

    def now_ms(self) -> int:
        return self._now_ms()

    def holder(self) -> str | None:
        """The owner of an unexpired lease, if any."""
        row = self._row()
        if row is None or row.owner is None or (row.lease_until or 0) <= self._now_ms():
            return None
        return str(row.owner)

    def acquire(self) -> bool:
        """Take or renew the lease; False while another relay holds an unexpired one."""
        now = self._now_ms()
        c = self.table.c
        statement = (
            update(self.table)
            .where(c.topic == self.topic)
            .where((c.owner == self.owner) | c.owner.is_(None) | (c.lease_until <= now))
            .values(owner=self.owner, lease_until=now + self.lease_ms)
        )
        with self.ledger.storage.write_transaction() as session:
            return bool(session.execute(statement).rowcount == 1)

    def advance(self, position: int) -> bool:
        """Record the acknowledged position (and renew); False if the lease was lost."""
        c = self.table.c
        statement = (
            update(self.table)
            .where(c.topic == self.topic)
            .where(c.owner == self.owner)
            .values(position=position, lease_until=self._now_ms() + self.lease_ms)
        )
        with self.ledger.storage.write_transaction() as session:
            return bool(session.execute(statement).rowcount == 1)

    def release(self) -> None:
        c = self.table.c
        statement = (
            update(self.table)
            .where(c.topic == self.topic)
            .where(c.owner == self.owner)
            .values(owner=None, lease_until=None)
        )
        with self.ledger.storage.write_transaction() as session:
            session.execute(statement)
