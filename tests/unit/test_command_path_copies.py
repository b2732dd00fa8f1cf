"""What the command path's shortcuts must keep (issue 22): a cached aggregate's copy for a command
is a full copy (a refused command cannot corrupt the cache), and the remembered invoice dates are
those of the policy version asked about."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.events import CopiedForCommands, recording_at
from enrollment_ledger.domain.parameters import Dated, Parameter
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.premiums import invoice_dates

POLICY = DEFAULT_POLICY.current
PREMIUM = Decimal("100.00")


@pytest.fixture(autouse=True)
def _record_instant() -> Iterator[None]:
    with recording_at(datetime(2026, 1, 1, tzinfo=UTC)):
        yield


def billed_enrollment() -> Enrollment:
    """Selected 10 January 2026, binder paid, three months billed (invoices: records in a dict)."""
    enrollment = Enrollment.select(
        on=date(2026, 1, 10),
        enrollment_id="e-copies",
        household_id="h-1",
        member_ids=["m-1"],
        plan_id="plan-1",
        coverage="health",
        monthly_premium=PREMIUM,
        aptc_applied=Decimal("0.00"),
        program="connectorcare",
        plan_type="2B",
        plan_year=2026,
        enrollment_basis="open_enrollment",
        policy=POLICY,
    )
    enrollment.record_payment(date(2026, 1, 15), PREMIUM, "binder", POLICY)
    enrollment.advance(date(2026, 3, 10), POLICY)
    list(enrollment.collect_events())
    assert len(enrollment.invoices) >= 3
    return enrollment


def test_a_command_s_copy_of_an_enrollment_has_every_field_of_the_cached_one() -> None:
    cached = billed_enrollment()

    copied = copy.deepcopy(cached)

    assert copied is not cached
    assert type(copied) is Enrollment
    assert vars(copied) == vars(cached)


def test_a_change_to_a_command_s_copy_leaves_the_cached_enrollment_as_it_was() -> None:
    cached = billed_enrollment()
    before = {month: dataclasses.replace(i) for month, i in cached.invoices.items()}
    copied = copy.deepcopy(cached)
    month = min(copied.invoices)

    copied.invoices[month].paid = Decimal("999.00")
    copied.invoices[month].checked = True
    copied.invoices.pop(max(copied.invoices))

    assert cached.invoices == before
    assert cached.invoices[month] is not copied.invoices[month]


@dataclass
class Plain:
    """A mutable record copied field by field."""

    value: int
    tags: list[str] = field(default_factory=list)


@dataclass
class OwnCopy:
    """A mutable record that says how it is copied: its own `__copy__` is used."""

    value: int
    copies: int = 0

    def __copy__(self) -> OwnCopy:
        return OwnCopy(self.value, self.copies + 1)


@dataclass(frozen=True)
class Frozen:
    value: int


class Holder(CopiedForCommands):
    def __init__(self) -> None:
        self.records: dict[str, Any] = {"plain": Plain(1, ["a"]), "own": OwnCopy(2)}
        self.listed: list[Any] = [Plain(3), Frozen(4), {"k": "v"}, (5, 6)]
        self.members: set[str] = {"m-1"}
        self.when = date(2026, 1, 1)


def test_records_are_copied_one_level_deep_as_copy_copy_would_and_frozen_ones_kept() -> None:
    held = Holder()

    copied = copy.deepcopy(held)

    assert copied.records["plain"] == held.records["plain"]
    assert copied.records["plain"] is not held.records["plain"]
    assert copied.records["plain"].tags is held.records["plain"].tags  # one level deep only
    assert copied.records["own"].copies == 1  # its own __copy__ made it
    assert copied.listed[0] == held.listed[0] and copied.listed[0] is not held.listed[0]
    assert copied.listed[1] is held.listed[1]  # frozen: shared
    assert copied.listed[2] == {"k": "v"} and copied.listed[2] is not held.listed[2]
    assert copied.listed[3] is held.listed[3]
    assert copied.members == held.members and copied.members is not held.members
    assert copied.when is held.when


def test_invoice_dates_remembered_under_one_policy_version_are_not_answered_for_another() -> None:
    may = date(2026, 5, 1)
    assert invoice_dates(may, POLICY) == (date(2026, 4, 5), date(2026, 4, 23))
    tenth = Parameter("invoice_issue_day", (Dated(date(2020, 1, 1), 10, "a test policy"),))
    other = dataclasses.replace(POLICY, invoice_issue_day=tenth)

    assert invoice_dates(may, other) == (date(2026, 4, 10), date(2026, 4, 23))
    assert invoice_dates(may, POLICY) == (date(2026, 4, 5), date(2026, 4, 23))
