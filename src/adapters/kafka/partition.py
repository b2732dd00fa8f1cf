"""The message key: whose story an event belongs to.

Every event of a household, and of its enrollments, waivers and appeals, is published with the
household id as given in commands as its Kafka key (an employer's records with the employer id),
so one partition holds a household's whole story in store order. The CloudEvents `partitionkey`
extension (`ce_partitionkey`) carries the same value; `ce_subject` still names the aggregate.

Every aggregate's first event names its owner (`HouseholdOpened`, `PlanSelected` and
`AppealFiled` name the household): `owner_named_by` reads it there, and `PartitionKeys` remembers
the answer per aggregate, so the later events of the aggregate (which do not name it) get the same
key. An aggregate first seen mid-story (created before the relay's start position, or forgotten
by the bounded memo) has its first event read back from the store once.

No Kafka import here: this module is plain data.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

OWNER_FIELDS: tuple[str, ...] = ("employer_id", "household_id")
"""The fields of an aggregate's first event that name whose story the aggregate belongs to, the
first one present (and not empty) winning: an employer's records are keyed by the employer
(small group: the employer's application, its group enrollments, an employer's appeal), every other
record by its household.

The extension point: an aggregate whose first event names its owner under another field adds that
field here; one whose first event names its owner only through another aggregate (an employee's
enrollment naming only its `group_enrollment_id`, say) gives its creation event the owner's id,
or extends `owner_named_by`. `tests/unit/test_partition_keys.py` checks that the first event of
every aggregate of the catalogue carries one of these fields, so a new aggregate cannot silently
fall back to the aggregate key."""

DEFAULT_CAPACITY = 100_000
"""How many aggregates' keys a relay remembers (least recently used forgotten first); a forgotten
one costs one read of its first event."""


def owner_named_by(first_event_fields: Mapping[str, Any]) -> str | None:
    """The household (or employer) id an aggregate's first event names (its wire `data`, or the
    domain event's fields), or None when it names none."""
    for name in OWNER_FIELDS:
        value = first_event_fields.get(name)
        if value is not None and str(value) != "":
            return str(value)
    return None


FirstEventFields = Callable[[UUID], Mapping[str, Any] | None]
"""Reads an aggregate's first event back from the store: its fields, or None if there is none."""


class PartitionKeys:
    """Aggregate id -> message key, learned from the first events as they pass and remembered
    (bounded, least recently used forgotten first); `first_event_fields` answers for an aggregate
    first seen after its first event.

    An aggregate whose first event names no owner (an aggregate type unknown to `OWNER_FIELDS`)
    is keyed by its own id, the key of the first edition: its events stay in order among
    themselves, and the relay never stops on it; `unowned` counts them."""

    def __init__(
        self, first_event_fields: FirstEventFields, capacity: int = DEFAULT_CAPACITY
    ) -> None:
        self.first_event_fields = first_event_fields
        self.capacity = max(1, capacity)
        self._keys: OrderedDict[str, str] = OrderedDict()
        self.lookups = 0
        """How many first events were read back from the store."""
        self.unowned = 0
        """How many aggregates were keyed by their own id (their first event names no owner)."""

    def key_of(self, rendered: Mapping[str, Any]) -> str:
        """The key of a rendered event (`wire.render_event`'s form)."""
        aggregate_id = str(rendered["aggregate_id"])
        key = self._keys.get(aggregate_id)
        if key is not None:
            self._keys.move_to_end(aggregate_id)
            return key
        if rendered["version"] == 1:
            fields: Mapping[str, Any] | None = rendered["data"]
        else:
            self.lookups += 1
            fields = self.first_event_fields(UUID(aggregate_id))
        owner = None if fields is None else owner_named_by(fields)
        if owner is None:
            self.unowned += 1
            owner = aggregate_id
        self._keys[aggregate_id] = owner
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return owner
