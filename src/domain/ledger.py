"""The ledger (the eventsourcing `Application`): runs each command with its handler
(`handlers.COMMAND_HANDLERS`) and records all the events of the aggregates it changed atomically,
with the command's id; loads aggregates for the handlers and the queries.

Commands are plain typed values (`commands`; the adapters parse and validate the wire format).
What the ledger needs of its store is `storage.py` (the `LedgerStorage` port and the JSON
transcodings of event values); the store-wide uniqueness of payment references is
`payment_references.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from threading import Lock
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
)

from .appeal import Appeal
from .commands import Command, RecordPayment
from .employer import Employer
from .enrollment import Enrollment
from .enrollment.billing import PaymentRecorded
from .errors import (
    Conflict,
    InvalidCommand,
    LedgerError,
    UnknownAppeal,
    UnknownEmployer,
    UnknownEnrollment,
    UnknownHousehold,
    WrongProgram,
)
from .events import recording_at
from .group_enrollment import GroupEnrollment
from .handlers import COMMAND_HANDLERS, Handler
from .handlers.waivers import open_periods_for_ended_waivers
from .household import Household
from .opening import refuse_before_opening
from .parameters import PolicyBook
from .payment_references import AlreadyRecorded, PaymentReferences
from .policy import DEFAULT_POLICY
from .storage import MAX_CONFLICT_RETRIES, LedgerStorage, register_ledger_transcodings


@dataclass(frozen=True)
class Recording:
    """What a command recorded: its events, and whether they were recorded just now (`fresh`)
    or by an earlier command this one repeats (then they keep that recording's actor)."""

    events: list[Any]
    fresh: bool


class Ledger(Application):  # type: ignore[type-arg]
    """Every member action and system decision, recorded as immutable events."""

    name = "Ledger"

    def __init__(
        self, env: dict[str, str] | None = None, policy: PolicyBook = DEFAULT_POLICY
    ) -> None:
        super().__init__(env)
        self.policy = policy
        # the payment reference index is keyed with the store's cipher key when it has one, so
        # an encrypted store keeps no reference in a readable or guessable form
        encrypted = self.mapper.cipher is not None
        self.references = PaymentReferences(
            self.storage,
            self.load_event,
            self.mapper.to_domain_event,
            (self.env.get("CIPHER_KEY", "") if encrypted else "").encode(),
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        register_ledger_transcodings(transcoder)

    def construct_repository(self) -> Repository:  # type: ignore[type-arg]
        repository = super().construct_repository()
        repository.__class__ = _FoldingRepository
        return repository

    def save(self, *aggregates: Any, **kwargs: Any) -> Any:
        """The library's `save` for the ledger's aggregates: their pending events collected
        without its runtime protocol checks of each one (`isinstance` against a typing
        Protocol, slow before Python 3.12), then recorded as the library records them."""
        processing = ProcessingEvent()  # type: ignore[var-annotated]
        for aggregate in aggregates:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        self.notify(processing.events)
        return recordings

    @property
    def storage(self) -> LedgerStorage:
        storage: LedgerStorage = self.recorder  # type: ignore[assignment]
        return storage

    # ---- the command path --------------------------------------------------------------------

    def execute(
        self,
        command: Command,
        *,
        recorded_at: datetime,
        command_id: str | None = None,
        fingerprint: str | None = None,
        admit: Callable[[], None] | None = None,
        recorded_by: str | None = None,
    ) -> list[Any]:
        """The events of `record` (the command's events, or the first ones of a repeat)."""
        return self.record(
            command,
            recorded_at=recorded_at,
            command_id=command_id,
            fingerprint=fingerprint,
            admit=admit,
            recorded_by=recorded_by,
        ).events

    def record(
        self,
        command: Command,
        *,
        recorded_at: datetime,
        command_id: str | None = None,
        fingerprint: str | None = None,
        admit: Callable[[], None] | None = None,
        recorded_by: str | None = None,
    ) -> Recording:
        """Run one command atomically with its handler (`COMMAND_HANDLERS`). A repeated
        `command_id` answers its first events when the command is the same one (the same
        `fingerprint`, or one recorded without a fingerprint), and is refused `command_id_reused`
        when it is another. `admit`, the caller's check of a command about to be recorded (not of
        a repeat), refuses it by raising. `recorded_by`, the command's actor (the adapters name
        it), is handed to the store with the events and the command log; it is no part of an
        event."""
        handler = COMMAND_HANDLERS.get(type(command))
        if handler is None:
            raise InvalidCommand(f"unknown command {type(command).__name__!r}", "unknown_command")
        if isinstance(command, RecordPayment):
            self.references.index_stored()
        for attempt in range(MAX_CONFLICT_RETRIES):
            try:
                return self._execute_once(
                    handler, command, recorded_at, command_id, fingerprint, admit, recorded_by
                )
            except IntegrityError:
                if attempt == MAX_CONFLICT_RETRIES - 1:
                    raise Conflict(
                        "another writer changed the same records; the command was not recorded"
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _execute_once(
        self,
        handler: Handler,
        command: Command,
        recorded_at: datetime,
        command_id: str | None,
        fingerprint: str | None,
        admit: Callable[[], None] | None,
        recorded_by: str | None,
    ) -> Recording:
        with self.storage.write_transaction(recorded_by):
            if command_id is not None:
                prior = self.storage.find_command(command_id)
                if prior is not None:
                    events, recorded_fingerprint = prior
                    if fingerprint and recorded_fingerprint and fingerprint != recorded_fingerprint:
                        raise Conflict(
                            f"command_id {command_id[:80]!r} was already used for a different "
                            "command; nothing was recorded",
                            "command_id_reused",
                        )
                    return Recording([self.load_event(a, v) for a, v in events], fresh=False)
            if admit is not None:
                admit()
            with recording_at(recorded_at):
                try:
                    changed = refuse_before_opening(command, handler(self, command))
                    aggregates = self._take_late_decisions(changed)
                except AlreadyRecorded as repeat:
                    if command_id is not None:
                        self.storage.record_command(
                            command_id, repeat.events, fingerprint, recorded_by
                        )
                    first = [self.load_event(a, v) for a, v in repeat.events]
                    return Recording(first, fresh=False)
            pending = [e for agg in aggregates for e in agg.pending_events]
            if pending:
                self.save(*aggregates)
            keys = [(e.originator_id, e.originator_version) for e in pending]
            for event in pending:
                if isinstance(event, PaymentRecorded):  # an enrollment's or a small group's
                    self.storage.record_reference(self.references.key(event.reference), keys)
            dues = {
                agg.id: agg.next_due_on(self.policy.in_force(agg.horizon))
                for agg in aggregates
                if isinstance(agg, Enrollment | GroupEnrollment)
            }
            if dues:
                self.storage.set_next_due(dues)
            if command_id is not None:
                self.storage.record_command(command_id, keys, fingerprint, recorded_by)
        return Recording(pending, fresh=True)

    def _take_late_decisions(self, aggregates: Sequence[Aggregate]) -> Sequence[Aggregate]:
        """The decisions a command's facts made due on or before the schedule's date (the
        latest `through` the schedule has been run to) are taken now, as of that date, never
        back-dated (see `Enrollment.take_late_decisions`); a waiver period ended by them opens
        its sixty days from that date (12.10(1)(f))."""
        enrollments = [a for a in aggregates if isinstance(a, Enrollment | GroupEnrollment)]
        if not enrollments:
            return aggregates
        through = self.storage.schedule_through()
        if through is None:
            return aggregates
        households = {a.household_id: a for a in aggregates if isinstance(a, Household)}
        already_loaded = set(households)
        for enrollment in enrollments:
            already = len(enrollment.pending_events)
            enrollment.take_late_decisions(through, self.policy.in_force)
            if isinstance(enrollment, Enrollment):
                open_periods_for_ended_waivers(
                    self, enrollment, enrollment.pending_events[already:], households
                )
        loaded = [h for key, h in households.items() if key not in already_loaded]
        return [*aggregates, *loaded]

    def load_event(self, aggregate_id: UUID, version: int) -> Any:
        events = list(self.events.get(aggregate_id, gt=version - 1, lte=version))
        return events[0]

    def aggregate_events(self, aggregate_id: UUID) -> Iterator[Any]:
        yield from self.events.get(aggregate_id)

    # ---- loading -----------------------------------------------------------------------------

    def _load(self, aggregate_id: UUID, not_found: LedgerError) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found from None

    def household(self, household_id: str) -> Household:
        household: Household = self._load(
            Household.id_for(household_id), UnknownHousehold(f"unknown household {household_id!r}")
        )
        return household

    def require_policy_parameters(self, on: date, plan_year: int) -> None:
        """An application or renewal for a plan year the policy in force has no Federal Poverty
        Level for (12.03) could never be determined: refused `no_policy_parameters` when it is
        submitted, rather than accepted and then failed at every determination."""
        self.policy.in_force(on).fpl(plan_year)

    def enrollment(self, enrollment_id: str) -> Enrollment:
        """An individual enrollment; a small group's id is refused `wrong_program`."""
        enrollment = self.any_enrollment(enrollment_id)
        if not isinstance(enrollment, Enrollment):
            raise WrongProgram(
                f"enrollment {enrollment_id!r} is a small group's (a group_enrollment_id): this "
                "command applies to an individual enrollment"
            )
        return enrollment

    def any_enrollment(self, enrollment_id: str) -> Enrollment | GroupEnrollment:
        """The enrollment of that id, an individual's or a small group's (one id space)."""
        found: Enrollment | GroupEnrollment = self._load(
            Enrollment.id_for(enrollment_id),
            UnknownEnrollment(f"unknown enrollment {enrollment_id!r}"),
        )
        return found

    def group_enrollment(self, group_enrollment_id: str) -> GroupEnrollment:
        """A small group's enrollment; an individual enrollment's id is refused `wrong_program`."""
        group = self._load(
            GroupEnrollment.id_for(group_enrollment_id),
            UnknownEnrollment(f"unknown group enrollment {group_enrollment_id!r}"),
        )
        if not isinstance(group, GroupEnrollment):
            raise WrongProgram(
                f"enrollment {group_enrollment_id!r} is an individual enrollment, not a small "
                "group's"
            )
        return group

    def employer(self, employer_id: str) -> Employer:
        employer: Employer = self._load(
            Employer.id_for(employer_id), UnknownEmployer(f"unknown employer {employer_id!r}")
        )
        return employer

    def employer_events(self, employer: Employer) -> list[tuple[int, Any]]:
        """Every event of the employer, its group enrollments and its appeals, with its store
        position, in store order."""
        return self._record_of(
            employer.id,
            [GroupEnrollment.id_for(g) for g in employer.group_enrollment_ids],
            employer.appeal_ids,
        )

    def appeal(self, appeal_id: str) -> Appeal:
        appeal: Appeal = self._load(
            Appeal.id_for(appeal_id), UnknownAppeal(f"unknown appeal {appeal_id!r}")
        )
        return appeal

    def household_events(self, household: Household) -> list[tuple[int, Any]]:
        """Every event of the household, its enrollments and its appeals, with its store
        position, in store order."""
        return self._record_of(
            household.id,
            [Enrollment.id_for(e) for e in household.enrollment_ids],
            household.appeal_ids,
        )

    def _record_of(
        self, appellant_id: UUID, enrollment_ids: list[UUID], appeal_ids: list[str]
    ) -> list[tuple[int, Any]]:
        """The events of an appellant (a household, an employer), its enrollments and its
        appeals, with their store positions, in store order (one read of the store)."""
        ids = [appellant_id, *enrollment_ids, *(Appeal.id_for(a) for a in appeal_ids)]
        return [(n.id, self.mapper.to_domain_event(n)) for n in self.storage.select_aggregates(ids)]

    def load_enrollments(self, aggregate_ids: list[UUID]) -> list[Enrollment | GroupEnrollment]:
        """Many enrollments (an individual's or a small group's): cached ones brought forward
        with the events stored after their version only, and copied (the cache's own stays as
        it was stored); the others folded from all of theirs (`storage.select_after`), not
        cached and not copied (nothing else holds them). A monthly run reads thousands of
        enrollments once: put in the cache, they would push out the aggregates the day's
        commands use (a scan kept out of an LRU cache, as PostgreSQL keeps a sequential scan
        out of its shared buffers), and each would be copied for nothing in a scheduler's
        fresh process."""
        cache = self.repository.cache
        cached: dict[UUID, Enrollment | GroupEnrollment] = {}
        if cache is not None:
            for aggregate_id in aggregate_ids:
                with suppress(KeyError):
                    cached[aggregate_id] = cast(
                        Enrollment | GroupEnrollment, cache.get(aggregate_id)
                    )
        versions = {a: cached[a].version if a in cached else 0 for a in aggregate_ids}
        new_events: dict[UUID, list[Any]] = {a: [] for a in aggregate_ids}
        for row in self.storage.select_after(versions):
            new_events[row.originator_id].append(self.mapper.to_domain_event(row))
        loaded: list[Enrollment | GroupEnrollment] = []
        for aggregate_id in aggregate_ids:
            enrollment = fold(cached.get(aggregate_id), new_events[aggregate_id])
            if enrollment is None:
                raise UnknownEnrollment(f"no events for scheduled aggregate {aggregate_id}")
            loaded.append(copy.deepcopy(enrollment) if aggregate_id in cached else enrollment)
        return loaded


def fold(aggregate: Any, events: Iterable[Any]) -> Any:
    """Each event applied in turn (the library's `project_aggregate`, without its runtime
    protocol check of every event: each of the ledger's events mutates its aggregate)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


_FASTFORWARD_LOCKS = tuple(Lock() for _ in range(64))
"""An aggregate is brought forward under the one of its id's hash (two ids may share one)."""


class _FoldingRepository(Repository):  # type: ignore[type-arg]
    """The library's repository, folding with `fold` unless told otherwise; a cached aggregate
    brought forward under a fixed lock (`_FASTFORWARD_LOCKS`), not one made per aggregate."""

    def get(self, aggregate_id: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("projector_func", fold)
        return super().get(aggregate_id, **kwargs)

    def _use_fastforward_lock(self, aggregate_id: Any) -> Lock:
        return _FASTFORWARD_LOCKS[hash(aggregate_id) % len(_FASTFORWARD_LOCKS)]

    def _disuse_fastforward_lock(self, aggregate_id: Any) -> None:
        pass
