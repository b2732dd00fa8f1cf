"""JSON Schema of every event as it appears on the wire (envelope plus its own data fields)."""

from __future__ import annotations

import typing
from typing import Any

from ..domain.catalogue import event_classes


def _json_type(annotation: Any) -> dict[str, Any]:
    text = str(annotation)
    if "list" in text:
        return {"type": "array"}
    if "dict" in text:
        return {"type": "object"}
    if text in ("int", "<class 'int'>"):
        return {"type": "integer"}
    if text in ("bool", "<class 'bool'>"):
        return {"type": "boolean"}
    if "Decimal" in text:
        return {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
    if "date" in text:
        return {"type": "string", "format": "date"}
    if "None" in text:
        return {"type": ["string", "null"]}
    return {"type": "string"}


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
    out: dict[str, Any] = {}
    for cls in event_classes():
        hints = typing.get_type_hints(cls, include_extras=False, localns=vars(cls))
        data = {
            name: _json_type(hint)
            for name, hint in hints.items()
            if name not in ("originator_id", "originator_version", "timestamp", "originator_topic")
        }
        out[cls.__name__] = {
            "type": "object",
            "properties": {**envelope, "data": {"type": "object", "properties": data}},
            "required": [*list(envelope), "data"],
        }
    return out
