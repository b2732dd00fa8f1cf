"""Every aggregate of the ledger and every event class it records."""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from .appeal import Appeal
from .employer import Employer
from .enrollment import Enrollment
from .events import LedgerCreated, LedgerEvent
from .group_enrollment import GroupEnrollment
from .household import Household

AGGREGATES: tuple[type[Any], ...] = (Household, Enrollment, Appeal, Employer, GroupEnrollment)


def event_classes() -> list[type[Any]]:
    found: list[type[Any]] = []
    for aggregate in AGGREGATES:
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, LedgerEvent | LedgerCreated):
                found.append(value)
    return found


def upcast_topics() -> frozenset[str]:
    """The topics of event classes at a class_version above 1: their stored states may be of an
    older version, read only through the mapper (which upcasts them)."""
    return frozenset(
        get_topic(cls) for cls in event_classes() if getattr(cls, "class_version", 1) > 1
    )
