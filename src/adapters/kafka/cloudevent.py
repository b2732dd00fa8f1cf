"""The CloudEvents Kafka binding (binary content mode) of a rendered ledger event.

Headers: `ce_specversion` "1.0", `ce_id` (the event id: a redelivery carries the same one),
`ce_type` `org.mahealthconnector.ledger.<EventType>`, `ce_source`, `ce_subject` (the aggregate
id), `ce_time` (when the ledger recorded the event, RFC 3339), `content-type`
application/json, and the extensions `ce_effectiveon`, `ce_recordedat`, `ce_citation` and
`ce_policyversion` (an absent value has no header). The key is the aggregate id, so a partition
keeps each aggregate's events in order; the value is the event exactly as `apply` prints it.
No Kafka import here: this module is plain data.

One more extension, `ce_recordedby`: who recorded the event (the actor of its command; no
header for an event recorded before the ledger kept actors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..wire import dumps

SPEC_VERSION = "1.0"
TYPE_PREFIX = "org.mahealthconnector.ledger."
SOURCE = "/mahealthconnector/enrollment-ledger"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def rfc3339(instant: str) -> str:
    """`2026-01-05T10:00:00+00:00` -> `2026-01-05T10:00:00Z` (either form is RFC 3339)."""
    return instant[:-6] + "Z" if instant.endswith("+00:00") else instant


def to_record(rendered: dict[str, Any]) -> KafkaRecord:
    """A rendered event (`wire.render_event`) as a binary-mode CloudEvent Kafka record."""
    recorded_at = rfc3339(str(rendered["recorded_at"]))
    attributes: list[tuple[str, Any]] = [
        ("ce_specversion", SPEC_VERSION),
        ("ce_id", rendered["id"]),
        ("ce_type", TYPE_PREFIX + str(rendered["type"])),
        ("ce_source", SOURCE),
        ("ce_subject", rendered["aggregate_id"]),
        ("ce_time", recorded_at),
        ("content-type", CONTENT_TYPE),
        ("ce_effectiveon", rendered.get("effective_on")),
        ("ce_recordedat", recorded_at),
        ("ce_citation", rendered.get("citation")),
        ("ce_policyversion", rendered.get("policy_version")),
        ("ce_recordedby", rendered.get("recorded_by")),
    ]
    headers = [(name, str(value).encode()) for name, value in attributes if value is not None]
    return KafkaRecord(
        key=str(rendered["aggregate_id"]).encode(),
        value=dumps(rendered).encode(),
        headers=headers,
    )


def header_map(headers: list[tuple[str, bytes]] | None) -> dict[str, str]:
    """Kafka headers as text (the last value of a repeated header wins)."""
    return {name: value.decode("utf-8", "replace") for name, value in headers or []}
