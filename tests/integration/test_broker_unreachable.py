"""A relay or a consumer aimed at a port where no broker listens answers `broker_unavailable`
(exit 1), never a traceback; nothing is published and the relay's position stays where it was.
The wait is bounded by `producing.BOOTSTRAP_SECONDS` given to every kafka-python client (not its
30-second default): checked on the settings, never by timing a test."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.failures import BrokerUnavailable
from enrollment_ledger.adapters.kafka.consumer import ConsumeOptions, run_consume
from enrollment_ledger.adapters.kafka.producing import BOOTSTRAP_SECONDS, bootstrap_settings
from enrollment_ledger.adapters.kafka.relay import RelayOptions, run_relay
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from ..servers import free_port
from .kafka_helpers import seed_stories
from .test_kafka_relay import relay_position

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def nowhere() -> str:
    """A loopback address where nothing listens."""
    return f"127.0.0.1:{free_port()}"


def test_a_relay_aimed_where_no_broker_listens_answers_broker_unavailable(
    store_url: str,
) -> None:
    events = seed_stories(store_url, range(1))
    ledger = build_ledger(store_url)
    try:
        with pytest.raises(BrokerUnavailable, match="no Kafka broker answers"):
            run_relay(ledger, RelayOptions(kafka=nowhere(), until_caught_up=True), io.StringIO())
    finally:
        ledger.close()
    assert len(events) > 0 and relay_position(store_url, "enrollment-ledger.events") == 0


@pytest.mark.parametrize("from_current_state", [False, True])
def test_a_consumer_aimed_where_no_broker_listens_answers_broker_unavailable(
    from_current_state: bool,
) -> None:
    options = ConsumeOptions(kafka=nowhere(), from_current_state=from_current_state)
    with pytest.raises(BrokerUnavailable, match="no Kafka broker answers"):
        run_consume(options, io.StringIO())


def test_the_command_line_answers_the_coded_error_for_an_unreachable_broker(
    store_url: str,
) -> None:
    seed_stories(store_url, range(1))
    for command in (
        ["relay", "--store", store_url, "--kafka", nowhere(), "--until-caught-up"],
        ["consume", "--kafka", nowhere(), "--max-messages", "1"],
    ):
        done = subprocess.run([*CLI, *command], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        error = json.loads(done.stdout.strip().splitlines()[-1])["error"]
        assert error["code"] == "broker_unavailable"
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("client", [KafkaProducer, KafkaConsumer, KafkaAdminClient])
def test_every_kafka_client_waits_a_bounded_time_for_the_bootstrap_servers(client: type) -> None:
    settings = bootstrap_settings(client)
    assert "bootstrap_timeout_ms" in client.DEFAULT_CONFIG  # the installed kafka-python knows it
    assert settings == {"bootstrap_timeout_ms": int(BOOTSTRAP_SECONDS * 1000)}
    assert settings["bootstrap_timeout_ms"] < client.DEFAULT_CONFIG["bootstrap_timeout_ms"]


def test_a_client_without_the_setting_is_given_nothing_it_would_refuse() -> None:
    class OlderClient:
        DEFAULT_CONFIG = {"api_version_auto_timeout_ms": 2000}

    assert bootstrap_settings(OlderClient) == {}
