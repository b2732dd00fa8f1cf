"""The household's representatives (12.17 authorized, 12.03 Appeal Representatives): their
designation and revocation, as events of the household (adopted by the `Household` class, so their
topics name it). The rules (who is in force when, who may file for whom) are in
`rules/representatives.py`.

A representative's name is personal data: it is recorded in the event and shown in the hearing
packet, never in a refusal's message (which names the `representative_id`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from .determination import Application
from .errors import Conflict, InvalidCommand, LedgerError
from .events import LedgerEvent
from .rules import representatives as rules


class Represented(Protocol):
    """What the representatives section reads and records of a household
    (`household.Household` is one)."""

    @property
    def RepresentativeDesignated(self) -> type[LedgerEvent]: ...

    @property
    def RepresentativeRevoked(self) -> type[LedgerEvent]: ...

    household_id: str
    applications: list[Application]
    representatives: dict[str, dict[str, Any]]

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...


class UnknownRepresentative(LedgerError):
    code = "unknown_representative"


# ---- events ------------------------------------------------------------------------------------


class RepresentativeDesignated(LedgerEvent):
    representative_id: str
    name: str
    kind: str
    member_id: str | None
    written_authorization_on: date

    def apply(self, household: Represented) -> None:
        household.representatives[self.representative_id] = {
            "representative_id": self.representative_id,
            "name": self.name,
            "kind": self.kind,
            "member_id": self.member_id,
            "written_authorization_on": self.written_authorization_on,
            "designated_on": self.on,
            "revoked_on": None,
            "citation": self.citation,
        }


class RepresentativeRevoked(LedgerEvent):
    representative_id: str

    def apply(self, household: Represented) -> None:
        household.representatives[self.representative_id]["revoked_on"] = self.on


# ---- commands ----------------------------------------------------------------------------------


def member_ids(household: Represented) -> set[str]:
    """Every member any of the household's applications (or reported changes) named."""
    return {m["member_id"] for a in household.applications for m in a.members}


def designate(
    household: Represented,
    *,
    on: date,
    representative_id: str,
    name: str,
    kind: rules.RepresentativeKind,
    member_id: str | None,
    written_authorization_on: date,
) -> None:
    """12.17 / 12.03: a representative designated in writing, for the household or one member."""
    if representative_id in household.representatives:
        raise Conflict(
            f"representative {representative_id!r} is already designated for household "
            f"{household.household_id!r}; a new designation takes a new representative_id",
            "duplicate_representative",
        )
    if member_id is not None and member_id not in member_ids(household):
        raise InvalidCommand(
            f"member_id {member_id!r} is not a member of household {household.household_id!r}"
        )
    if written_authorization_on > on:
        raise InvalidCommand("written_authorization_on cannot be after the designation's date")
    household.trigger_event(
        household.RepresentativeDesignated,
        on=on,
        effective_on=on,
        citation=rules.kind_citation(kind),
        policy_version=None,
        representative_id=representative_id,
        name=name,
        kind=kind.value,
        member_id=member_id,
        written_authorization_on=written_authorization_on,
    )


def representative(household: Represented, representative_id: str) -> rules.Representative:
    """The designation of `representative_id` (refused `unknown_representative` if none)."""
    record = household.representatives.get(representative_id)
    if record is None:
        raise UnknownRepresentative(
            f"no representative {representative_id!r} in household {household.household_id!r}"
        )
    return rules.Representative.from_record(record)


def revoke(household: Represented, *, on: date, representative_id: str) -> None:
    """The end of a designation, from `on`."""
    found = representative(household, representative_id)
    if found.revoked_on is not None:
        raise InvalidCommand(
            f"representative {representative_id!r} was already revoked on "
            f"{found.revoked_on.isoformat()}",
            "invalid_state",
        )
    if on < found.designated_on:
        raise InvalidCommand(
            f"representative {representative_id!r} cannot be revoked before its designation "
            f"of {found.designated_on.isoformat()}"
        )
    household.trigger_event(
        household.RepresentativeRevoked,
        on=on,
        effective_on=on,
        citation=rules.kind_citation(found.kind),
        policy_version=None,
        representative_id=representative_id,
    )


def in_force(household: Represented) -> list[dict[str, Any]]:
    """The designations not revoked, in designation order (as the hearing packet lists them)."""
    return [dict(r) for r in household.representatives.values() if r["revoked_on"] is None]
