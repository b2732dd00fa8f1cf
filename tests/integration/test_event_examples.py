"""Each event schema's example is an event the ledger records: the first of its type in the
scenarios of `event_example_scenarios` (the examples/ files and a few more), recorded in
src/adapters/event_examples.json. When the ledger's events change deliberately, record the
examples again with `UPDATE_EVENT_EXAMPLES=1 pytest tests/integration/test_event_examples.py`
(and the schema record: see tests/unit/test_stored_shapes.py)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters import event_schema
from enrollment_ledger.adapters.event_schema import EXAMPLES_FILE, event_schemas
from enrollment_ledger.domain.catalogue import event_classes
from jsonschema import Draft202012Validator, FormatChecker

from .event_example_scenarios import first_of_each_type


def without_record_instant(event: dict[str, Any]) -> dict[str, Any]:
    """The event without `recorded_at` (the wall clock's, different on every run)."""
    return {k: v for k, v in event.items() if k != "recorded_at"}


@pytest.fixture(scope="module")
def recorded_now(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    examples = first_of_each_type(tmp_path_factory.mktemp("examples"))
    if os.environ.get("UPDATE_EVENT_EXAMPLES") == "1":
        EXAMPLES_FILE.write_text(json.dumps(examples, indent=1, sort_keys=True) + "\n")
    return examples


def test_every_example_is_the_event_its_scenario_records(
    recorded_now: dict[str, dict[str, Any]],
) -> None:
    kept: dict[str, dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text())
    assert sorted(kept) == sorted(recorded_now)
    for event_type, example in kept.items():
        assert without_record_instant(example) == without_record_instant(
            recorded_now[event_type]
        ), f"{event_type}: the example is not what the ledger records now (see the docstring)"


def test_every_event_type_has_an_example(recorded_now: dict[str, dict[str, Any]]) -> None:
    missing = sorted({cls.__name__ for cls in event_classes()} - set(recorded_now))
    assert missing == [], f"add a scenario recording {missing} to event_example_scenarios.py"


def test_every_example_validates_against_its_events_schema() -> None:
    schemas = event_schemas()
    examples = event_schema.examples()
    assert examples
    for event_type, example in examples.items():
        schema = schemas[event_type]
        assert schema["examples"] == [example]
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        assert [e.message for e in validator.iter_errors(example)] == [], event_type


def test_the_package_ships_the_examples_file() -> None:
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["setuptools"]["package-data"]["enrollment_ledger"]
    source = Path(__file__).resolve().parents[2] / "src"
    assert EXAMPLES_FILE.relative_to(source).as_posix() in shipped
