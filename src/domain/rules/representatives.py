"""956 CMR 12.17 (Authorized Representatives) and 12.03 ("Appeal Representative"): who may act for
a household or one of its members, from when to when, and who may file an appeal for whom.

- 12.17: the Connector recognizes any person or organization identified as the authorized
  representative of an Applicant, Eligible Individual or Enrollee (consistent with 130 CMR
  501.001): designated in writing, it acts for them in their matters with the Connector, appeals
  included (12.15(1) applies 45 CFR 155.500-155.550, and 45 CFR 155.505(e) lets an appellant be
  represented by an authorized representative under 45 CFR 155.227).
- 12.03 "Appeal Representative": a person with the appellant's written authorization to act for
  them during the appeal process ((a)), or with legal authority to act for them in decisions on
  health care or its payment ((b): attorney, guardian, conservator, executor, administrator,
  power of attorney, health care proxy). Either may request the appeal (12.14(1): the notice
  tells of "the right to use an Appeal Representative"; 12.15(2)(c) has it withdraw one).

So both kinds may file an appeal. A representative designated for one member (`member_id`) acts
for that member only; one designated without a member acts for the household and any member.
A designation is in force from its date; a revocation ends it on the revocation's date (a filing
dated that day is no longer the representative's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

AUTHORIZED_REPRESENTATIVE = "956 CMR 12.17"
APPEAL_REPRESENTATIVE = "956 CMR 12.03 (Appeal Representative)"
APPELLANT = "956 CMR 12.13"


class RepresentativeKind(StrEnum):
    """The two kinds the contract names."""

    AUTHORIZED = "authorized"
    """12.17: an authorized representative (all matters with the Connector)."""
    APPEAL = "appeal"
    """12.03: an Appeal Representative (the appeal process only)."""


KIND_CITATIONS = MappingProxyType(
    {
        RepresentativeKind.AUTHORIZED: AUTHORIZED_REPRESENTATIVE,
        RepresentativeKind.APPEAL: APPEAL_REPRESENTATIVE,
    }
)


def kind_citation(kind: str) -> str:
    """The clause a representative of `kind` is recognized under."""
    return KIND_CITATIONS[RepresentativeKind(kind)]


@dataclass(frozen=True)
class Representative:
    """A designation as the household's record holds it (without the person's name: the rules
    never need it, and a refusal's message never shows it)."""

    representative_id: str
    kind: str
    member_id: str | None
    written_authorization_on: date
    designated_on: date
    revoked_on: date | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Representative:
        return cls(
            representative_id=record["representative_id"],
            kind=record["kind"],
            member_id=record["member_id"],
            written_authorization_on=record["written_authorization_on"],
            designated_on=record["designated_on"],
            revoked_on=record["revoked_on"],
        )


def active_on(representative: Representative, day: date) -> bool:
    """In force on `day`: designated on or before it, and not revoked on or before it."""
    if day < representative.designated_on:
        return False
    return representative.revoked_on is None or day < representative.revoked_on


def acts_for(representative: Representative, appellant_member_id: str | None) -> bool:
    """A household-wide representative acts for the household and every member; one designated
    for a member acts only for that member (`appellant_member_id` must name them)."""
    return representative.member_id is None or representative.member_id == appellant_member_id


class Refusal(NamedTuple):
    code: str
    message: str


def filing_refusal(
    representative: Representative, filed_on: date, appellant_member_id: str | None
) -> Refusal | None:
    """Why `representative` may not file, on `filed_on`, an appeal for `appellant_member_id` (None:
    for the household), or None when it may. Either kind may file (see the module's reading)."""
    rid = representative.representative_id
    if not active_on(representative, filed_on):
        if representative.revoked_on is not None and filed_on >= representative.revoked_on:
            when = f"was revoked on {representative.revoked_on.isoformat()}"
        else:
            when = f"was designated only on {representative.designated_on.isoformat()}"
        return Refusal(
            "invalid_state",
            f"representative {rid!r} {when}: not a representative on {filed_on.isoformat()}",
        )
    if not acts_for(representative, appellant_member_id):
        return Refusal(
            "representative_out_of_scope",
            f"representative {rid!r} acts for member {representative.member_id!r} only: an "
            "appeal it files must name that member as appellant_member_id",
        )
    return None
