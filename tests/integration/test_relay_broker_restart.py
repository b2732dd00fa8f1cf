"""The Kafka broker restarted under a following relay (issue 11): the producer retries within its
delivery timeout, so events recorded while the broker was down reach the restarted broker, in
order per key, and the relay keeps running (the test broker keeps topics in memory only, so
what the old broker held is gone with it: that loss is the broker's, not the relay's)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from ..servers import free_port, tansu_on
from .kafka_helpers import create_topic, read_topic, seed
from .test_kafka_relay import assert_every_event_in_order, relay_command


def test_events_recorded_while_the_broker_was_down_reach_it_after_its_restart(
    store_url: str, topic: str
) -> None:
    if os.environ.get("LEDGER_TEST_KAFKA"):
        pytest.skip("needs a broker it may stop: runs on the embedded Tansu only")
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    first = seed(store_url, range(2))
    with tansu_on(port):
        create_topic(bootstrap, topic)
        relay = subprocess.Popen(
            relay_command(store_url, bootstrap, topic),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert len(read_topic(bootstrap, topic, len(first))) == len(first)
    try:
        later = seed(store_url, range(2, 4))  # recorded while the broker is down
        time.sleep(1.0)
        with tansu_on(port):
            create_topic(bootstrap, topic)  # an in-memory broker comes back empty
            # Within the relay's acknowledgement timeout (30 s): a producer whose records go to
            # a partition it never wrote before retries the restarted broker's
            # UnknownProducerId until the relay replaces it.
            records = read_topic(bootstrap, topic, len(later), timeout=60)
            assert relay.poll() is None, relay.stderr.read() if relay.stderr else ""
            relay.send_signal(signal.SIGTERM)
            relay.communicate(timeout=20)
        assert_every_event_in_order(records, later)
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.wait(timeout=10)
