"""What a use case needs of the ledger that runs it: the policy in force, the aggregates loaded by
their ids, the events of a record, the store's schedule index and its payment references. The
ledger (`ledger.Ledger`) is one; the handlers never import it (it imports them, to find the
handler of a command), so the arrow points one way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from ..appeal import Appeal
from ..employer import Employer
from ..enrollment import Enrollment
from ..group_enrollment import GroupEnrollment
from ..household import Household
from ..parameters import PolicyBook
from ..payment_references import PaymentReferences
from ..storage import LedgerStorage


class Aggregates(Protocol):
    """The library's repository, as the handlers use it: an aggregate by its id (raising the
    library's `AggregateNotFoundError` when there is none)."""

    def get(self, aggregate_id: UUID) -> Any: ...


class LedgerPort(Protocol):
    policy: PolicyBook
    references: PaymentReferences

    @property
    def repository(self) -> Aggregates: ...

    @property
    def storage(self) -> LedgerStorage: ...

    def load_event(self, aggregate_id: UUID, version: int) -> Any: ...

    def aggregate_events(self, aggregate_id: UUID) -> Iterator[Any]: ...

    def household(self, household_id: str) -> Household: ...

    def require_policy_parameters(self, on: date, plan_year: int) -> None: ...

    def enrollment(self, enrollment_id: str) -> Enrollment: ...

    def any_enrollment(self, enrollment_id: str) -> Enrollment | GroupEnrollment: ...

    def group_enrollment(self, group_enrollment_id: str) -> GroupEnrollment: ...

    def employer(self, employer_id: str) -> Employer: ...

    def employer_events(self, employer: Employer) -> list[tuple[int, Any]]: ...

    def appeal(self, appeal_id: str) -> Appeal: ...

    def household_events(self, household: Household) -> list[tuple[int, Any]]: ...

    def load_enrollments(self, aggregate_ids: list[UUID]) -> list[Enrollment | GroupEnrollment]: ...
