"""Handing records to Kafka and waiting for the broker's acknowledgements: the producer's
settings, one send, one wait. Used by the relay for the event topic and by the current-state
topic for the answers (neither imports the other for it)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from .cloudevent import KafkaRecord

BOOTSTRAP_SECONDS = 5.0
"""How long a client waits for a first answer from the bootstrap servers (kafka-python's
`bootstrap_timeout_ms`, 30 s by default) before the relay or `consume` answers
`broker_unavailable`: a broker that is up answers in well under a second, even a slow one."""


def bootstrap_settings(client: type) -> dict[str, Any]:
    """The bounded wait for the bootstrap servers, for a kafka-python client class that knows
    it (kafka-python 3; 2.x answers within `api_version_auto_timeout_ms`, 2 s, instead)."""
    if "bootstrap_timeout_ms" in getattr(client, "DEFAULT_CONFIG", {}):
        return {"bootstrap_timeout_ms": int(BOOTSTRAP_SECONDS * 1000)}
    return {}


class RelayError(Exception):
    """The broker did not acknowledge a batch (the position was not advanced)."""


ANSWERS_COMPRESSION = "gzip"
"""How the current-state answers are sent: gzip (zlib, in C) shrinks their repetitive JSON
several times (less for the broker to store and serve, and for kafka-python's CRC of each
batch, in C with the `crc32c` package the `kafka` extra installs, in pure Python without it);
every Kafka client reads it back transparently."""


def make_producer(bootstrap: str, compression: str | None = None) -> Any:
    """An idempotent, batching producer (acks=all). Where the broker cannot do idempotence,
    one request in flight keeps the order per partition across retries instead. The event
    topic's producer sends uncompressed (`compression` None); the answers' one, gzip."""
    from kafka import KafkaProducer
    from kafka.errors import KafkaConfigurationError

    settings: dict[str, Any] = {
        "bootstrap_servers": bootstrap.split(","),
        "client_id": "enrollment-ledger-relay",
        "acks": "all",
        "linger_ms": 10,
        "batch_size": 256 * 1024,
        "max_request_size": 4 * 1024 * 1024,
        "compression_type": compression,
        **bootstrap_settings(KafkaProducer),
    }
    try:
        return KafkaProducer(enable_idempotence=True, **settings)
    except KafkaConfigurationError:
        return KafkaProducer(
            enable_idempotence=False, max_in_flight_requests_per_connection=1, **settings
        )


def send(producer: Any, topic: str, records: Sequence[KafkaRecord]) -> list[Any]:
    """Hand a batch to the producer (it batches and sends in the background)."""
    return [producer.send(topic, key=r.key, value=r.value, headers=r.headers) for r in records]


def await_acks(futures: Sequence[Any], timeout: float) -> list[Any]:
    """Once the broker acknowledged every record (acks=all), where it put each (kafka-python's
    RecordMetadata); else raise RelayError."""
    deadline = time.monotonic() + timeout
    metadata = []
    for future in futures:
        try:
            metadata.append(future.get(timeout=max(0.0, deadline - time.monotonic())))
        except Exception as e:
            raise RelayError(f"the broker did not acknowledge a record ({type(e).__name__})") from e
    return metadata
