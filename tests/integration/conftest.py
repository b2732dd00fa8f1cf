"""Session-wide real servers (PostgreSQL 16, a Kafka-compatible broker); see tests/servers.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ..servers import PostgresDatabases, postgres_server, tansu_broker


@pytest.fixture(scope="session")
def postgres_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresDatabases]:
    with postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        databases = PostgresDatabases(url)
        yield databases
        databases.close()


@pytest.fixture
def pg_store_url(postgres_databases: PostgresDatabases) -> str:
    """`postgresql://...` of a fresh, empty database."""
    return postgres_databases.create()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    with tansu_broker() as bootstrap:
        yield bootstrap


@pytest.fixture
def topic() -> str:
    return f"ledger-test-{uuid.uuid4().hex[:12]}"
