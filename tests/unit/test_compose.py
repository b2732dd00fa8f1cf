"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the relay's command
uses only options the CLI accepts and points at the compose services, every server has a health
check the relay waits for, and Kafka's KRaft settings are consistent."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from enrollment_ledger.adapters.cli.main import _parser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"]
    return found


def env(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {k: str(v) for k, v in environment.items()}


def test_the_relay_command_parses_with_the_cli_parser(services: dict[str, Any]) -> None:
    command = services["relay"]["command"]
    assert isinstance(command, list)
    assert command[0] == "enrollment-ledger"
    args = _parser().parse_args(command[1:])
    assert args.subcommand == "relay"
    assert not args.until_caught_up  # in production the relay follows the store


def test_the_relay_reaches_the_compose_kafka_and_postgres(services: dict[str, Any]) -> None:
    args = _parser().parse_args(services["relay"]["command"][1:])
    host, port = args.kafka.split(":")
    kafka_env = env(services["kafka"])
    assert host in services
    assert f"PLAINTEXT://{host}:{port}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")

    store = urlsplit(args.store)
    postgres_env = env(services["postgres"])
    assert store.scheme == "postgresql"
    assert store.hostname in services
    assert store.username == postgres_env["POSTGRES_USER"]
    assert store.password == postgres_env["POSTGRES_PASSWORD"]
    assert store.path == "/" + postgres_env["POSTGRES_DB"]


def test_the_servers_have_health_checks_the_relay_waits_for(services: dict[str, Any]) -> None:
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in " ".join(
        services["kafka"]["healthcheck"]["test"]
    )
    depends = services["relay"]["depends_on"]
    assert depends == {
        "postgres": {"condition": "service_healthy"},
        "kafka": {"condition": "service_healthy"},
    }


def test_the_images_are_postgresql_16_and_the_official_kafka(services: dict[str, Any]) -> None:
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["relay"]["build"]["context"] == "."
    assert (ROOT / services["relay"]["build"]["dockerfile"]).is_file()


def test_kafka_runs_in_kraft_mode_with_consistent_listeners(services: dict[str, Any]) -> None:
    kafka = env(services["kafka"])
    assert set(kafka["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    node_id, controller = kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].split("@")
    assert node_id == kafka["KAFKA_NODE_ID"]
    protocols = dict(p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    listeners = {entry.split("://")[0]: entry for entry in kafka["KAFKA_LISTENERS"].split(",")}
    assert set(listeners) == set(protocols)
    assert kafka["KAFKA_CONTROLLER_LISTENER_NAMES"] in listeners
    assert listeners[kafka["KAFKA_CONTROLLER_LISTENER_NAMES"]].endswith(
        ":" + controller.split(":")[1]
    )
    assert kafka["KAFKA_INTER_BROKER_LISTENER_NAME"] in listeners
    for advertised in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","):
        assert advertised.split("://")[0] in listeners
    assert kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"


def test_stateful_services_keep_their_data_in_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    named = set(compose["volumes"])
    for service, path in (
        ("postgres", "/var/lib/postgresql/data"),
        ("kafka", env(services["kafka"])["KAFKA_LOG_DIRS"]),
    ):
        mounts = dict(v.split(":", 1) for v in services[service]["volumes"])
        assert path in mounts.values()
        assert {k for k, v in mounts.items() if v == path} <= named


def test_the_dockerfile_installs_the_extras_the_relay_needs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert ".[postgres,kafka]" in dockerfile
    assert "USER " in dockerfile


def test_postgresql_starts_with_a_shared_buffers_setting(services: dict[str, Any]) -> None:
    """The server's own cache is set (PostgreSQL's default 128 MB read a 100,000-household store
    from disk; README, seventh pass of issue 22), and overridable per host."""
    command = services["postgres"]["command"]
    assert command[0] == "postgres"
    settings = [command[i + 1] for i, arg in enumerate(command) if arg == "-c"]
    assert any(s.startswith("shared_buffers=${LEDGER_PG_SHARED_BUFFERS:-") for s in settings)
