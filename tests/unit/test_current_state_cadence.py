"""When the relay publishes the current-state answers: after the batch that brings the events
relayed since the last publication to `every`, counted, never timed; the count starts over after
each publication and after what was collected is discarded."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from enrollment_ledger.adapters.cli import downstream
from enrollment_ledger.adapters.cli.main import _parser
from enrollment_ledger.adapters.failures import InvalidOption
from enrollment_ledger.adapters.kafka import current_state
from enrollment_ledger.adapters.kafka.current_state import Acked, CurrentState
from enrollment_ledger.adapters.kafka.relay import RelayOptions
from enrollment_ledger.domain.ledger import Ledger


def household_batch(first_position: int, size: int) -> tuple[list[object], list[Acked]]:
    """`size` stored events of a household (no enrollment's: nothing to fold), and where the
    broker put each."""
    household = uuid.uuid4()
    notifications: list[object] = [
        SimpleNamespace(
            id=first_position + i,
            topic="enrollment_ledger.domain.household:Household.Applied",
            originator_id=household,
            originator_version=i + 1,
        )
        for i in range(size)
    ]
    return notifications, [Acked(0, first_position + i) for i in range(size)]


def due_after_each_batch(ledger: Ledger, every: int, sizes: list[int]) -> list[bool]:
    """Whether the answers are due after each batch, a due publication being made (its
    collected batches forgotten, as `flush` does once they are acknowledged)."""
    answers = CurrentState(ledger, "coverage", "events", every=every)
    position, due = 1, []
    for size in sizes:
        answers.collect(*household_batch(position, size))
        position += size
        due.append(answers.due())
        if due[-1]:
            answers.discard()
    return due


def test_the_answers_are_due_after_the_batch_that_reaches_the_count_and_not_before(
    ledger: Ledger,
) -> None:
    assert due_after_each_batch(ledger, 10, [4, 5, 1, 9, 2]) == [False, False, True, False, True]
    assert due_after_each_batch(ledger, 10, [9, 9, 9]) == [False, True, False]
    assert due_after_each_batch(ledger, 1, [3, 1, 2]) == [True, True, True]


def test_the_same_batches_give_the_same_publications_however_long_they_take(
    ledger: Ledger,
) -> None:
    sizes = [7, 3, 11, 1, 1, 8, 25, 2]
    assert due_after_each_batch(ledger, 12, sizes) == due_after_each_batch(ledger, 12, sizes)


def test_discarding_what_was_collected_starts_the_count_over(ledger: Ledger) -> None:
    answers = CurrentState(ledger, "coverage", "events", every=10)
    answers.collect(*household_batch(1, 8))
    answers.discard()  # the relay lost its lease: those events are sent again
    answers.collect(*household_batch(9, 8))
    assert not answers.due()
    answers.collect(*household_batch(17, 2))
    assert answers.due()


def test_coverage_every_is_an_option_of_the_relay_with_the_relays_default() -> None:
    assert downstream.DEFAULT_COVERAGE_EVERY == current_state.DEFAULT_EVERY
    relay = ["relay", "--kafka", "k:9092"]
    assert _parser().parse_args(relay).coverage_every == current_state.DEFAULT_EVERY
    assert RelayOptions(kafka="k:9092").coverage_every == current_state.DEFAULT_EVERY
    assert _parser().parse_args([*relay, "--coverage-every", "250"]).coverage_every == 250


@pytest.mark.parametrize("bad", ["0", "-5", "1.5", "often"])
def test_coverage_every_must_be_a_positive_count(bad: str) -> None:
    with pytest.raises(InvalidOption, match=r"^--coverage-every: ") as refused:
        _parser().parse_args(["relay", "--kafka", "k:9092", "--coverage-every", bad])
    assert refused.value.code == "invalid_field"
