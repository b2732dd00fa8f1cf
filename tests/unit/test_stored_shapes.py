"""What the ledger has stored is frozen: every event topic, each of its class versions with its
fields, and the `schema` output.

A stored event is read back by its topic (`module:Qualname`) and folded by its class. So:
- a topic that stops resolving makes every stored event of that type unreadable (moving an event
  class to another module changes its topic: register the old one);
- an event whose fields change without a new `class_version` is folded wrongly from old records.
  Change a stored shape by bumping `class_version` to N+1 and adding `upcast_vN_vN+1` (the
  eventsourcing library's upcasting), never by editing an old event: the record below keeps
  every version ever stored, and the test checks each upcaster is there.

When a change is deliberate (a new event class, a new version with its upcaster, a new command
field), add it to the record with `UPDATE_STORED_SHAPES=1 pytest tests/unit/test_stored_shapes.py`
and commit the record with the change: old entries are kept, never rewritten.
"""

from __future__ import annotations

import json
import os
import typing
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.commands import command_schemas
from enrollment_ledger.adapters.event_schema import event_schemas
from enrollment_ledger.domain.catalogue import AGGREGATES, event_classes
from enrollment_ledger.domain.events import BASE_FIELDS
from eventsourcing.utils import get_topic, resolve_topic

RECORD = Path(__file__).with_name("stored_shapes.json")


def _fields(cls: type[Any]) -> dict[str, str]:
    hints = typing.get_type_hints(cls, include_extras=False, localns=vars(cls))
    return {
        name: hint.__name__ if isinstance(hint, type) else str(hint)
        for name, hint in sorted(hints.items())
        if name not in BASE_FIELDS and typing.get_origin(hint) is not typing.ClassVar
    }


def current_shapes() -> dict[str, Any]:
    events: dict[str, dict[str, Any]] = {}
    for cls in event_classes():
        version = str(getattr(cls, "class_version", 1))
        events[get_topic(cls)] = {version: _fields(cls)}
    return {
        "aggregates": sorted(get_topic(a) for a in AGGREGATES),
        "events": events,
        "schema": {"commands": command_schemas(), "events": event_schemas()},
    }


def _merged(record: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """The record with what exists now added: topics and versions are appended, never dropped."""
    events = {topic: dict(versions) for topic, versions in record.get("events", {}).items()}
    for topic, versions in now["events"].items():
        kept = events.setdefault(topic, {})
        for version, fields in versions.items():
            if kept.get(version, fields) != fields:
                raise ValueError(f"{topic} v{version} is recorded with other fields: bump it")
            kept[version] = fields
    aggregates = sorted(set(record.get("aggregates", [])) | set(now["aggregates"]))
    return {"aggregates": aggregates, "events": events, "schema": now["schema"]}


def _record() -> dict[str, Any]:
    if os.environ.get("UPDATE_STORED_SHAPES") == "1":
        old = json.loads(RECORD.read_text()) if RECORD.exists() else {}
        merged = _merged(old, current_shapes())
        RECORD.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
    result: dict[str, Any] = json.loads(RECORD.read_text())
    return result


def _by_topic() -> dict[str, type[Any]]:
    return {get_topic(cls): cls for cls in event_classes()}


@pytest.mark.parametrize("topic", sorted(_record()["events"]))
def test_every_stored_event_topic_still_resolves_to_an_event_class(topic: str) -> None:
    resolved = resolve_topic(topic)
    assert isinstance(resolved, type), topic


@pytest.mark.parametrize("topic", _record()["aggregates"])
def test_every_stored_aggregate_topic_still_resolves(topic: str) -> None:
    assert isinstance(resolve_topic(topic), type)


@pytest.mark.parametrize("topic", sorted(_record()["events"]))
def test_an_event_keeps_its_fields_unless_its_class_version_moves_on(topic: str) -> None:
    versions: dict[str, dict[str, str]] = _record()["events"][topic]
    cls = resolve_topic(topic)
    current = getattr(cls, "class_version", 1)
    newest = max(int(v) for v in versions)
    assert current >= newest, f"{topic}: class_version went back from {newest} to {current}"
    if str(current) in versions:
        assert _fields(cls) == versions[str(current)], (
            f"{topic} changed its fields without a new class_version: bump class_version and "
            "add an upcaster (see this test's docstring)"
        )
    else:
        pytest.fail(f"{topic} v{current} is not in the record: add it (see the docstring)")
    for old in range(min(int(v) for v in versions), current):
        assert hasattr(cls, f"upcast_v{old}_v{old + 1}"), (
            f"{topic}: stored version {old} has no upcaster to version {old + 1}"
        )


def test_every_event_class_of_the_ledger_is_in_the_record() -> None:
    missing = sorted(set(_by_topic()) - set(_record()["events"]))
    assert not missing, f"new event classes not in the record (see the docstring): {missing}"


def test_the_schema_output_is_the_recorded_one() -> None:
    now = current_shapes()["schema"]
    recorded = _record()["schema"]
    changed = sorted(
        f"{part}.{name}"
        for part in ("commands", "events")
        for name in set(now[part]) | set(recorded[part])
        if now[part].get(name) != recorded[part].get(name)
    )
    assert not changed, f"the schema changed for {changed}: record it deliberately (docstring)"


def test_the_record_merge_keeps_old_versions_and_adds_new_ones() -> None:
    record = {"aggregates": ["m:A"], "events": {"m:A.E": {"1": {"x": "int"}}}, "schema": {}}
    now = {
        "aggregates": ["m:A"],
        "events": {"m:A.E": {"2": {"x": "str"}}, "m:A.F": {"1": {}}},
        "schema": {"commands": {}},
    }
    merged = _merged(record, now)
    assert merged["events"]["m:A.E"] == {"1": {"x": "int"}, "2": {"x": "str"}}
    assert merged["events"]["m:A.F"] == {"1": {}}
    assert merged["schema"] == {"commands": {}}


def test_the_record_refuses_to_rewrite_a_stored_version() -> None:
    record = {"aggregates": [], "events": {"m:A.E": {"1": {"x": "int"}}}, "schema": {}}
    now = {"aggregates": [], "events": {"m:A.E": {"1": {"x": "str"}}}, "schema": {}}
    with pytest.raises(ValueError, match="bump it"):
        _merged(record, now)
