"""An eligibility determination of an application (12.04 per member, 12.08 and 12.07(1) for its
effective dates), as a pure function of the application, the earlier results and the policy: the
household records it, a hearing recomputes it, an appeal corrects it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from .parameters import PolicyVersion
from .rules import eligibility as rules
from .rules.effective_dates import effective_in_plan_year, eligibility_effective_on


@dataclass(frozen=True)
class Application:
    """What an application says (12.06): as received, or with reported or found facts merged in."""

    plan_year: int
    household_size: int
    annual_magi: Decimal
    members: tuple[dict[str, Any], ...]

    def with_changes(self, changes: dict[str, Any]) -> Application:
        """This application with reported or found facts merged in (members by member_id)."""
        members = {m["member_id"]: dict(m) for m in self.members}
        for member in changes.get("members", []):
            merged = members.get(member["member_id"], {})
            if "incarcerated" in member and "incarceration" not in member:
                # a change recorded before `incarceration` existed: its boolean decides
                merged.pop("incarceration", None)
            merged.update(member)
            members[member["member_id"]] = merged
        return Application(
            self.plan_year,
            changes.get("household_size", self.household_size),
            Decimal(changes.get("annual_magi", self.annual_magi)),
            tuple(members.values()),
        )

    def facts(self) -> list[rules.MemberFacts]:
        """Each member's facts. A member recorded before `incarceration` existed holds only the
        boolean `incarcerated` (true: serving), read as such."""
        return [
            rules.MemberFacts(
                member_id=m["member_id"],
                resident=m["resident"],
                lawfully_present=m["lawfully_present"],
                incarcerated=m["incarcerated"],
                aptc_eligible=m["aptc_eligible"],
                incarceration=rules.incarceration_status(m["incarcerated"], m.get("incarceration")),
                birth_date=date.fromisoformat(m["birth_date"]) if m.get("birth_date") else None,
                catastrophic_exemption=bool(m.get("catastrophic_exemption", False)),
            )
            for m in self.members
        ]


def application_for(applications: Sequence[Application], plan_year: int) -> Application | None:
    """The latest of `applications` for `plan_year` (with the changes reported on it), or None."""
    for application in reversed(applications):
        if application.plan_year == plan_year:
            return application
    return None


def changed_applications(
    applications: Sequence[Application], changes: dict[str, Any], on: date
) -> list[Application]:
    """12.09(2): a change reported on `on` changes the latest application; when that one is a
    renewal for the coming plan year (12.07(1)), the plan year in progress still runs to
    31 December, so its application changes too. In the order they are added: the latest stays
    last."""
    current = renewed_year_in_progress(applications, on)
    in_progress = [] if current is None else [current.with_changes(changes)]
    return [*in_progress, applications[-1].with_changes(changes)]


def renewed_year_in_progress(applications: Sequence[Application], on: date) -> Application | None:
    """The application of the plan year in progress on `on` when the latest one is a renewal for
    a later plan year (12.07(1)); None when the latest is for the plan year in progress, or the
    household has none for it (a first application for the coming year)."""
    if applications[-1].plan_year <= on.year:
        return None
    return application_for(applications, on.year)


class DeterminationBasis(StrEnum):
    """What a determination was made on, as recorded."""

    APPLICATION = "application"
    CHANGE = "change"
    RENEWAL = "renewal"
    APPEAL_REVERSAL = "appeal_reversal"


@dataclass(frozen=True)
class Determination:
    """A household's eligibility determination: every member's (12.04, 12.08), with the FPL."""

    on: date
    effective_on: date
    citation: str
    policy_version: str
    plan_year: int
    household_size: int
    annual_magi: Decimal
    fpl_amount: Decimal
    fpl_source: str
    fpl_percent: str
    members: tuple[rules.MemberDetermination, ...]
    basis: str

    def event_fields(self) -> dict[str, Any]:
        """The fields of the `EligibilityDetermined` event that records it."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fields["members"] = [member.record() for member in self.members]
        fields["basis"] = str(self.basis)
        return fields


def determine_from(
    application: Application,
    previous: Mapping[str, Mapping[str, Any]],
    on: date,
    policy: PolicyVersion,
    basis: str,
) -> Determination:
    """12.04 and 12.08 for every member of `application`, notified on `on`; `previous` holds each
    member's earlier result (a change, for 12.08(2)-(3)); 12.07(1) for a renewal."""
    guideline = policy.fpl(application.plan_year)
    fpl_amount = guideline.value.for_household(application.household_size)
    percent = rules.display_percent(rules.fpl_percent(application.annual_magi, fpl_amount))
    facts = application.facts()
    plan_year_start = date(application.plan_year, 1, 1)
    members: list[rules.MemberDetermination] = []
    for member in facts:
        result = rules.member_eligibility(
            member, facts, application.annual_magi, fpl_amount, policy, plan_year_start
        )
        effective_on, effective_citation = effective_in_plan_year(
            *eligibility_effective_on(
                on,
                is_change=member.member_id in previous,
                remains_eligible=result.program != rules.Program.INELIGIBLE,
                policy=policy,
            ),
            application.plan_year,
            renewal=basis == DeterminationBasis.RENEWAL,
        )
        members.append(
            rules.MemberDetermination(
                member_id=member.member_id,
                program=result.program,
                plan_type=result.plan_type,
                fpl_percent=percent,
                effective_on=effective_on,
                citation=result.citation,
                effective_citation=effective_citation,
                reasons=result.reasons,
            )
        )
    return Determination(
        on=on,
        effective_on=min(m.effective_on for m in members),
        citation=rules.ELIGIBILITY,
        policy_version=policy.version,
        plan_year=application.plan_year,
        household_size=application.household_size,
        annual_magi=application.annual_magi,
        fpl_amount=fpl_amount,
        fpl_source=guideline.source,
        fpl_percent=percent,
        members=tuple(members),
        basis=basis,
    )


class Applicant(Protocol):
    """What a determination reads of a household: its applications and earlier results."""

    applications: list[Application]

    def latest_application(self) -> Application: ...

    def previous_member_results(self) -> dict[str, dict[str, Any]]: ...


def decide_eligibility(
    household: Applicant, on: date, policy: PolicyVersion, basis: str, plan_year: int | None = None
) -> Determination:
    """The determination of the household's latest application (for `plan_year`, when given)
    with `policy`."""
    return determine_from(
        application_of(household, plan_year), household.previous_member_results(), on, policy, basis
    )


def application_of(household: Applicant, plan_year: int | None = None) -> Application:
    """The household's latest application; for `plan_year`, when given and one is held."""
    latest = household.latest_application()
    return application_for(household.applications, plan_year or latest.plan_year) or latest
