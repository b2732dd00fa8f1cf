"""The CloudEvents Kafka binding (binary content mode) of a rendered ledger event.

Headers: `ce_specversion` "1.0", `ce_id` (the event id: a redelivery carries the same one),
`ce_type` `org.mahealthconnector.ledger.<EventType>`, `ce_source`, `ce_subject` (the aggregate
id), `ce_time` (when the ledger recorded the event, RFC 3339), `content-type`
application/json, `ce_dataschema` (the `$id` of the event's JSON Schema,
`event_schema.schema_id`), and the extensions `ce_partitionkey` (the message key),
`ce_effectiveon`, `ce_recordedat`, `ce_citation`, `ce_policyversion` and `ce_recordedby` (who
recorded the event: the actor of its command; no header for an event recorded before the ledger
kept actors) (an absent value has no header). The key is the household id (the employer id for
an employer's records, see `partition.py`), so a partition keeps each household's whole story in
store order; the value is the event as `apply` prints it, its member data left out unless the
relay was told otherwise (`member_data.py`). No Kafka import here: this
module is plain data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..event_schema import SCHEMA_PREFIX, schema_id
from ..wire import dumps_bytes

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


def to_record(rendered: dict[str, Any], key: str) -> KafkaRecord:
    """A rendered event (`wire.render_event`) as a binary-mode CloudEvent Kafka record, with its
    message key (`partition.PartitionKeys.key_of`), which `ce_partitionkey` repeats.

    The headers, in this order, an absent value having none: `ce_specversion`, `ce_id`,
    `ce_type`, `ce_source`, `ce_subject`, `ce_partitionkey`, `ce_dataschema`, `ce_time`,
    `content-type`, `ce_effectiveon`, `ce_recordedat`, `ce_citation`, `ce_policyversion`,
    `ce_recordedby`, then `member_data_headers`. Each is the value's text in UTF-8; the ones that
    depend on the event's type only are encoded once per type (`_type_headers`)."""
    recorded_at = rfc3339(str(rendered["recorded_at"])).encode()
    ce_type, ce_dataschema = _type_headers(str(rendered["type"]))
    key_bytes = key.encode()
    headers = [
        _SPEC_VERSION,
        ("ce_id", str(rendered["id"]).encode()),
        ce_type,
        _SOURCE,
        ("ce_subject", str(rendered["aggregate_id"]).encode()),
        ("ce_partitionkey", key_bytes),
        ce_dataschema,
        ("ce_time", recorded_at),
        _CONTENT_TYPE,
    ]
    effective_on = rendered.get("effective_on")
    if effective_on is not None:
        headers.append(("ce_effectiveon", str(effective_on).encode()))
    headers.append(("ce_recordedat", recorded_at))
    for name, field in _OPTIONAL:
        value = rendered.get(field)
        if value is not None:
            headers.append((name, str(value).encode()))
    member_data = rendered.get("member_data")
    if member_data is not None:
        headers.extend((n, str(v).encode()) for n, v in member_data_headers(member_data))
    return KafkaRecord(key=key_bytes, value=dumps_bytes(rendered), headers=headers)


_SPEC_VERSION = ("ce_specversion", SPEC_VERSION.encode())
_SOURCE = ("ce_source", SOURCE.encode())
_CONTENT_TYPE = ("content-type", CONTENT_TYPE.encode())
_OPTIONAL = (
    ("ce_citation", "citation"),
    ("ce_policyversion", "policy_version"),
    ("ce_recordedby", "recorded_by"),
)
"""The headers after `ce_recordedat`, each from the value's field of that name when present."""


@cache
def _type_headers(event_type: str) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    """`ce_type` and `ce_dataschema` of an event type, encoded once."""
    return (
        ("ce_type", (TYPE_PREFIX + event_type).encode()),
        ("ce_dataschema", schema_id(event_type).encode()),
    )


def member_data_headers(member_data: Any) -> list[tuple[str, Any]]:
    """`ce_memberdata` (omitted, encrypted or included) and `ce_memberdatafields` (the fields,
    comma-separated) for an event with member data (`member_data.py`); none for one without."""
    if not isinstance(member_data, dict):
        return []
    return [
        ("ce_memberdata", member_data["mode"]),
        ("ce_memberdatafields", ",".join(member_data["fields"])),
    ]


