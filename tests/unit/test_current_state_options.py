"""The current-state topic's options: `--coverage-topic`, `LEDGER_COVERAGE_TOPIC`,
`--no-coverage-topic`, `consume --from-current-state`; the command line and the relay's own
defaults agree; a late reader's position and version test."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from enrollment_ledger.adapters.cli import downstream
from enrollment_ledger.adapters.cli.main import _parser
from enrollment_ledger.adapters.kafka import current_state
from enrollment_ledger.adapters.kafka.current_state import (
    CurrentAnswers,
    coverage_topic_from_env,
    is_reflected,
)


def test_the_command_lines_defaults_are_the_relays() -> None:
    assert downstream.DEFAULT_COVERAGE_TOPIC == current_state.DEFAULT_COVERAGE_TOPIC
    assert downstream.COVERAGE_TOPIC_ENV == current_state.COVERAGE_TOPIC_ENV


def test_the_coverage_topic_comes_from_the_option_else_the_environment_else_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEDGER_COVERAGE_TOPIC", raising=False)
    relay = ["relay", "--kafka", "k:9092"]
    assert _parser().parse_args(relay).coverage_topic == "enrollment-ledger.coverage"
    assert coverage_topic_from_env() == "enrollment-ledger.coverage"
    monkeypatch.setenv("LEDGER_COVERAGE_TOPIC", "team.coverage")
    assert _parser().parse_args(relay).coverage_topic == "team.coverage"
    assert coverage_topic_from_env() == "team.coverage"
    assert _parser().parse_args([*relay, "--coverage-topic", "x"]).coverage_topic == "x"
    monkeypatch.setenv("LEDGER_COVERAGE_TOPIC", " ")
    assert coverage_topic_from_env() == "enrollment-ledger.coverage"


def test_the_relay_can_leave_the_current_state_out_and_consume_can_start_from_it() -> None:
    assert (
        _parser().parse_args(["relay", "--kafka", "k:1", "--no-coverage-topic"]).no_coverage_topic
    )
    assert not _parser().parse_args(["relay", "--kafka", "k:1"]).no_coverage_topic
    args = _parser().parse_args(["consume", "--kafka", "k:1", "--from-current-state"])
    assert args.from_current_state and not args.from_beginning


def test_from_the_beginning_and_from_the_current_state_exclude_each_other() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(
            ["consume", "--kafka", "k:1", "--from-beginning", "--from-current-state"]
        )


def record(key: str, version: int, store_position: int, offsets: dict[str, int]) -> object:
    value = {
        "enrollment_id": key,
        "aggregate_id": f"agg-{key}",
        "version": version,
        "follow_from": {"store_position": store_position, "offsets": offsets},
    }
    return SimpleNamespace(key=key.encode(), value=json.dumps(value).encode())


def test_a_late_reader_follows_from_the_latest_position_the_answers_name() -> None:
    answers = CurrentAnswers(
        {
            "E1": record("E1", 4, 10, {"0": 3}),
            "E2": record("E2", 2, 30, {"0": 7, "1": 5}),
            "E3": record("E3", 9, 20, {"0": 6, "1": 4}),
        }
    )
    assert answers.follow_from() == {0: 7, 1: 5}
    assert answers.reflected() == {"agg-E1": 4, "agg-E2": 2, "agg-E3": 9}
    assert CurrentAnswers({}).follow_from() == {}  # no answer: every partition from its start


def test_an_event_is_reflected_up_to_its_enrollments_version_and_no_further() -> None:
    reflected = {"agg-E1": 4}
    assert is_reflected({"aggregate_id": "agg-E1", "version": 4}, reflected)
    assert not is_reflected({"aggregate_id": "agg-E1", "version": 5}, reflected)
    assert not is_reflected({"aggregate_id": "agg-H1", "version": 1}, reflected)
