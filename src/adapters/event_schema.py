"""JSON Schema of every event as it appears on the wire (envelope plus its own data fields).

An event's `data` holds exactly its own fields (every one always present, null where its type
allows) and the business dates `on` and `effective_on` and the `policy_version`, as
`wire.render_state` writes them: what the schema's `required` says and `additionalProperties`
false enforces. Each event's schema names its `class_version` (`x-class-version`): a stored shape
changes only with a new class_version (tests/unit/test_stored_shapes.py)."""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from ..domain.catalogue import event_classes
from ..domain.events import BASE_FIELDS, COMMON_FIELDS
from ..domain.member_data import ENVELOPE_FIELDS, is_member_data, member_fields
from .event_descriptions import EVENTS, field_description

EXAMPLES_FILE = Path(__file__).with_name("event_examples.json")
"""One real event of each type, as the ledger recorded it in the scenarios of
tests/integration/event_example_scenarios.py (recorded by tests/integration/test_event_examples.py)."""


@cache
def examples() -> dict[str, Any]:
    """Event type -> an example event (none when the file is missing)."""
    if not EXAMPLES_FILE.exists():
        return {}
    found: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text())
    return found


SCHEMA_PREFIX = "urn:mahealthconnector:enrollment-ledger:schema:event:"


def class_version(cls: type[Any]) -> int:
    return int(getattr(cls, "class_version", 1))


_CLASS_VERSIONS = {cls.__name__: class_version(cls) for cls in event_classes()}


def schema_id(event_type: str) -> str:
    """The `$id` of an event type's JSON Schema, versioned by the event class's `class_version`
    (the `ce_dataschema` header of its messages; `schema --out DIR` writes events/TYPE.vN.json)."""
    return f"{SCHEMA_PREFIX}{event_type}:v{_CLASS_VERSIONS.get(event_type, 1)}"


MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
"""A Decimal on the wire: a string with two decimal places (`money.money_str`)."""

DATA_DATES: dict[str, Any] = {
    "on": {
        "type": "string",
        "format": "date",
        "description": "the business date: the day it happened or was decided",
    },
    "effective_on": {
        "type": "string",
        "format": "date",
        "description": "the day it takes effect (the rule's effective date)",
    },
    "policy_version": {
        "type": ["string", "null"],
        "description": "the dated policy parameters in force for the decision (null for a fact "
        "the ledger merely records)",
    },
}
"""The common fields `data` repeats from the envelope (`wire.render_state`)."""

ENVELOPE_DESCRIPTIONS = {
    "id": "the event's id (RFC 4122 version 5 of the aggregate id and version); a redelivery "
    "carries the same one",
    "type": "the event type (this schema's name)",
    "aggregate_id": "the aggregate (household, enrollment or appeal) the event belongs to",
    "version": "the event's position in its aggregate, from 1 (its creation event)",
    "on": "the business date: the day it happened or was decided",
    "effective_on": "the day it takes effect",
    "recorded_at": "when the ledger recorded it (record time)",
    "citation": "the clause of 956 CMR 12.00 applied (null for a fact the ledger merely records)",
    "policy_version": "the dated policy parameters in force (null for a recorded fact)",
}


