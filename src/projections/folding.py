"""What the enrollment read models share: which enrollments a batch touched, and each one folded
with the domain's own fold, only up to the batch's last event of it, so a view never runs ahead of
its tracked position.

A run keeps the enrollments it folded (`Folds`, a size-bounded LRU cache keyed by aggregate id):
a cached state at version v is brought forward by applying only the batch's events v+1.. of that
aggregate, exactly as the domain's `replay` does; it is loaded from the store only on a miss or a
version gap. One `Batch` (the batch's events, read and decoded once) is handed to every read
model processing it, so each touched enrollment is folded once and its views computed once.

While an enrollment's events come with non-decreasing business dates (`on`) in version order, the
fold also records its delinquency key at each day boundary, so its grace periods are read off
that one fold (`Folded.day_keys`) instead of one fold per business day.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any, overload
from uuid import UUID

from ..domain.calendar import month_key
from ..domain.enrollment import DELINQUENT, Enrollment
from ..domain.group_enrollment import GroupEnrollment
from ..domain.ledger import Ledger
from .group_views import balance_answer, coverage_answer

DEFAULT_CACHE_SIZE = 4096
"""How many folded enrollments a run keeps (least recently used ones are dropped)."""

DelinquencyKey = tuple[str, date | None]
"""(first unpaid month, payment date) of a delinquent enrollment."""


@dataclass(frozen=True)
class Positioned:
    """A domain event with its position in the notification log."""

    position: int
    event: Any


AnyEnrollment = Enrollment | GroupEnrollment
"""An individual's enrollment or a small group's (one id space, the same read models)."""

MISSED = (Enrollment.PaymentMissed, GroupEnrollment.PaymentMissed)
"""A missed payment of either kind of enrollment (each aggregate records its own class)."""


def is_enrollment_event(event: Any) -> bool:
    """An enrollment's event: an individual's or a small group's (whose events are recorded as
    `GroupEnrollment`'s own classes, not `Enrollment.Event`s)."""
    return isinstance(event, Enrollment.Event | GroupEnrollment.Event)


def owner_of(state: AnyEnrollment) -> str:
    """Whose enrollment it is: the household's id, or the employer's for a small group (the
    read models' `household_id` column holds either, as the timelines do)."""
    return state.employer_id if isinstance(state, GroupEnrollment) else state.household_id


def enrollment_events(ledger: Ledger, aggregate_id: UUID, through_version: int) -> list[Any]:
    """The enrollment's events up to and including `through_version`, in version order."""
    return list(ledger.events.get(aggregate_id, lte=through_version))


def delinquency_key(state: AnyEnrollment | None) -> DelinquencyKey | None:
    """What a grace period is told apart by, or None when the enrollment is not delinquent."""
    if state is not None and state.status == DELINQUENT and state.first_unpaid_month:
        return (month_key(state.first_unpaid_month), state.payment_due_on)
    return None


@dataclass
class Folded:
    """An enrollment folded through `state.version`.

    `missed`: some event so far is a `PaymentMissed`. `ordered`: the events' business dates never
    went backwards in version order; then `changes` holds the delinquency key at each business
    date before `last_on` where it differs from the previous date's (starting from None)."""

    state: AnyEnrollment
    missed: bool
    ordered: bool
    last_on: date
    changes: list[tuple[date, DelinquencyKey | None]] = field(default_factory=list)

    @property
    def version(self) -> int:
        return int(self.state.version)

    def day_keys(self) -> list[tuple[date, DelinquencyKey | None]]:
        """The delinquency key at each business date where it changes, the last date included
        (meaningful only while `ordered`)."""
        return [*self.changes, (self.last_on, delinquency_key(self.state))]


def start_fold(event: Any) -> Folded:
    """The enrollment as its first event creates it (as `replay` does)."""
    state: AnyEnrollment = event.mutate(None)
    return Folded(state, isinstance(event, MISSED), True, event.on)


def advance(folded: Folded, events: Sequence[Any]) -> None:
    """Apply the enrollment's next events (in version order) to `folded`, with the same
    fold as the domain's `replay` (`Enrollment.fold_in`), recording the delinquency key at each day boundary."""
    state = folded.state
    for event in events:
        on: date = event.on
        if folded.ordered:
            if on > folded.last_on:
                key = delinquency_key(state)
                previous = folded.changes[-1][1] if folded.changes else None
                if key != previous:
                    folded.changes.append((folded.last_on, key))
                folded.last_on = on
            elif on < folded.last_on:
                folded.ordered = False
                folded.changes = []
        state.fold_in(event)
        if isinstance(event, MISSED):
            folded.missed = True


def fold_events(events: Sequence[Any]) -> Folded | None:
    """The enrollment folded from its events (the same state as `replay(events)`)."""
    if not events:
        return None
    folded = start_fold(events[0])
    advance(folded, events[1:])
    return folded


def _contiguous(events: Sequence[Any]) -> bool:
    return all(
        later.originator_version == earlier.originator_version + 1
        for earlier, later in pairwise(events)
    )


