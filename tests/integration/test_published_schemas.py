"""Every event a generated population publishes validates against its JSON Schema (`schema`):
its value against the event type's schema named by its `ce_dataschema`, its headers against the
headers' schema, its key against the key's; an event whose data gains or loses a field does not."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.schema import all_schemas
from jsonschema import Draft202012Validator, FormatChecker

from bench.population import Driver, household_steps, merge, schedule_months

from .kafka_helpers import create_topic, headers_of, read_topic, seed_stories
from .test_kafka_relay import relay_once


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [error.message for error in validator(schema).iter_errors(instance)]


def test_every_published_event_validates_against_the_schema_its_header_names(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    ledger = build_ledger(store_url)
    try:
        driver = Driver(ledger)
        history = [*household_steps(6, seed=3, history=True), *household_steps(16, seed=3)]
        for command in merge(history, [*schedule_months(2025)[:12], *schedule_months(2026)]):
            driver.apply(command)
    finally:
        ledger.close()
    stories = seed_stories(store_url, range(3))

    create_topic(kafka_bootstrap, topic, partitions=3)
    published = relay_once(store_url, kafka_bootstrap, topic)["published"]
    records = read_topic(kafka_bootstrap, topic, published)
    assert len(records) == published > len(stories)
    schemas = all_schemas()
    by_id = {s["$id"]: s for s in schemas["events"].values()}

    validated: Counter[str] = Counter()
    for record in records:
        headers = headers_of(record)
        value = json.loads(record.value)
        assert errors(schemas["kafka"]["headers"], headers) == [], headers
        assert errors(schemas["kafka"]["key"], record.key.decode()) == []
        schema = by_id[headers["ce_dataschema"]]
        assert schema["title"] == value["type"]
        assert errors(schema, value) == [], value
        validated[value["type"]] += 1

    assert {e["id"] for e in stories} <= {headers_of(r)["ce_id"] for r in records}
    assert len(validated) >= 20, validated
    assert {"PlanSelected", "HardshipWaiverRequested", "AppealFiled", "PlanYearEnded"} <= set(
        validated
    )


def test_an_event_whose_data_gains_or_loses_a_field_does_not_validate(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = seed_stories(store_url, range(1))
    relay_once(store_url, kafka_bootstrap, topic)
    records = read_topic(kafka_bootstrap, topic, len(events))
    value = next(json.loads(r.value) for r in records if headers_of(r)["ce_id"] == events[0]["id"])
    schema = all_schemas()["events"][value["type"]]
    assert errors(schema, value) == []

    gained = copy.deepcopy(value)
    gained["data"]["new_field"] = "x"
    lost = copy.deepcopy(value)
    del lost["data"]["household_id"]
    retyped = copy.deepcopy(value)
    retyped["on"] = "5 January 2026"

    assert errors(schema, gained) != []
    assert errors(schema, lost) != []
    assert errors(schema, retyped) != []
