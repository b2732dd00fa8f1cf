"""A read-only path to one aggregate's events in an SQLite store, with the standard library's
`sqlite3` and the eventsourcing mapper only: the `coverage` and `balance` commands use it so a
query process does not pay for importing SQLAlchemy (the benchmark's `cli.seconds`).

It reads the same table the recorder writes (`ledger_events`: aggregate ids as 16 bytes) and
decodes with the ledger's own transcodings and cipher, so its events are the recorder's events.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from ...domain.storage import register_ledger_transcodings
from .opening import read_only_uri


class SqliteEventReader:
    def __init__(self, path: Path, cipher_key: str | None) -> None:
        self.connection = sqlite3.connect(read_only_uri(path), uri=True)
        transcoder = JSONTranscoder()
        register_ledger_transcodings(transcoder)
        cipher = None
        if cipher_key is not None:
            from eventsourcing.cryptography import AESCipher
            from eventsourcing.utils import Environment

            cipher = AESCipher(Environment(env={"CIPHER_KEY": cipher_key}))
        self.mapper: Mapper[UUID] = Mapper(transcoder=transcoder, cipher=cipher)

    def meta(self, name: str) -> str | None:
        row = self.connection.execute(
            "SELECT value FROM ledger_meta WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else str(row[0])

    def aggregate_events(self, aggregate_id: UUID) -> list[Any]:
        rows = self.connection.execute(
            "SELECT originator_version, topic, state FROM ledger_events "
            "WHERE originator_id = ? ORDER BY originator_version",
            (aggregate_id.bytes,),
        ).fetchall()
        return [
            self.mapper.to_domain_event(StoredEvent(aggregate_id, version, topic, bytes(state)))
            for version, topic, state in rows
        ]

    def close(self) -> None:
        self.connection.close()
