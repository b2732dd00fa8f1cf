"""The ledger's use cases (the eventsourcing `Application`): load the aggregates a command
touches, call them, and record all their events atomically, with the command's id.

Handlers receive plain typed values (the adapters parse and validate the wire format).
"""

from __future__ import annotations

import copy
import hmac
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    IntegrityError,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic

from .appeal import Appeal
from .calendar import first_of_month
from .enrollment import TERMINATED, Enrollment
from .errors import (
    Conflict,
    InvalidCommand,
    LedgerError,
    NotEligible,
    OutsideEnrollmentPeriod,
    UnknownAppeal,
    UnknownEnrollment,
    UnknownHousehold,
)
from .events import event_uuid, recording_at
from .household import Household, determine_from
from .policy import DEFAULT_POLICY, PolicyBook
from .rules import eligibility as eligibility_rules
from .rules import enrollment_periods as periods


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_ledger_transcodings(transcoder: JSONTranscoder) -> None:
    """How the ledger's event values are written as JSON: UUIDs, Decimals, instants and dates."""
    transcoder.register(UUIDAsHex())
    transcoder.register(DecimalAsStr())
    transcoder.register(DatetimeAsISO())
    transcoder.register(DateAsISO())


EventKeys = list[tuple[UUID, int]]
"""Events named by (aggregate id, version)."""


class LedgerStorage(Protocol):
    """What the ledger needs of its store beyond events (implemented in adapters.store)."""

    def write_transaction(self) -> AbstractContextManager[Any]: ...

    def find_command(self, command_id: str) -> tuple[EventKeys, str | None] | None:
        """The events a command id recorded and the command's fingerprint (None when the store
        kept none, for a command recorded before fingerprints were kept)."""
        ...

    def record_command(
        self, command_id: str, events: Sequence[tuple[UUID, int]], fingerprint: str | None
    ) -> None: ...

    def find_reference(self, key: str) -> EventKeys | None:
        """The events of the command that recorded the payment reference keyed `key`."""
        ...

    def record_reference(self, key: str, events: Sequence[tuple[UUID, int]]) -> None: ...

    def references_indexed(self) -> bool:
        """Whether every stored payment's reference is in the reference index."""
        ...

    def mark_references_indexed(self) -> None: ...

    def select_topic(self, topic: str) -> Sequence[Any]:
        """Every stored event of one topic, in store order."""
        ...

    def set_next_due(self, dues: Mapping[UUID, date | None]) -> None: ...

    def due_through(self, through: date, limit: int, after: str | None = None) -> list[UUID]: ...

    def schedule_through(self) -> date | None: ...

    def raise_schedule_through(self, through: date) -> None: ...

    def select_aggregates(self, aggregate_ids: Sequence[UUID]) -> Sequence[Any]: ...


MAX_CONFLICT_RETRIES = 5
PAYMENT_RECORDED_TOPIC = get_topic(Enrollment.PaymentRecorded)


class AlreadyRecorded(Exception):
    """The command repeats one already recorded: it is answered with that command's events."""

    def __init__(self, events: EventKeys) -> None:
        super().__init__("already recorded")
        self.events = events