def _described(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    return schema if description is None else {"description": description, **schema}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _json_type(annotation: Any) -> dict[str, Any]:
    """The JSON Schema of a field's wire value (`wire.plain` of a value of that type)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        schema = (
            _json_type(inner[0]) if len(inner) == 1 else {"anyOf": [_json_type(a) for a in inner]}
        )
        return _nullable(schema) if len(inner) < len(args) else schema
    if origin in (list, tuple):
        return {"type": "array", "items": _json_type(args[0])} if args else {"type": "array"}
    if origin is dict or annotation is dict:
        if len(args) == 2 and args[1] is not Any:
            return {"type": "object", "additionalProperties": _json_type(args[1])}
        return {"type": "object"}
    if annotation is Any:
        return {}
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return {"type": "string", "enum": [member.value for member in annotation]}
        if issubclass(annotation, bool):
            return {"type": "boolean"}
        if issubclass(annotation, int):
            return {"type": "integer"}
        if issubclass(annotation, Decimal):
            return dict(MONEY)
        if issubclass(annotation, datetime):
            return {"type": "string", "format": "date-time"}
        if issubclass(annotation, date):
            return {"type": "string", "format": "date"}
    return {"type": "string"}


def data_fields(cls: type[Any]) -> dict[str, Any]:
    """An event class's own fields (not the library's bookkeeping, not the common ones, not
    class-level settings), with their types."""
    hints = typing.get_type_hints(cls, include_extras=False, localns=vars(cls))
    return {
        name: hint
        for name, hint in hints.items()
        if name not in BASE_FIELDS
        and name not in COMMON_FIELDS
        and typing.get_origin(hint) is not typing.ClassVar
    }


MEMBER_DATA_NOTE = (
    "member data (`member_data`: true): absent from a Kafka message published without it (the "
    "relay's default, `--member-data omit`) or published encrypted; the message's `member_data` "
    "says which fields and how"
)

MEMBER_DATA_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "description": "On Kafka only, for an event with member data: `mode` `omitted` (the fields "
    "were left out), `encrypted` (they are in `ciphertext`, AES-256-GCM under the topic key "
    "`key_id`, with `nonce`; the event id is the associated data) or `included` (in clear, from "
    "an unencrypted store); `fields` names them. Absent from `apply`'s answers.",
    "properties": {
        "mode": {"enum": ["omitted", "encrypted", "included"]},
        "fields": {"type": "array", "items": {"type": "string"}},
        "algorithm": {"const": "AES-256-GCM"},
        "key_id": {"type": "string"},
        "nonce": {"type": "string", "contentEncoding": "base64"},
        "ciphertext": {"type": "string", "contentEncoding": "base64"},
    },
    "required": ["mode", "fields"],
}
"""The value's `member_data` on Kafka (`kafka/member_data.py`)."""


def _classified(event_type: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A data field's schema with its class (`member_data`), the member fields' note added."""
    member = (
        name in member_fields(event_type)
        if name in DATA_DATES or name in ENVELOPE_FIELDS
        else is_member_data(event_type, name)
    )
    if not member:
        return {**schema, "member_data": False}
    text = schema.get("description")
    note = MEMBER_DATA_NOTE if text is None else f"{text}; {MEMBER_DATA_NOTE}"
    return {**schema, "description": note, "member_data": True}


def event_schemas() -> dict[str, Any]:
    envelope = {
        "id": {"type": "string", "format": "uuid"},
        "type": {"type": "string"},
        "aggregate_id": {"type": "string", "format": "uuid"},
        "version": {"type": "integer"},
        "on": {"type": "string", "format": "date"},
        "effective_on": {"type": "string", "format": "date"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "recorded_by": {
            "type": ["string", "null"],
            "description": "who recorded the event: the actor of its command (null for an "
            "event recorded before the ledger kept actors)",
        },
        "citation": {"type": ["string", "null"]},
        "policy_version": {"type": ["string", "null"]},
    }
    described: dict[str, Any] = dict(envelope)
    for name, text in ENVELOPE_DESCRIPTIONS.items():
        described[name] = {"description": text, **described[name]}
    out: dict[str, Any] = {}
    for cls in event_classes():
        data = {
            name: _described(_json_type(hint), field_description(cls.__name__, name))
            for name, hint in data_fields(cls).items()
        }
        data.update(DATA_DATES)
        data = {name: _classified(cls.__name__, name, schema) for name, schema in data.items()}
        members = member_fields(cls.__name__)
        out[cls.__name__] = {
            "$id": schema_id(cls.__name__),
            "title": cls.__name__,
            **_described({}, EVENTS.get(cls.__name__)),
            "type": "object",
            "x-class-version": class_version(cls),
            "properties": {
                **described,
                "type": {**described["type"], "const": cls.__name__},
                "effective_on": _classified(
                    cls.__name__, "effective_on", described["effective_on"]
                ),
                "citation": _classified(cls.__name__, "citation", described["citation"]),
                "data": {
                    "type": "object",
                    "properties": data,
                    "required": [name for name in data if name not in members],
                    "additionalProperties": False,
                },
                "member_data": MEMBER_DATA_ENVELOPE,
            },
            "required": [*[name for name in envelope if name not in members], "data"],
        }
        example = examples().get(cls.__name__)
        if example is not None:
            out[cls.__name__]["examples"] = [example]
    return out
