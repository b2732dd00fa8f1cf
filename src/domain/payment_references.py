"""Payment references (12.12(1) payments): a payment's `reference` is unique in the whole store.
The same payment again (same enrollment, amount and date) answers its first recording; any other
payment with that reference is refused `duplicate_reference`. The index keeps a keyed hash of the
reference (keyed with the store's cipher key when it has one), never the reference itself.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from .enrollment import Enrollment
from .enrollment.billing import PaymentRecorded
from .errors import Conflict
from .storage import MAX_CONFLICT_RETRIES, EventKeys, LedgerStorage

PAYMENT_RECORDED_TOPIC = get_topic(Enrollment.PaymentRecorded)


class AlreadyRecorded(Exception):
    """The command repeats one already recorded: it is answered with that command's events."""

    def __init__(self, events: EventKeys) -> None:
        super().__init__("already recorded")
        self.events = events


def duplicate_reference(reference: str) -> Conflict:
    return Conflict(
        f"payment reference {reference[:80]!r} was already recorded for a different payment "
        "(another enrollment, amount or date); nothing was recorded",
        "duplicate_reference",
    )


class PaymentReferences:
    """The ledger's index of payment references, kept by its store."""

    def __init__(
        self,
        storage: LedgerStorage,
        load_event: Callable[[UUID, int], Any],
        to_domain_event: Callable[[Any], Any],
        secret: bytes,
    ) -> None:
        self._storage = storage
        self._load_event = load_event
        self._to_domain_event = to_domain_event
        self._secret = secret
        self._ready = False

    def key(self, reference: str) -> str:
        return hmac.new(self._secret, reference.encode("utf-8"), "sha256").hexdigest()

    def refuse_reused(self, on: date, enrollment_id: str, amount: Decimal, reference: str) -> None:
        """A payment `reference` already recorded: AlreadyRecorded when it is this same payment
        (same enrollment, amount and date), else refused `duplicate_reference`."""
        first = self._storage.find_reference(self.key(reference))
        if first is None:
            return
        for aggregate_id, version in first:
            event = self._load_event(aggregate_id, version)
            if isinstance(event, PaymentRecorded) and event.reference == reference:
                if (
                    event.originator_id == Enrollment.id_for(enrollment_id)
                    and event.amount == amount
                    and event.on == on
                ):
                    raise AlreadyRecorded(first)
                break
        raise duplicate_reference(reference)

    def index_stored(self) -> None:
        """Once per store, in a transaction of its own: put every payment recorded before the
        reference index existed into it (the first recording of a reference wins)."""
        if self._ready:
            return
        storage = self._storage
        for attempt in range(MAX_CONFLICT_RETRIES):
            try:
                with storage.write_transaction():
                    if not storage.references_indexed():
                        for row in storage.select_topic(PAYMENT_RECORDED_TOPIC):
                            event: Any = self._to_domain_event(row)
                            key = self.key(event.reference)
                            if storage.find_reference(key) is None:
                                storage.record_reference(
                                    key, [(row.originator_id, row.originator_version)]
                                )
                        storage.mark_references_indexed()
                break
            except IntegrityError:  # another process indexed them meanwhile
                if attempt == MAX_CONFLICT_RETRIES - 1:
                    raise Conflict(
                        "another writer changed the same records; the command was not recorded"
                    ) from None
        self._ready = True
