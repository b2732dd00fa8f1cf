"""The relay figures' baseline (bench/relay.py) sends the very messages the relay published: the
events' records and, with the current-state topic, the answers read back from that topic, byte
for byte (no timing asserted here: the benchmark measures, tests do not)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger

from bench import relay as bench_relay

from .kafka_helpers import seed_stories


def test_the_baseline_sends_the_events_and_the_answers_the_relay_published(
    store_url: str, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = seed_stories(store_url, range(3))
    sent: list[tuple[int, list[bytes]]] = []
    real_bare_send = bench_relay.bare_send

    def bare_send(bootstrap: str, suffix: str, records: list[Any], answers: list[Any]) -> float:
        sent.append((len(records), [a.value for a in answers]))
        return real_bare_send(bootstrap, suffix, records, answers)

    monkeypatch.setattr(bench_relay, "bare_send", bare_send)
    ledger = build_ledger(store_url)
    try:
        with_answers, events_only = bench_relay.measure_relay(ledger, kafka_bootstrap)
    finally:
        ledger.close()

    assert (with_answers.with_answers, events_only.with_answers) == (True, False)
    assert with_answers.events == events_only.events == len(events)
    assert events_only.answers == 0 and events_only.messages == len(events)
    enrollments = {e["data"]["enrollment_id"] for e in events if e["type"] == "PlanSelected"}
    assert with_answers.answers >= len(enrollments) > 0
    (events_sent, answers_sent), (events_sent_alone, none) = sent
    assert events_sent == events_sent_alone == len(events) and none == []
    assert len(answers_sent) == with_answers.answers
    assert {json.loads(v)["enrollment_id"] for v in answers_sent} == enrollments
    assert with_answers.relay_seconds > 0 and with_answers.bare_seconds > 0


def test_the_side_by_side_run_prints_both_figures_for_each_way_of_rendering(
    capsys: pytest.CaptureFixture[str], kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import relay_modes

    monkeypatch.setenv("LEDGER_TEST_KAFKA", kafka_bootstrap)  # the broker of the suite
    monkeypatch.setenv("LEDGER_SIMULATED_TODAY", "2026-01-01")  # restored after: main sets it
    assert relay_modes.main(["--households", "3", "--runs", "1"]) == 0

    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [(line[0], line[1]) for line in lines] == [
        ("process", "relay.ratio"),
        ("process", "relay.events_ratio"),
        ("here", "relay.ratio"),
        ("here", "relay.events_ratio"),
    ]
    assert all(float(line[2]) > 0 for line in lines)
