"""The events' JSON Schemas say what the wire carries: every field of an event's data, each
required, none other allowed, each typed as `wire.plain` writes it (a date or null, money as a
two-place string, a boolean not an integer), and each schema names its class_version."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.adapters.event_descriptions import EVENTS, FIELDS_OF
from enrollment_ledger.adapters.event_schema import _json_type, data_fields, event_schemas
from enrollment_ledger.domain.catalogue import event_classes
from enrollment_ledger.domain.enrollment.shared import WaiverDecision
from enrollment_ledger.domain.member_data import member_fields

SCHEMAS = event_schemas()
CLASSES = {cls.__name__: cls for cls in event_classes()}


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (str, {"type": "string"}),
        (int, {"type": "integer"}),
        (bool, {"type": "boolean"}),
        (Decimal, {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}),
        (date, {"type": "string", "format": "date"}),
        (datetime, {"type": "string", "format": "date-time"}),
        (date | None, {"type": ["string", "null"], "format": "date"}),
        (str | None, {"type": ["string", "null"]}),
        (list[str], {"type": "array", "items": {"type": "string"}}),
        (list[dict[str, Any]], {"type": "array", "items": {"type": "object"}}),
        (
            dict[str, str],
            {"type": "object", "additionalProperties": {"type": "string"}},
        ),
        (WaiverDecision, {"type": "string", "enum": [d.value for d in WaiverDecision]}),
    ],
    ids=str,
)
def test_a_field_is_typed_as_the_wire_writes_it(annotation: Any, schema: dict[str, Any]) -> None:
    assert _json_type(annotation) == schema


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_an_events_data_requires_its_ledger_fields_and_allows_no_other(
    name: str,
) -> None:
    data = SCHEMAS[name]["properties"]["data"]
    expected = {*data_fields(CLASSES[name]), "on", "effective_on", "policy_version"}
    assert set(data["properties"]) == expected
    assert set(data["required"]) == expected - member_fields(name)
    assert data["additionalProperties"] is False


def test_no_schema_lists_a_field_no_event_carries() -> None:
    for schema in SCHEMAS.values():
        data = schema["properties"]["data"]["properties"]
        assert "originator_id_type" not in data
        assert "citation" not in data  # the envelope carries it, the data does not


def test_a_date_that_may_be_absent_may_be_null() -> None:
    data = SCHEMAS["PlanSelected"]["properties"]["data"]["properties"]
    assert data["dependent_start_on"]["type"] == ["string", "null"]
    assert data["dependent_start_on"]["format"] == "date"
    assert data["binder_due_on"]["type"] == "string"
    assert data["binder_due_on"]["format"] == "date"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_schema_is_named_by_its_event_type_and_class_version(name: str) -> None:
    version = getattr(CLASSES[name], "class_version", 1)
    schema = SCHEMAS[name]
    assert schema["x-class-version"] == version
    assert schema["$id"].endswith(f":{name}:v{version}")
    assert schema["properties"]["type"]["const"] == name


def test_a_versioned_event_has_a_schema_of_its_current_version() -> None:
    versioned = [n for n, cls in CLASSES.items() if getattr(cls, "class_version", 1) > 1]
    assert versioned
    for name in versioned:
        assert not SCHEMAS[name]["$id"].endswith(":v1")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_event_and_every_field_of_its_data_says_what_it_means(name: str) -> None:
    schema = SCHEMAS[name]
    assert schema.get("description"), f"{name}: add it to event_descriptions.EVENTS"
    undescribed = [
        field
        for field, described in schema["properties"]["data"]["properties"].items()
        if not described.get("description")
    ]
    assert undescribed == [], f"{name}: describe {undescribed} in event_descriptions"


def test_every_event_specific_description_names_a_field_the_event_has() -> None:
    for key in FIELDS_OF:
        name, field = key.split(".")
        assert field in data_fields(CLASSES[name]), key
    assert set(EVENTS) <= set(CLASSES)