MEMBER_FACTS = frozenset(
    {"birth_date", "resident", "lawfully_present", "incarcerated", "aptc_eligible"}
)
"""What an application says of each member (12.06); a member added by a change needs all of it."""


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
        self._reference_secret = (self.env.get("CIPHER_KEY", "") if encrypted else "").encode()
        self._references_ready = False

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        register_ledger_transcodings(transcoder)

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
        fingerprint: str | None = None,
        admit: Callable[[], None] | None = None,
    ) -> list[Any]:
        """Run one command atomically. A repeated `command_id` answers its first events when
        the command is the same one (the same `fingerprint`, or one recorded without a
        fingerprint), and is refused `command_id_reused` when it is another. `admit`, the
        caller's check of a command about to be recorded (not of a repeat), refuses it by
        raising."""
        handler: Callable[..., Sequence[Aggregate]] | None = getattr(
            self, f"_handle_{command}", None
        )
        if handler is None:
            raise InvalidCommand(f"unknown command {command!r}", "unknown_command")
        if command == "record_payment":
            self._index_stored_references()
        for attempt in range(MAX_CONFLICT_RETRIES):
            try:
                return self._execute_once(
                    handler, args, recorded_at, command_id, fingerprint, admit
                )
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
        fingerprint: str | None,
        admit: Callable[[], None] | None,
    ) -> list[Any]:
        with self.storage.write_transaction():
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
                    return [self.load_event(a, v) for a, v in events]
            if admit is not None:
                admit()
            with recording_at(recorded_at):
                try:
                    aggregates = self._take_late_decisions(handler(**args))
                except AlreadyRecorded as repeat:
                    if command_id is not None:
                        self.storage.record_command(command_id, repeat.events, fingerprint)
                    return [self.load_event(a, v) for a, v in repeat.events]
            pending = [e for agg in aggregates for e in agg.pending_events]
            if pending:
                self.save(*aggregates)
            keys = [(e.originator_id, e.originator_version) for e in pending]
            for event in pending:
                if isinstance(event, Enrollment.PaymentRecorded):
                    self.storage.record_reference(self._reference_key(event.reference), keys)
            dues = {
                agg.id: agg.next_due_on(self.policy.in_force(agg.horizon))
                for agg in aggregates
                if isinstance(agg, Enrollment)
            }
            if dues:
                self.storage.set_next_due(dues)
            if command_id is not None:
                self.storage.record_command(command_id, keys, fingerprint)
        return pending

    def _take_late_decisions(self, aggregates: Sequence[Aggregate]) -> Sequence[Aggregate]:
        """The decisions a command's facts made due on or before the schedule's date (the
        latest `through` the schedule has been run to) are taken now, as of that date, never
        back-dated (see `Enrollment.take_late_decisions`); a waiver period ended by them opens
        its sixty days from that date (12.10(1)(f))."""
        enrollments = [a for a in aggregates if isinstance(a, Enrollment)]
        if not enrollments:
            return aggregates
        through = self.storage.schedule_through()
        if through is None:
            return aggregates
        households = {a.household_id: a for a in aggregates if isinstance(a, Household)}
        loaded: list[Aggregate] = []
        for enrollment in enrollments:
            already = len(enrollment.pending_events)
            enrollment.take_late_decisions(through, self.policy.in_force)
            for event in enrollment.pending_events[already:]:
                if isinstance(event, Enrollment.HardshipWaiverEnded):
                    household = households.get(enrollment.household_id)
                    if household is None:
                        household = self.household(enrollment.household_id)
                        households[enrollment.household_id] = household
                        loaded.append(household)
                    self._waiver_sep(household, enrollment, event.on, periods.WAIVER_ENDED)
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
        self._require_policy_parameters(on, plan_year)
        try:
            household = self.household(household_id)
        except UnknownHousehold:
            household = Household.open(household_id, on)
        household.submit_application(on, plan_year, household_size, annual_magi, members)
        return [household]

    def _require_policy_parameters(self, on: date, plan_year: int) -> None:
        """An application or renewal for a plan year the policy in force has no Federal Poverty
        Level for (12.03) could never be determined: refused `no_policy_parameters` when it is
        submitted, rather than accepted and then failed at every determination."""
        self.policy.in_force(on).fpl(plan_year)

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
        known = {m["member_id"] for m in household.latest_application().members}
        for member in members or []:
            missing = sorted(MEMBER_FACTS - set(member)) if member["member_id"] not in known else []
            if missing:
                raise InvalidCommand(
                    f"a new member needs every field of an application's member: "
                    f"missing {', '.join(missing)}",
                    "missing_field",
                )
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

    # ---- special enrollment periods ----------------------------------------------------------

    def _handle_report_qualifying_event(
        self, *, on: date, household_id: str, kind: str, event_on: date | None = None
    ) -> list[Aggregate]:
        """12.10(1)(a): a triggering event opens 60 days to enroll from the date of the event."""
        household = self.household(household_id)
        policy = self.policy.in_force(on)
        happened = event_on or on
        if kind not in periods.QUALIFYING_EVENT_KINDS:
            raise InvalidCommand(
                f"unknown qualifying event kind {kind!r}; one of "
                + ", ".join(sorted(periods.QUALIFYING_EVENT_KINDS)),
                "invalid_field",
            )
        if happened > on:
            raise InvalidCommand("event_on cannot be after the date the event is reported (on)")
        if kind == "loss_of_coverage" and self._lost_coverage_for_non_payment(household):
            raise OutsideEnrollmentPeriod(
                "a loss of coverage for not paying premiums (or for fraud) is not a qualifying "
                "event (956 CMR 12.10(1)(a); the special enrollment periods page)",
                "not_a_qualifying_event",
            )
        end_on = periods.special_enrollment_end(happened, policy)
        if kind == periods.AI_AN_MONTHLY:
            end_on = date.max
        elif end_on < on:
            raise OutsideEnrollmentPeriod(
                f"the 60 days from the event on {happened.isoformat()} ended on "
                f"{end_on.isoformat()} (956 CMR 12.10(1))"
            )
        household.open_special_enrollment_period(
            kind=kind,
            event_on=happened,
            on=on,
            member_ids=(),
            citation=periods.QUALIFYING_EVENT_KINDS[kind],
            policy=policy,
            end_on=end_on,
        )
        return [household]

    def _lost_coverage_for_non_payment(self, household: Household) -> bool:
        for enrollment_id in household.enrollment_ids:
            enrollment = self.enrollment(enrollment_id)
            if enrollment.end_reason == "non_payment" and enrollment.status == TERMINATED:
                return True
        return False

    # ---- enrollment commands -----------------------------------------------------------------

    def enrollment(self, enrollment_id: str) -> Enrollment:
        enrollment: Enrollment = self._load(
            Enrollment.id_for(enrollment_id),
            UnknownEnrollment(f"unknown enrollment {enrollment_id!r}"),
        )
        return enrollment

    def _handle_select_plan(
        self,
        *,
        on: date,
        enrollment_id: str,
        household_id: str,
        member_ids: list[str],
        plan_id: str,
        coverage: str,
        monthly_premium: Decimal,
        aptc_applied: Decimal,
    ) -> list[Aggregate]:
        """12.10(1)-(3) for health plans; 12.16(1)(a), (3)(a) for dental plans."""
        household = self.household(household_id)
        policy = self.policy.in_force(on)
        try:
            self.repository.get(Enrollment.id_for(enrollment_id))
        except AggregateNotFoundError:
            pass
        else:
            raise Conflict(f"enrollment {enrollment_id!r} already exists", "duplicate_enrollment")
        application = household.latest_application()
        facts = {f.member_id: f for f in application.facts()}
        unknown = [m for m in member_ids if m not in facts]
        if unknown:
            raise InvalidCommand(f"not members of household {household_id!r}: {', '.join(unknown)}")
        sep = None
        if coverage == "dental":
            program, plan_type, plan_year, basis = self._dental_terms(
                household, member_ids, facts, aptc_applied, application.plan_year
            )
        else:
            program, plan_type, plan_year = self._health_terms(household, member_ids, aptc_applied)
            sep = household.sep_covering(on, member_ids)
            if sep is not None and sep.kind == periods.AI_AN_MONTHLY:
                month = first_of_month(on)
                if any(first_of_month(d) == month for d in household.ai_an_changes):
                    sep = None
            chosen = periods.health_plan_period(on, plan_year, policy, sep.kind if sep else None)
            if chosen is None:
                start, end = periods.open_enrollment_window(plan_year, policy)
                raise OutsideEnrollmentPeriod(
                    f"{on.isoformat()} is outside open enrollment for plan year {plan_year} "
                    f"({start.isoformat()} to {end.isoformat()}) and no special enrollment period "
                    "covers it (956 CMR 12.10(1))"
                )
            basis = chosen
        dependent_start = None
        if sep is not None and sep.kind == "new_dependent" and basis.endswith("new_dependent"):
            dependent_start = sep.start_on
        enrollment = Enrollment.select(
            on=on,
            enrollment_id=enrollment_id,
            household_id=household_id,
            member_ids=member_ids,
            plan_id=plan_id,
            coverage=coverage,
            monthly_premium=monthly_premium,
            aptc_applied=aptc_applied,
            program=program,
            plan_type=plan_type,
            plan_year=plan_year,
            enrollment_basis=basis,
            policy=policy,
            dependent_start_on=dependent_start if coverage == "health" else None,
        )
        household.link_enrollment(on, enrollment_id, basis)
        return [household, enrollment, *self._end_replaced(household, enrollment, on)]

    def _health_terms(
        self, household: Household, member_ids: list[str], aptc_applied: Decimal
    ) -> tuple[str, str | None, int]:
        if not household.determinations:
            raise NotEligible("the household has no eligibility determination (956 CMR 12.04)")
        plan_year = int(household.determinations[-1]["plan_year"])
        programs: dict[str, dict[str, Any]] = {}
        for member_id in member_ids:
            result = household.latest_member_result(member_id)
            if result is None or result["program"] == eligibility_rules.INELIGIBLE:
                raise NotEligible(
                    f"member {member_id!r} is not eligible for a Connector Program for Non-Group "
                    "Health Plans (956 CMR 12.04)"
                )
            programs[member_id] = result
        kinds = {r["program"] for r in programs.values()}
        if aptc_applied > 0 and not kinds & eligibility_rules.FINANCIALLY_ASSISTED:
            raise NotEligible("APTC applied for members not eligible for APTC (956 CMR 12.04(2))")
        if eligibility_rules.CONNECTORCARE_PROGRAM in kinds:
            plan_type = next(
                r["plan_type"] for r in programs.values() if r["program"] == "connectorcare"
            )
            return eligibility_rules.CONNECTORCARE_PROGRAM, plan_type, plan_year
        if eligibility_rules.APTC_ONLY_PROGRAM in kinds:
            return eligibility_rules.APTC_ONLY_PROGRAM, None, plan_year
        return eligibility_rules.NON_GROUP, None, plan_year

    def _dental_terms(
        self,
        household: Household,
        member_ids: list[str],
        facts: dict[str, eligibility_rules.MemberFacts],
        aptc_applied: Decimal,
        plan_year: int,
    ) -> tuple[str, str | None, int, str]:
        everyone = list(facts.values())
        for member_id in member_ids:
            if not eligibility_rules.meets_dental_eligibility(facts[member_id], everyone):
                raise NotEligible(
                    f"member {member_id!r} does not meet 956 CMR 12.04(1)(a)-(c), required for a "
                    "Dental Plan (956 CMR 12.16(1)(a))"
                )
        program = eligibility_rules.NON_GROUP
        if aptc_applied > 0:
            results = [household.latest_member_result(m) for m in member_ids]
            if not all(
                r is not None and r["program"] in eligibility_rules.FINANCIALLY_ASSISTED
                for r in results
            ):
                raise NotEligible(
                    "APTC applied for members not eligible for APTC (956 CMR 12.04(2))"
                )
            program = eligibility_rules.APTC_ONLY_PROGRAM
        return program, None, plan_year, "dental_any_time"

    def _handle_record_payment(
        self, *, on: date, enrollment_id: str, amount: Decimal, reference: str
    ) -> list[Aggregate]:
        """12.12(1). A payment's `reference` is unique in the whole store: the same payment
        again (same enrollment, amount and date) answers its first recording; any other payment
        with that reference is refused `duplicate_reference`."""
        if amount <= 0:
            raise InvalidCommand("a payment amount must be positive", "invalid_field")
        first = self.storage.find_reference(self._reference_key(reference))
        if first is not None:
            self._repeat_of_payment(first, on, enrollment_id, amount, reference)
        enrollment = self.enrollment(enrollment_id)
        if not enrollment.record_payment(on, amount, reference, self.policy.in_force(on)):
            raise _duplicate_reference(reference)
        return [enrollment, *self._end_replaced(None, enrollment, on)]

    def _repeat_of_payment(
        self, first: EventKeys, on: date, enrollment_id: str, amount: Decimal, reference: str
    ) -> None:
        """Raise AlreadyRecorded when the payment recorded with `reference` (among the events
        `first`) is this one, else refuse it `duplicate_reference`."""
        for aggregate_id, version in first:
            event = self.load_event(aggregate_id, version)
            if isinstance(event, Enrollment.PaymentRecorded) and event.reference == reference:
                if (
                    event.originator_id == Enrollment.id_for(enrollment_id)
                    and event.amount == amount
                    and event.on == on
                ):
                    raise AlreadyRecorded(first)
                break
        raise _duplicate_reference(reference)

    def _reference_key(self, reference: str) -> str:
        return hmac.new(self._reference_secret, reference.encode("utf-8"), "sha256").hexdigest()

    def _index_stored_references(self) -> None:
        """Once per store, in a transaction of its own: put every payment recorded before the
        reference index existed into it (the first recording of a reference wins)."""
        if self._references_ready:
            return
        for attempt in range(MAX_CONFLICT_RETRIES):
            try:
                with self.storage.write_transaction():
                    if not self.storage.references_indexed():
                        for row in self.storage.select_topic(PAYMENT_RECORDED_TOPIC):
                            event: Any = self.mapper.to_domain_event(row)
                            key = self._reference_key(event.reference)
                            if self.storage.find_reference(key) is None:
                                self.storage.record_reference(
                                    key, [(row.originator_id, row.originator_version)]
                                )
                        self.storage.mark_references_indexed()
                break
            except IntegrityError:  # another process indexed them meanwhile
                if attempt == MAX_CONFLICT_RETRIES - 1:
                    raise Conflict(
                        "another writer changed the same records; the command was not recorded"
                    ) from None
        self._references_ready = True

    def _handle_request_reinstatement(self, *, on: date, enrollment_id: str) -> list[Aggregate]:
        enrollment = self.enrollment(enrollment_id)
        enrollment.request_reinstatement(on, self.policy.in_force(on))
        return [enrollment]

    def _handle_request_termination(self, *, on: date, enrollment_id: str) -> list[Aggregate]:
        enrollment = self.enrollment(enrollment_id)
        enrollment.request_termination(on, self.policy.in_force(on))
        return [enrollment]

    def _handle_renew_enrollment(
        self,
        *,
        on: date,
        enrollment_id: str,
        plan_year: int,
        monthly_premium: Decimal,
        plan_id: str | None = None,
    ) -> list[Aggregate]:
        enrollment = self.enrollment(enrollment_id)
        household = self.household(enrollment.household_id)
        if not any(d["plan_year"] == plan_year for d in household.determinations):
            raise NotEligible(
                f"household {household.household_id!r} has no determination for plan year "
                f"{plan_year}: submit_renewal first (956 CMR 12.07(1))"
            )
        if enrollment.coverage == "dental":
            program, plan_type = enrollment.program, None
        else:
            program, plan_type, _year = self._health_terms(
                household, enrollment.member_ids, enrollment.aptc_applied
            )
        enrollment.renew(
            on, plan_year, monthly_premium, plan_id, program, plan_type, self.policy.in_force(on)
        )
        return [enrollment]

    def _handle_submit_renewal(
        self,
        *,
        on: date,
        household_id: str,
        plan_year: int,
        household_size: int,
        annual_magi: Decimal,
        members: list[dict[str, Any]],
    ) -> list[Aggregate]:
        """12.07(1): the yearly renewal and a determination for the coming plan year, effective
        1 January of it."""
        self._require_policy_parameters(on, plan_year)
        household = self.household(household_id)
        household.submit_application(
            on, plan_year, household_size, annual_magi, members, renewal=True
        )
        household.determine_eligibility(on, self.policy.in_force(on), basis="renewal")
        return [household]

    def _end_replaced(
        self, household: Household | None, enrollment: Enrollment, on: date
    ) -> list[Aggregate]:
        """After `enrollment` is effectuated, end the household's other health enrollment for the
        same members the day before it begins (12.10(1): a transfer between plans)."""
        if enrollment.coverage != "health" or enrollment.start_on is None:
            return []
        if not any(
            isinstance(e, Enrollment.CoverageEffectuated) for e in enrollment.pending_events
        ):
            return []
        if household is None:
            household = self.household(enrollment.household_id)
        replaced: list[Aggregate] = []
        for other_id in household.enrollment_ids:
            if other_id == enrollment.enrollment_id:
                continue
            other = self.enrollment(other_id)
            if (
                other.coverage == "health"
                and set(other.member_ids) & set(enrollment.member_ids)
                and other.start_on is not None
                and other.start_on < enrollment.start_on
                and other.covers_after(enrollment.start_on)
            ):
                other.replace_with(
                    on, enrollment.enrollment_id, enrollment.start_on, self.policy.in_force(on)
                )
                replaced.append(other)
        return replaced

    def _handle_run_schedule(self, *, on: date, through: date) -> list[Aggregate]:
        """Every time-driven decision due up to `through`, for every enrollment with one due
        (read from the schedule index, so the cost follows what is due). Each decision carries
        its own business date; `on` (the day the run happens) may be after `through`.

        `through` becomes the schedule's date when it is later than the one kept: a fact entered
        afterwards that makes a decision due on or before it has that decision taken as of it
        (`_take_late_decisions`)."""
        del on
        previous = self.storage.schedule_through()
        self.storage.raise_schedule_through(through)
        touched: list[Aggregate] = []
        households: dict[str, Household] = {}
        after: str | None = None
        while True:
            batch = self.storage.due_through(through, limit=500, after=after)
            if not batch:
                break
            for enrollment in self._load_enrollments(batch):
                if previous is not None:
                    # Still due by the last run's date: left by a late fact committed while
                    # that run was in progress, or recorded before this rule. As of that date.
                    enrollment.take_late_decisions(min(previous, through), self.policy.in_force)
                enrollment.advance(through, self.policy.in_force)
                touched.append(enrollment)
                for event in enrollment.pending_events:
                    if isinstance(event, Enrollment.HardshipWaiverEnded):
                        household = households.get(enrollment.household_id)
                        if household is None:
                            household = self.household(enrollment.household_id)
                            households[enrollment.household_id] = household
                        self._waiver_sep(household, enrollment, event.on, periods.WAIVER_ENDED)
            after = str(batch[-1])
        return [*households.values(), *touched]

    def _load_enrollments(self, aggregate_ids: list[UUID]) -> list[Enrollment]:
        """Many enrollments with one read of the store: cached ones are brought forward with
        their new events only, the others folded and cached (as `repository.get` would); each
        command works on a copy."""
        new_rows: dict[UUID, list[Any]] = {a: [] for a in aggregate_ids}
        cache = self.repository.cache
        cached: dict[UUID, Enrollment] = {}
        for aggregate_id in aggregate_ids:
            if cache is not None:
                with suppress(KeyError):
                    cached[aggregate_id] = cast(Enrollment, cache.get(aggregate_id))
        for row in self.storage.select_aggregates(aggregate_ids):
            known = cached.get(row.originator_id)
            if known is None or row.originator_version > known.version:
                new_rows[row.originator_id].append(row)
        loaded: list[Enrollment] = []
        for aggregate_id in aggregate_ids:
            enrollment = cached.get(aggregate_id)
            for row in new_rows[aggregate_id]:
                event: Any = self.mapper.to_domain_event(row)
                enrollment = event.mutate(enrollment)
            if enrollment is None:
                raise UnknownEnrollment(f"no events for scheduled aggregate {aggregate_id}")
            if cache is not None and aggregate_id not in cached:
                cache.put(aggregate_id, enrollment)
            loaded.append(copy.deepcopy(enrollment))
        return loaded

    # ---- hardship waivers --------------------------------------------------------------------

    def _waiver_sep(
        self, household: Household, enrollment: Enrollment, on: date, clause: str
    ) -> None:
        """12.10(1)(e)-(f), 12.12(7)(e): sixty days to change plans after a waiver's grant or end."""
        household.open_special_enrollment_period(
            kind="hardship_waiver_granted"
            if clause == periods.WAIVER_GRANTED
            else "hardship_waiver_ended",
            event_on=on,
            on=on,
            member_ids=tuple(enrollment.member_ids),
            citation=clause,
            policy=self.policy.in_force(on),
        )

    def _handle_request_hardship_waiver(
        self, *, on: date, household_id: str, enrollment_id: str, grounds: list[str]
    ) -> list[Aggregate]:
        enrollment = self._household_enrollment(household_id, enrollment_id)
        enrollment.request_hardship_waiver(on, grounds, self.policy.in_force(on))
        return [enrollment]

    def _handle_decide_hardship_waiver(
        self,
        *,
        on: date,
        decision: str,
        first_month: date,
        months: int,
        request_id: str | None = None,
        enrollment_id: str | None = None,
    ) -> list[Aggregate]:
        if request_id is not None and "#waiver-" not in request_id:
            raise InvalidCommand(
                f"unknown hardship waiver request {request_id!r}", "no_pending_request"
            )
        if request_id is not None:
            from_request = request_id.rsplit("#waiver-", 1)[0]
            if enrollment_id is not None and enrollment_id != from_request:
                raise InvalidCommand("request_id does not belong to enrollment_id")
            enrollment_id = from_request
        if enrollment_id is None:
            raise InvalidCommand(
                "decide_hardship_waiver needs request_id or enrollment_id", "missing_field"
            )
        enrollment = self.enrollment(enrollment_id)
        policy = self.policy.in_force(on)
        enrollment.decide_hardship_waiver(on, request_id, decision, first_month, months, policy)
        if decision != "granted":
            return [enrollment]
        household = self.household(enrollment.household_id)
        self._waiver_sep(household, enrollment, on, periods.WAIVER_GRANTED)
        return [household, enrollment]

    def _household_enrollment(self, household_id: str, enrollment_id: str) -> Enrollment:
        self.household(household_id)
        enrollment = self.enrollment(enrollment_id)
        if enrollment.household_id != household_id:
            raise InvalidCommand(
                f"enrollment {enrollment_id!r} does not belong to household {household_id!r}"
            )
        return enrollment

    # ---- appeals -----------------------------------------------------------------------------

    def appeal(self, appeal_id: str) -> Appeal:
        appeal: Appeal = self._load(
            Appeal.id_for(appeal_id), UnknownAppeal(f"unknown appeal {appeal_id!r}")
        )
        return appeal

    def household_events(self, household: Household) -> list[tuple[int, Any]]:
        """Every event of the household, its enrollments and its appeals, with its store
        position, in store order."""
        ids = [household.id]
        ids += [Enrollment.id_for(e) for e in household.enrollment_ids]
        ids += [Appeal.id_for(a) for a in household.appeal_ids]
        return [(n.id, self.mapper.to_domain_event(n)) for n in self.storage.select_aggregates(ids)]

    def find_household_event(self, household: Household, event_id: str) -> Any:
        try:
            wanted = UUID(event_id)
        except ValueError:
            raise InvalidCommand(f"appealed_event_id {event_id!r} is not an event id") from None
        for _position, event in self.household_events(household):
            if event_uuid(event.originator_id, event.originator_version) == wanted:
                return event
        raise InvalidCommand(
            f"no event {event_id!r} in the record of household {household.household_id!r}",
            "unknown_event",
        )

    def _handle_file_appeal(
        self,
        *,
        on: date,
        appeal_id: str,
        household_id: str,
        appealed_event_id: str,
        grounds: str,
        notice_received_on: date | None = None,
        notice_sent: bool = True,
    ) -> list[Aggregate]:
        """12.13-12.15(2): recorded with its deadline; dismissed when untimely or not appealable."""
        household = self.household(household_id)
        try:
            self.repository.get(Appeal.id_for(appeal_id))
        except AggregateNotFoundError:
            pass
        else:
            raise Conflict(f"appeal {appeal_id!r} already exists", "duplicate_appeal")
        appealed = self.find_household_event(household, appealed_event_id)
        if on < appealed.on:
            raise InvalidCommand("an appeal cannot be received before the action it appeals")
        appeal = Appeal.file(
            on=on,
            appeal_id=appeal_id,
            household_id=household_id,
            appealed=appealed,
            appealed_event_id=appealed_event_id,
            grounds=grounds,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            policy=self.policy.in_force(on),
        )
        household.link_appeal(on, appeal_id)
        return [household, appeal]

    def _handle_decide_appeal(
        self,
        *,
        on: date,
        appeal_id: str,
        outcome: str,
        findings: dict[str, Any] | None = None,
    ) -> list[Aggregate]:
        """12.15(4)-(6). A reversed eligibility or plan-type determination records the corrected
        determination, with the original effective dates (premiums stayed due meanwhile, 12.15(6))."""
        appeal = self.appeal(appeal_id)
        policy = self.policy.in_force(on)
        appeal.decide(on, outcome, policy)
        if outcome != "reversed" or appeal.appealed_event_type != "EligibilityDetermined":
            return [appeal]
        household = self.household(appeal.household_id)
        prior = [
            e
            for e in self.aggregate_events(household.id)
            if e.originator_version < appeal.appealed_version
        ]
        original = self.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
        as_held = replay_household(prior)
        application = as_held.latest_application()
        if findings:
            application = application.with_changes(findings)
        corrected = determine_from(
            application, as_held.previous_member_results(), original.on, policy, "appeal_reversal"
        )
        effective = {m["member_id"]: m["effective_on"] for m in original.members}
        for member in corrected["members"]:
            if member["member_id"] in effective:
                member["effective_on"] = effective[member["member_id"]]
                member["effective_citation"] = "956 CMR 12.15(4): the original effective date"
        corrected.update(
            on=on, effective_on=original.effective_on, citation="956 CMR 12.15(4); 956 CMR 12.04"
        )
        household.record_determination(corrected)
        return [appeal, household]

    def _handle_order_rehearing(self, *, on: date, appeal_id: str) -> list[Aggregate]:
        appeal = self.appeal(appeal_id)
        appeal.order_rehearing(on, self.policy.in_force(on))
        return [appeal]


def _duplicate_reference(reference: str) -> Conflict:
    return Conflict(
        f"payment reference {reference[:80]!r} was already recorded for a different payment "
        "(another enrollment, amount or date); nothing was recorded",
        "duplicate_reference",
    )


def replay_household(events: list[Any]) -> Household:
    """The household as it stood after `events` (its first events, in order)."""
    household: Household | None = None
    for event in events:
        household = event.mutate(household)
    if household is None:
        raise UnknownHousehold("no household events to replay")
    return household
