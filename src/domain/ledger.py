"""The ledger's use cases (the eventsourcing `Application`): load the aggregates a command
touches, call them, and record all their events atomically, with the command's id.

Handlers receive plain typed values (the adapters parse and validate the wire format).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from .errors import Conflict, InvalidCommand, UnknownHousehold
from .events import recording_at
from .household import Household
from .policy import DEFAULT_POLICY, PolicyBook


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class LedgerStorage(Protocol):
    """What the ledger needs of its store beyond events (implemented in adapters.store)."""

    def write_transaction(self) -> AbstractContextManager[Any]: ...

    def find_command(self, command_id: str) -> list[tuple[UUID, int]] | None: ...

    def record_command(self, command_id: str, events: Sequence[tuple[UUID, int]]) -> None: ...

    def set_next_due(self, aggregate_id: UUID, next_due_on: date | None) -> None: ...

    def due_through(self, through: date, limit: int, after: str | None = None) -> list[UUID]: ...


MAX_CONFLICT_RETRIES = 5


class Ledger(Application):  # type: ignore[type-arg]
    """Every member action and system decision, recorded as immutable events."""

    name = "Ledger"

    def __init__(
        self, env: dict[str, str] | None = None, policy: PolicyBook = DEFAULT_POLICY
    ) -> None:
        super().__init__(env)
        self.policy = policy

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @property
    def storage(self) -> LedgerStorage:
        storage: LedgerStorage = self.recorder  # type: ignore[assignment]
        return storage

    # ---- the command path --------------------------------------------------------------------

    def execute(
        self,
        command: str,
        args: dict[str, Any],
        *,
        recorded_at: datetime,
        command_id: str | None = None,
    ) -> list[Any]:
        """Run one command atomically; a repeated `command_id` answers its first events."""
        handler: Callable[..., Sequence[Aggregate]] | None = getattr(
            self, f"_handle_{command}", None
        )
        if handler is None:
            raise InvalidCommand(f"unknown command {command!r}", "unknown_command")
        for attempt in range(MAX_CONFLICT_RETRIES):
            try:
                return self._execute_once(handler, args, recorded_at, command_id)
            except IntegrityError:
                if attempt == MAX_CONFLICT_RETRIES - 1:
                    raise Conflict(
                        "another writer changed the same records; the command was not recorded"
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _execute_once(
        self,
        handler: Callable[..., Sequence[Aggregate]],
        args: dict[str, Any],
        recorded_at: datetime,
        command_id: str | None,
    ) -> list[Any]:
        with self.storage.write_transaction():
            if command_id is not None:
                prior = self.storage.find_command(command_id)
                if prior is not None:
                    return [self.load_event(a, v) for a, v in prior]
            with recording_at(recorded_at):
                aggregates = handler(**args)
            pending = [e for agg in aggregates for e in agg.pending_events]
            if pending:
                self.save(*aggregates)
            for agg in aggregates:
                next_due = getattr(agg, "next_due_on", None)
                if callable(next_due):
                    self.storage.set_next_due(agg.id, next_due())
            if command_id is not None:
                self.storage.record_command(
                    command_id, [(e.originator_id, e.originator_version) for e in pending]
                )
        return pending

    def load_event(self, aggregate_id: UUID, version: int) -> Any:
        events = list(self.events.get(aggregate_id, gt=version - 1, lte=version))
        return events[0]

    def aggregate_events(self, aggregate_id: UUID) -> Iterator[Any]:
        yield from self.events.get(aggregate_id)

    # ---- loading -----------------------------------------------------------------------------

    def household(self, household_id: str) -> Household:
        try:
            household: Household = self.repository.get(Household.id_for(household_id))
        except AggregateNotFoundError:
            raise UnknownHousehold(f"unknown household {household_id!r}") from None
        return household

    # ---- household commands ------------------------------------------------------------------

    def _handle_submit_application(
        self,
        *,
        on: date,
        household_id: str,
        plan_year: int,
        household_size: int,
        annual_magi: Decimal,
        members: list[dict[str, Any]],
    ) -> list[Aggregate]:
        try:
            household = self.household(household_id)
        except UnknownHousehold:
            household = Household.open(household_id, on)
        household.submit_application(on, plan_year, household_size, annual_magi, members)
        return [household]

    def _handle_determine_eligibility(self, *, on: date, household_id: str) -> list[Aggregate]:
        household = self.household(household_id)
        household.determine_eligibility(on, self.policy.in_force(on), basis="application")
        return [household]

    def _handle_report_change(
        self,
        *,
        on: date,
        household_id: str,
        annual_magi: Decimal | None = None,
        household_size: int | None = None,
        members: list[dict[str, Any]] | None = None,
    ) -> list[Aggregate]:
        household = self.household(household_id)
        household.latest_application()
        changes: dict[str, Any] = {}
        if annual_magi is not None:
            changes["annual_magi"] = annual_magi
        if household_size is not None:
            changes["household_size"] = household_size
        if members:
            changes["members"] = members
        if not changes:
            raise InvalidCommand(
                "report_change needs at least one of annual_magi, household_size, members",
                "missing_field",
            )
        household.report_change(on, changes)
        household.determine_eligibility(on, self.policy.in_force(on), basis="change")
        return [household]
