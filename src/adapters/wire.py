"""The wire form of events and answers: plain JSON, dates ISO, money two-place strings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ..domain.events import event_data, event_uuid
from ..domain.money import money_str

_AS_IS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """Convert a domain value into JSON-ready data."""
    if isinstance(value, _AS_IS):  # the common case first: most fields are already plain
        return value
    if isinstance(value, Decimal):
        return money_str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def event_type(event: Any) -> str:
    return type(event).__name__


def render_event(event: Any) -> dict[str, Any]:
    """An event as the contract shows it: id, type, aggregate_id, version, effective_on,
    citation, data (plus the business date `on`, `recorded_at` and `policy_version`)."""
    data = plain(event_data(event))
    data["on"] = plain(event.on)
    data["effective_on"] = plain(event.effective_on)
    data["policy_version"] = event.policy_version
    return {
        "id": str(event_uuid(event.originator_id, event.originator_version)),
        "type": event_type(event),
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "on": plain(event.on),
        "effective_on": plain(event.effective_on),
        "recorded_at": plain(event.timestamp),
        "citation": event.citation,
        "policy_version": event.policy_version,
        "data": data,
    }


def ok_answer(command_id: str | None, events: list[Any]) -> dict[str, Any]:
    return {"ok": True, "command_id": command_id, "events": [render_event(e) for e in events]}


def error_answer(code: str, message: str, command_id: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"ok": False, "error": {"code": code, "message": message}}
    if command_id is not None:
        answer["command_id"] = command_id
    return answer


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
