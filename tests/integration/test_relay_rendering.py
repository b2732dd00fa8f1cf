"""The relay renders each event from its decoded stored state (no domain object): the message
value must be exactly what `apply` prints for that event, encrypted store or not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.kafka.relay import rendered
from enrollment_ledger.adapters.wire import render_event

from bench.population import Driver, population

from ..scenarios import household_commands, pay, schedule, select


@pytest.mark.parametrize("encrypted", [False, True])
def test_the_relay_renders_every_event_as_apply_prints_it(tmp_path: Path, encrypted: bool) -> None:
    ledger = build_ledger(
        f"sqlite:///{tmp_path / 'ledger.db'}", key=new_cipher_key() if encrypted else None
    )
    printed = []
    for command in [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "b"),
        schedule("2026-05-31"),
    ]:
        answer = answer_line(ledger, json.dumps(command).encode())
        assert answer is not None and answer["ok"], answer
        printed.extend(answer["events"])
    notifications = ledger.recorder.select_notifications(start=1, limit=10_000)
    assert len(notifications) == len(printed) > 10
    actors = ledger.recorder.recorded_by_positions(0, notifications[-1].id)
    for notification, shown in zip(notifications, printed, strict=True):
        by = actors[notification.id]
        relayed = rendered(ledger.mapper, notification, by)
        assert relayed == shown
        assert relayed == render_event(ledger.mapper.to_domain_event(notification), by)
    ledger.close()


def test_every_event_type_of_a_generated_population_renders_as_apply_printed_it(
    tmp_path: Path,
) -> None:
    """The wire decoder (stored JSON straight to wire values) against `apply`'s own answers, over
    the benchmark's population: waivers, appeals, reinstatements, terminations and the rest."""
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    driver = Driver(ledger)
    printed = []
    for command in population(60, seed=1):
        answer = driver.apply(command)
        assert answer["ok"], answer
        printed.extend(answer["events"])
    notifications = ledger.recorder.select_notifications(start=1, limit=100_000)
    assert len(notifications) == len(printed)
    actors = ledger.recorder.recorded_by_positions(0, notifications[-1].id)
    assert [rendered(ledger.mapper, n, actors[n.id]) for n in notifications] == printed
    types = {e["type"] for e in printed}
    assert {"AppealDecided", "HardshipWaiverDecided", "CoverageTerminated"} <= types
    ledger.close()
