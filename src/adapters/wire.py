"""The wire form of events and answers: plain JSON, dates ISO, money two-place strings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ..domain.events import event_id, own_fields
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
    return render_state(
        event_type(event), event.originator_id, event.originator_version, vars(event)
    )


def render_state(
    event_type_name: str, aggregate_id: UUID, version: int, state: Mapping[str, Any]
) -> dict[str, Any]:
    """The same, from an event's fields (its `vars`, or its decoded stored state)."""
    data = plain(own_fields(dict(state)))
    on = plain(state["on"])
    effective_on = plain(state["effective_on"])
    data["on"] = on
    data["effective_on"] = effective_on
    data["policy_version"] = state["policy_version"]
    return {
        "id": event_id(aggregate_id, version),
        "type": event_type_name,
        "aggregate_id": str(aggregate_id),
        "version": version,
        "on": on,
        "effective_on": effective_on,
        "recorded_at": plain(state["timestamp"]),
        "citation": state["citation"],
        "policy_version": state["policy_version"],
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
