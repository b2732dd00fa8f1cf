"""A relay or a consumer aimed at a port where no broker listens answers `broker_unavailable`
(exit 1) within a few seconds (`producing.BOOTSTRAP_SECONDS`), not after kafka-python's
30-second bootstrap wait; nothing is published and the relay's position stays where it was."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.failures import BrokerUnavailable
from enrollment_ledger.adapters.kafka.consumer import ConsumeOptions, run_consume
from enrollment_ledger.adapters.kafka.producing import BOOTSTRAP_SECONDS
from enrollment_ledger.adapters.kafka.relay import RelayOptions, run_relay

from ..servers import free_port
from .kafka_helpers import seed_stories
from .test_kafka_relay import relay_position

WITHIN = BOOTSTRAP_SECONDS + 5  # the bounded wait, and room for a loaded machine
CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def nowhere() -> str:
    """A loopback address where nothing listens."""
    return f"127.0.0.1:{free_port()}"


def test_a_relay_aimed_where_no_broker_listens_answers_broker_unavailable_within_seconds(
    store_url: str,
) -> None:
    events = seed_stories(store_url, range(1))
    ledger = build_ledger(store_url)
    started = time.monotonic()
    try:
        with pytest.raises(BrokerUnavailable, match="no Kafka broker answers"):
            run_relay(ledger, RelayOptions(kafka=nowhere(), until_caught_up=True), io.StringIO())
    finally:
        ledger.close()
    assert time.monotonic() - started < WITHIN
    assert len(events) > 0 and relay_position(store_url, "enrollment-ledger.events") == 0


@pytest.mark.parametrize("from_current_state", [False, True])
def test_a_consumer_aimed_where_no_broker_listens_answers_broker_unavailable_within_seconds(
    from_current_state: bool,
) -> None:
    options = ConsumeOptions(kafka=nowhere(), from_current_state=from_current_state)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable, match="no Kafka broker answers"):
        run_consume(options, io.StringIO())
    assert time.monotonic() - started < WITHIN


def test_the_command_line_answers_the_coded_error_for_an_unreachable_broker(
    store_url: str,
) -> None:
    seed_stories(store_url, range(1))
    for command in (
        ["relay", "--store", store_url, "--kafka", nowhere(), "--until-caught-up"],
        ["consume", "--kafka", nowhere(), "--max-messages", "1"],
    ):
        started = time.monotonic()
        done = subprocess.run([*CLI, *command], capture_output=True, text=True, timeout=60)
        took = time.monotonic() - started
        assert done.returncode == 1, done.stderr
        error = json.loads(done.stdout.strip().splitlines()[-1])["error"]
        assert error["code"] == "broker_unavailable"
        assert "Traceback" not in done.stderr
        assert took < WITHIN + 5  # a process start on a loaded machine, too