def header_map(headers: list[tuple[str, bytes]] | None) -> dict[str, str]:
    """Kafka headers as text (the last value of a repeated header wins)."""
    return {name: value.decode("utf-8", "replace") for name, value in headers or []}


HEADERS_SCHEMA: dict[str, Any] = {
    "$id": "urn:mahealthconnector:enrollment-ledger:schema:kafka-headers:v1",
    "title": "The Kafka headers of a ledger event (CloudEvents 1.0, Kafka binding, binary mode)",
    "description": "Header values are UTF-8 text. A header whose value would be null is absent. "
    "More extensions may be added: a consumer ignores headers it does not know.",
    "type": "object",
    "properties": {
        "ce_specversion": {"const": SPEC_VERSION, "description": "CloudEvents version"},
        "ce_id": {
            "type": "string",
            "format": "uuid",
            "description": "the event's id (the value's `id`); a redelivery carries the same one: "
            "drop duplicates by it",
        },
        "ce_type": {
            "type": "string",
            "pattern": "^" + TYPE_PREFIX.replace(".", "\\.") + "[A-Za-z]+$",
            "description": f"{TYPE_PREFIX}<the value's `type`>",
        },
        "ce_source": {"const": SOURCE, "description": "the ledger"},
        "ce_subject": {
            "type": "string",
            "format": "uuid",
            "description": "the aggregate the event belongs to (the value's `aggregate_id`)",
        },
        "ce_partitionkey": {
            "type": "string",
            "description": "the message key: the household id as given in commands (the employer "
            "id for an employer's records); every event of a household, its enrollments, waivers "
            "and appeals has it, so they share a partition, in store order",
        },
        "ce_time": {
            "type": "string",
            "format": "date-time",
            "description": "when the ledger recorded the event (RFC 3339, UTC)",
        },
        "content-type": {"const": CONTENT_TYPE, "description": "the value is JSON"},
        "ce_dataschema": {
            "type": "string",
            "pattern": "^" + SCHEMA_PREFIX + "[A-Za-z]+:v[0-9]+$",
            "description": "the `$id` of the value's JSON Schema (`enrollment-ledger schema`), "
            "versioned by the event's class_version",
        },
        "ce_effectiveon": {
            "type": "string",
            "format": "date",
            "description": "the day the event takes effect (the value's `effective_on`); absent "
            "when that day is member data the message leaves out (a death, a member's life "
            "event: `ce_memberdatafields` names `effective_on`)",
        },
        "ce_recordedat": {
            "type": "string",
            "format": "date-time",
            "description": "the same instant as ce_time",
        },
        "ce_citation": {
            "type": "string",
            "description": "the clause of 956 CMR 12.00 applied (absent for a recorded fact)",
        },
        "ce_policyversion": {
            "type": "string",
            "description": "the dated policy parameters in force (absent for a recorded fact)",
        },
        "ce_recordedby": {
            "type": "string",
            "description": "who recorded the event: the actor of its command (the value's "
            "`recorded_by`; absent for an event recorded before the ledger kept actors)",
        },
        "ce_memberdata": {
            "enum": ["omitted", "encrypted", "included"],
            "description": "what the message does with the event's member data (the value's "
            "`member_data.mode`): left out (the relay's default), encrypted with the topic key, "
            "or in clear (only from an unencrypted store); absent for an event without member "
            "data",
        },
        "ce_memberdatafields": {
            "type": "string",
            "description": "the event's member data fields, comma-separated (the value's "
            "`member_data.fields`); absent for an event without member data",
        },
    },
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_subject",
        "ce_partitionkey",
        "ce_time",
        "content-type",
        "ce_dataschema",
        "ce_recordedat",
    ],
}
"""The JSON Schema of a message's headers (as text: `header_map`)."""

KEY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "UTF-8: the household id as given in commands (the employer id for an "
    "employer's records); the same as ce_partitionkey",
}
