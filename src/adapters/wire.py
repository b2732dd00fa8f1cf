"""The wire form of events and answers: plain JSON, dates ISO, money two-place strings."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, UUIDAsHex
from pydantic_core import to_json

from ..domain.events import event_id, own_fields
from ..domain.money import money_str
from ..domain.storage import DateAsISO

_AS_IS = (str, int, float, bool, type(None))


def _iso(value: date) -> str:
    return value.isoformat()


_BY_TYPE: dict[type, Callable[[Any], Any] | None] = {
    **dict.fromkeys(_AS_IS),
    Decimal: money_str,
    datetime: _iso,
    date: _iso,
    UUID: str,
}
"""`plain` of a value of exactly one of these types, by its type (None: the value itself): one
lookup where the checks below take several (every field of every answered event)."""
_UNKNOWN = object()


def plain(value: Any) -> Any:
    """Convert a domain value into JSON-ready data."""
    convert = _BY_TYPE.get(type(value), _UNKNOWN)
    if convert is None:
        return value
    if convert is not _UNKNOWN:
        return convert(value)  # type: ignore[operator]
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


def _wire_money(text: str) -> str:
    return money_str(Decimal(text))


def _wire_uuid(hex_digits: str) -> str:
    return str(UUID(hex_digits))


WIRE_VALUES: dict[str, Callable[[Any], Any]] = {
    DateAsISO.name: str,
    DatetimeAsISO.name: str,
    DecimalAsStr.name: _wire_money,
    UUIDAsHex.name: _wire_uuid,
}
"""Each transcoding of the ledger's stored JSON (`register_ledger_transcodings`) -> the wire form
`plain` gives its value: the ISO text of a date or instant as stored, money as a two-place string,
a UUID in its hyphenated form."""


def _wire_object(obj: dict[str, Any]) -> Any:
    if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
        return WIRE_VALUES[obj["_type_"]](obj["_data_"])
    return obj


_WIRE_DECODER = json.JSONDecoder(object_hook=_wire_object)


def wire_state(stored_state: bytes) -> dict[str, Any]:
    """A stored event's (decrypted) JSON state decoded straight into wire values, without the
    domain types in between: what `plain` makes of the decoded state. Raises KeyError for a
    transcoded value of a type not in `WIRE_VALUES`."""
    state: dict[str, Any] = _WIRE_DECODER.decode(stored_state.decode("utf-8"))
    return state


def event_type(event: Any) -> str:
    return type(event).__name__


def render_event(event: Any, recorded_by: str | None = None) -> dict[str, Any]:
    """An event as the contract shows it: id, type, aggregate_id, version, effective_on,
    citation, data (plus the business date `on`, `recorded_at`, `recorded_by` and
    `policy_version`). `recorded_by` is who recorded it (the store keeps it with the event's
    chain link, not in the event: None for an event recorded before actors were kept)."""
    return render_state(
        event_type(event),
        event.originator_id,
        event.originator_version,
        vars(event),
        recorded_by=recorded_by,
    )


def render_state(
    event_type_name: str,
    aggregate_id: UUID,
    version: int,
    state: Mapping[str, Any],
    *,
    convert: Callable[[Any], Any] = plain,
    recorded_by: str | None = None,
) -> dict[str, Any]:
    """The same, from an event's fields: its `vars`, or its decoded stored state (`convert`
    makes each value plain; a state from `wire_state` already is)."""
    data = convert(own_fields(state))
    on = convert(state["on"])
    effective_on = convert(state["effective_on"])
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
        "recorded_at": convert(state["timestamp"]),
        "recorded_by": recorded_by,
        "citation": state["citation"],
        "policy_version": state["policy_version"],
        "data": data,
    }


def ok_answer(
    command_id: str | None, events: list[Any], recorded_by: Sequence[str | None] | None = None
) -> dict[str, Any]:
    """The answer of an accepted command; `recorded_by`: who recorded each event."""
    actors = recorded_by if recorded_by is not None else [None] * len(events)
    rendered = [render_event(e, by) for e, by in zip(events, actors, strict=True)]
    return {"ok": True, "command_id": command_id, "events": rendered}


def error_answer(code: str, message: str, command_id: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"ok": False, "error": {"code": code, "message": message}}
    if command_id is not None:
        answer["command_id"] = command_id
    return answer


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
"""What `json.dumps(obj, separators=(",", ":"), ensure_ascii=False)` builds on every call, built
once (the relay encodes every event and every answer)."""


def dumps(obj: Any) -> str:
    """Compact JSON, non-ASCII as is: `json.dumps(obj, separators=(",", ":"),
    ensure_ascii=False)`."""
    return _ENCODER.encode(obj)


def dumps_bytes(wire_value: Any) -> bytes:
    """`dumps(wire_value).encode()`, the same bytes, by pydantic's serializer (in Rust, several
    times faster): for the relay's messages and answers, every one of which is encoded. Only for
    wire values (what `render_state`, `plain` and the answers build: text, integers, booleans,
    null, lists and text-keyed objects; no float), on which both encoders agree byte for byte
    (`tests/unit/test_wire_bytes.py`); a float with a small exponent is written `1e-7` here,
    `1e-07` by `dumps`."""
    return to_json(wire_value)
