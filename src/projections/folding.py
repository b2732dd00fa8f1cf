"""What the enrollment read models share: which enrollments a batch touched, and each one folded
with the domain's own fold (`enrollment_views.fold`), only up to the batch's last event of it, so
a view never runs ahead of its tracked position."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from ..domain.enrollment import Enrollment, EnrollmentEvent
from ..domain.ledger import Ledger
from .enrollment_views import fold
from .tracking import Positioned


def is_enrollment_event(event: Any) -> bool:
    return isinstance(event, EnrollmentEvent | Enrollment.PlanSelected)


def touched_enrollments(batch: Sequence[Positioned]) -> dict[UUID, int]:
    """Each enrollment with an event in the batch -> the highest version of it in the batch."""
    touched: dict[UUID, int] = {}
    for item in batch:
        event = item.event
        if is_enrollment_event(event):
            touched[event.originator_id] = max(
                touched.get(event.originator_id, 0), event.originator_version
            )
    return touched


def enrollment_events(ledger: Ledger, aggregate_id: UUID, through_version: int) -> list[Any]:
    """The enrollment's events up to and including `through_version`, in version order."""
    return list(ledger.events.get(aggregate_id, lte=through_version))


def folded_enrollments(ledger: Ledger, batch: Sequence[Positioned]) -> Iterator[Enrollment]:
    """Each enrollment the batch touched, folded up to its last event in the batch."""
    for aggregate_id, version in touched_enrollments(batch).items():
        enrollment = fold(enrollment_events(ledger, aggregate_id, version))
        if enrollment is not None:
            yield enrollment


class HouseholdOf:
    """The household of any aggregate (a household, an enrollment, an appeal): every aggregate's
    first event names it. Remembered for the life of one batch."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.known: dict[UUID, str] = {}

    def __call__(self, event: Any) -> str:
        aggregate_id: UUID = event.originator_id
        if aggregate_id not in self.known:
            first = (
                event if event.originator_version == 1 else self.ledger.load_event(aggregate_id, 1)
            )
            self.known[aggregate_id] = str(first.household_id)
        return self.known[aggregate_id]
