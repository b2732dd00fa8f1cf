"""`hearing APPEAL_ID --what-if FACTS.json` and `POST /appeals/{id}/what-if`: the appealed
determination recomputed with corrected facts or another policy version (`domain.what_if`), as the
contract's answer. Nothing is recorded: the ledger is only read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ...domain import what_if as replay
from ...domain.calendar import parse_month
from ...domain.errors import InvalidCommand
from ...domain.hearing import facts_before
from ...domain.ledger import Ledger
from ...domain.rules.eligibility import incarceration_status
from .. import queries
from ..commands import Findings, _translate, changes_of
from ..wire import plain

POLICY_FIELD = "policy_version"


def parse_facts(obj: Any) -> tuple[dict[str, Any], str | None]:
    """The corrected facts (the fields of `report_change`: `annual_magi`, `household_size`,
    `members`) and the policy version asked for, validated as a hearing's findings are; a bad
    field is `invalid_field` / `missing_field` / `invalid_date`, as for a command."""
    if not isinstance(obj, dict):
        raise InvalidCommand("the what-if facts must be a JSON object", "invalid_json")
    facts = dict(obj)
    version = facts.pop(POLICY_FIELD, None)
    facts.pop("changed_on", None)  # a report's own date: it changes no determination
    if version is not None and not isinstance(version, str):
        raise InvalidCommand(
            f"invalid field {POLICY_FIELD!r}: a policy version name", "invalid_field"
        )
    try:
        findings = Findings.model_validate(facts)
    except ValidationError as e:
        raise _translate(e) from None
    for member in findings.members or []:
        incarceration_status(member.incarcerated, member.incarceration)
    return changes_of(findings).record(), version


def what_if_answer(ledger: Ledger, appeal_id: str, obj: Any) -> dict[str, Any]:
    """The what-if's answer: `{"ok": true, "recorded": false, "note", "policy_version", "facts",
    "members", "differences", "premium_months", "matches"}`."""
    facts, version = parse_facts(obj)
    appeal = ledger.appeal(appeal_id)
    if appeal.household_id is None or appeal.appealed_event_type != "EligibilityDetermined":
        raise InvalidCommand(
            f"appeal {appeal_id!r} is of a {appeal.appealed_event_type}: the what-if recomputes "
            "an appealed eligibility determination",
            "invalid_state",
        )
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    prior = facts_before(
        ledger.aggregate_events(appeal.appealed_aggregate_id), appeal.appealed_version
    )
    policy = ledger.policy.version(version or appealed.policy_version)
    result = replay.what_if(
        prior, appealed, policy, facts, billed_months(ledger, appeal.household_id)
    )
    return {
        "ok": True,
        "appeal_id": appeal_id,
        "recorded": result.recorded,
        "note": result.note,
        "policy_version": result.policy_version,
        "facts": plain(dict(result.facts)),
        "members": plain(list(result.members)),
        "matches": result.matches,
        "differences": [
            {
                "member_id": d.member_id,
                "field": d.field,
                "recorded": plain(d.recorded),
                "would_be": plain(d.would_be),
            }
            for d in result.differences
        ],
        "premium_months": [
            {
                "enrollment_id": m.enrollment_id,
                "month": m.month.isoformat()[:7],
                "billed": plain(m.billed),
                "member_id": m.member_id,
                "program_recorded": m.program_recorded,
                "program_would_be": m.program_would_be,
                "plan_type_recorded": m.plan_type_recorded,
                "plan_type_would_be": m.plan_type_would_be,
                "minimum_premium_recorded": plain(m.minimum_premium_recorded),
                "minimum_premium_would_be": plain(m.minimum_premium_would_be),
            }
            for m in result.premium_months
        ],
    }


def billed_months(ledger: Ledger, household_id: str) -> list[replay.BilledMonth]:
    """Every month billed (and not voided) on the household's enrollments, with the members
    each covers."""
    household = ledger.household(household_id)
    months = []
    for enrollment_id in household.enrollment_ids:
        enrollment = ledger.enrollment(enrollment_id)
        balance = queries.balance(ledger, enrollment_id)
        for month in balance.get("months", []):
            if not month.get("voided"):
                months.append(
                    replay.BilledMonth(
                        enrollment_id,
                        parse_month(month["month"]),
                        Decimal(month["billed"]),
                        tuple(enrollment.member_ids),
                    )
                )
    return months