class Folds:
    """A run's folded enrollments (at most `capacity`, least recently used dropped first) and
    the household (and enrollment id) of the aggregates it has seen."""

    def __init__(self, ledger: Ledger, capacity: int = DEFAULT_CACHE_SIZE) -> None:
        self.ledger = ledger
        self.capacity = max(1, capacity)
        self._folded: OrderedDict[UUID, Folded] = OrderedDict()
        self._firsts: OrderedDict[UUID, tuple[str, str | None]] = OrderedDict()
        self.loads = 0
        """How many enrollments were read back from the store (misses and gaps)."""

    def through(self, aggregate_id: UUID, events: Sequence[Any]) -> Folded | None:
        """The enrollment folded through the last of `events`, its next events in version
        order: the cached fold brought forward when it is at the version just before them,
        else folded from the store."""
        folded = self._folded.pop(aggregate_id, None)  # never left half-applied in the cache
        first, last = events[0].originator_version, events[-1].originator_version
        if not _contiguous(events):
            folded = None
        elif folded is not None and folded.version == first - 1:
            advance(folded, events)
        elif first == 1:
            folded = fold_events(events)
        else:
            folded = None
        if folded is None:
            self.loads += 1
            folded = fold_events(enrollment_events(self.ledger, aggregate_id, last))
        if folded is not None:
            self._folded[aggregate_id] = folded
            while len(self._folded) > self.capacity:
                self._folded.popitem(last=False)
        return folded

    def first_of(self, event: Any) -> tuple[str, str | None]:
        """(household id, enrollment id or None) named by the first event of `event`'s
        aggregate (every aggregate's first event names its household)."""
        aggregate_id: UUID = event.originator_id
        known = self._firsts.get(aggregate_id)
        if known is not None:
            self._firsts.move_to_end(aggregate_id)
            return known
        first = event if event.originator_version == 1 else self.ledger.load_event(aggregate_id, 1)
        # a small group's first event names it `group_enrollment_id` (the same id space)
        enrollment_id = getattr(first, "enrollment_id", None) or getattr(
            first, "group_enrollment_id", None
        )
        # an employer's records (its own, its group enrollments', its appeals') name the employer
        owner = getattr(first, "household_id", None) or getattr(first, "employer_id", "")
        known = (str(owner), None if enrollment_id is None else str(enrollment_id))
        self._firsts[aggregate_id] = known
        while len(self._firsts) > 8 * self.capacity:
            self._firsts.popitem(last=False)
        return known


class Batch(Sequence[Positioned]):
    """One batch of positioned events, read and decoded once, shared by every read model that
    processes it: each touched enrollment folded once (through `folds`) and its views computed
    once. The folds are read within the batch only: the next batch brings them forward."""

    def __init__(self, ledger: Ledger, items: Sequence[Positioned], folds: Folds) -> None:
        self.ledger = ledger
        self.items = list(items)
        self.folds = folds
        self._enrollments: list[Folded] | None = None
        self._coverage: dict[UUID, dict[str, Any]] = {}
        self._balance: dict[UUID, dict[str, Any]] = {}
        self._firsts: dict[UUID, tuple[str, str | None]] = {}

    @overload
    def __getitem__(self, index: int) -> Positioned: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Positioned]: ...

    def __getitem__(self, index: int | slice) -> Positioned | Sequence[Positioned]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Positioned]:
        return iter(self.items)

    def enrollments(self) -> list[Folded]:
        """Each enrollment the batch touched, folded up to its last event in the batch."""
        if self._enrollments is None:
            grouped: dict[UUID, list[Any]] = {}
            for item in self.items:
                if is_enrollment_event(item.event):
                    grouped.setdefault(item.event.originator_id, []).append(item.event)
            folded = (self.folds.through(a, events) for a, events in grouped.items())
            self._enrollments = [f for f in folded if f is not None]
        return self._enrollments

    def coverage_view(self, folded: Folded) -> dict[str, Any]:
        key = folded.state.id
        if key not in self._coverage:
            self._coverage[key] = coverage_answer(folded.state)
        return self._coverage[key]

    def balance_view(self, folded: Folded) -> dict[str, Any]:
        key = folded.state.id
        if key not in self._balance:
            self._balance[key] = balance_answer(folded.state)
        return self._balance[key]

    def household_of(self, event: Any) -> str:
        return self._first_of(event)[0]

    def enrollment_id_of(self, event: Any) -> str:
        enrollment_id = self._first_of(event)[1]
        if enrollment_id is None:
            raise LookupError(f"aggregate {event.originator_id} is not an enrollment")
        return enrollment_id

    def _first_of(self, event: Any) -> tuple[str, str | None]:
        """`Folds.first_of`, asked once per aggregate of the batch (a batch names the same
        aggregates again and again; one timeline row per event)."""
        aggregate_id: UUID = event.originator_id
        known = self._firsts.get(aggregate_id)
        if known is None:
            known = self._firsts[aggregate_id] = self.folds.first_of(event)
        return known


def batch_of(ledger: Ledger, batch: Sequence[Positioned]) -> Batch:
    """The shared batch when the runner passed one, else the events on their own (no cache)."""
    if isinstance(batch, Batch) and batch.ledger is ledger:
        return batch
    return Batch(ledger, batch, Folds(ledger))
