"""What the hearing page and the timeline page show, gathered from the read side: the hearing
packet (`queries.hearing`), the household's timeline, each enrollment's coverage and balance, and
the policy version's parameters. Plain data for the templates; nothing is computed here that the
domain or the projections compute (the picture is `projections.case_picture`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ...domain.appeal import Appeal
from ...domain.enrollment import Enrollment
from ...domain.errors import LedgerError
from ...domain.hearing_reading import deadline_steps, timeliness
from ...domain.household import replay
from ...domain.ledger import Ledger
from ...domain.parameters import PolicyVersion
from ...projections.case_picture import EnrollmentPicture, enrollment_picture
from .. import queries

FACT_TYPES = ("ApplicationSubmitted", "ChangeReported", "DeathRecorded", "RepresentativeDesignated")
FILED = ("AppealFiled", "EmployerAppealFiled", "EmployeeAppealFiled")
CORRECTION_TYPES = ("EligibilityDetermined", "AppealedDeterminationRestored")
AMOUNT_FIELDS = ("amount", "outstanding", "amount_required", "monthly_premium", "to_credit")


def hearing_model(ledger: Ledger, appeal_id: str, as_of: date | None = None) -> dict[str, Any]:
    """Everything the hearing page shows, in the order an officer reads it (`as_of`: the
    hearing's date, whose policy the appealed decision is recomputed with; today without it)."""
    packet = queries.hearing(ledger, appeal_id, as_of)
    household_id = packet.get("household_id")
    appealed = packet["appealed_event"]
    filed = _first(packet["appeal"]["events"], FILED)
    policy = _policy(ledger, appealed.get("policy_version"))
    names = _aggregate_names(ledger, packet)
    model: dict[str, Any] = {
        "packet": packet,
        "hearing_on": as_of.isoformat() if as_of is not None else None,
        "appeal": packet["appeal"],
        "filed": filed["data"] if filed else {},
        "deadline_steps": _deadline(appealed, filed, policy),
        "timeliness": timeliness(
            date.fromisoformat(packet["appeal"]["filed_on"]),
            date.fromisoformat(packet["appeal"]["deadline"]),
            bool(packet["appeal"]["timely"]),
        ),
        "dismissal": _dismissal(packet["appeal"]["events"]),
        "decisions": [
            e for e in packet["appeal"]["events"] if e["type"] not in (*FILED, "AppealFiledFor")
        ],
        "corrections": [
            {"event": e, "words": action_in_words(e)}
            for e in packet["timeline"]
            if e["type"] in CORRECTION_TYPES
            and e["on"] >= packet["appeal"]["filed_on"]
            and (e["type"] != "EligibilityDetermined" or e["data"].get("basis") != "application")
        ],
        "appealed": appealed,
        "action_words": action_in_words(appealed),
        "facts_then": None,
        "facts_now": None,
        "learned_later": [],
        "policy": _policy_values(policy, appealed),
        "timeline": [_row(e, names) for e in packet["timeline"]],
        "pictures": [],
    }
    if household_id is not None:
        model.update(_facts(ledger, packet))
        model["pictures"] = _pictures(ledger, packet["timeline"], names, appealed["id"])
    return model


def timeline_model(ledger: Ledger, household_id: str) -> dict[str, Any]:
    """The household's timeline page: every event with who recorded it, and the picture."""
    answer = queries.timeline(ledger, household_id)
    names = {answer.get("household_id") or answer.get("employer_id", ""): household_id}
    names.update(_linked_names(answer["events"]))
    appeals = sorted(
        {e["data"]["appeal_id"] for e in answer["events"] if e["type"] == "AppealLinked"}
    )
    return {
        "household_id": household_id,
        "timeline": [_row(e, names) for e in answer["events"]],
        "appeals": appeals,
        "pictures": _pictures(ledger, answer["events"], names, None)
        if "household_id" in answer
        else [],
    }


def action_in_words(event: Mapping[str, Any]) -> list[str]:
    """The appealed action as sentences: for a determination, each member's program, plan type,
    FPL % and effective date with the clauses; otherwise its type, dates and clause."""
    data = event["data"]
    if event["type"] in ("EligibilityDetermined", "AppealedDeterminationRestored"):
        head = (
            f"On {event['on']} the Connector determined the household of "
            f"{data.get('household_size')} with an annual MAGI of ${data.get('annual_magi')} "
            f"at {data.get('fpl_percent')}% of the FPL (${data.get('fpl_amount')}), "
            f"plan year {data.get('plan_year')} ({event['citation']}):"
        )
        lines = [head]
        for member in data.get("members", []):
            plan = f", plan type {member['plan_type']}" if member.get("plan_type") else ""
            lines.append(
                f"member {member['member_id']}: {_program(member['program'])}{plan}, "
                f"{member['fpl_percent']}% FPL, effective {member['effective_on']} "
                f"({member.get('citation')}; {member.get('effective_citation')})"
            )
        return lines
    return [
        f"{event['type']} on {event['on']}, effective {event['effective_on']} "
        f"({event.get('citation') or 'no clause recorded'})"
    ]


def _program(name: str) -> str:
    return {
        "connectorcare": "ConnectorCare",
        "aptc_only": "APTC only",
        "non_group": "non-group (no financial assistance)",
        "ineligible": "not eligible",
    }.get(name, name)


def _first(events: Iterable[Mapping[str, Any]], types: tuple[str, ...]) -> Mapping[str, Any] | None:
    return next((e for e in events if e["type"] in types), None)


def _policy(ledger: Ledger, version: str | None) -> PolicyVersion:
    try:
        return ledger.policy.version(version) if version else ledger.policy.current
    except LedgerError:
        return ledger.policy.current


def _deadline(
    appealed: Mapping[str, Any], filed: Mapping[str, Any] | None, policy: PolicyVersion
) -> list[str]:
    if filed is None:
        return []
    data = filed["data"]
    received = data.get("notice_received_on")
    return deadline_steps(
        date.fromisoformat(appealed["on"]),
        notice_sent=bool(data.get("notice_sent", True)),
        notice_received_on=date.fromisoformat(received) if received else None,
        deadline=date.fromisoformat(data["deadline"]),
        policy=policy,
    )


def _dismissal(events: Iterable[Mapping[str, Any]]) -> str | None:
    dismissed = _first(events, ("AppealDismissed",))
    if dismissed is None:
        return None
    return f"{dismissed['data'].get('reason')} ({dismissed.get('citation')}), on {dismissed['on']}"


def _policy_values(policy: PolicyVersion, appealed: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the determination used: the FPL of its plan year and the bands."""
    data = appealed["data"]
    on = date.fromisoformat(appealed["on"])
    values: dict[str, Any] = {"version": policy.version, "adopted_on": policy.adopted_on}
    plan_year = data.get("plan_year")
    if isinstance(plan_year, int):
        try:
            fpl = policy.fpl(plan_year)
            values["fpl"] = {
                "first_person": fpl.value.first_person,
                "per_extra_person": fpl.value.per_extra_person,
                "guidelines_year": fpl.value.guidelines_year,
                "source": fpl.source,
                "for_household": fpl.value.for_household(int(data.get("household_size") or 1)),
            }
        except LedgerError:
            values["fpl"] = None
    bands = policy.plan_type_bands.dated_at(on)
    values["bands"] = [(b.plan_type, b.up_to_percent) for b in bands.value]
    values["bands_source"] = bands.source
    limit = policy.connectorcare_limit_percent.dated_at(on)
    values["connectorcare_limit"] = (limit.value, limit.source)
    return values


def _facts(ledger: Ledger, packet: Mapping[str, Any]) -> dict[str, Any]:
    """The application the ledger held when it decided and the one it holds now, and the fact
    events recorded after the appealed action (what it learned later)."""
    appeal = ledger.appeal(packet["appeal_id"])
    stream = list(ledger.aggregate_events(appeal.appealed_aggregate_id))
    then = [e for e in stream if e.originator_version < appeal.appealed_version]
    known_ids = {e["id"] for e in packet["facts_known"]}
    learned = [
        e for e in packet["timeline"] if e["type"] in FACT_TYPES and e["id"] not in known_ids
    ]
    return {
        "facts_then": _application(then),
        "facts_now": _application(stream),
        "learned_later": learned,
    }


def _application(events: list[Any]) -> dict[str, Any] | None:
    try:
        application = replay(events).latest_application()
    except LedgerError:
        return None
    return {
        "plan_year": application.plan_year,
        "household_size": application.household_size,
        "annual_magi": application.annual_magi,
        "members": [dict(m) for m in application.members],
    }


def _aggregate_names(ledger: Ledger, packet: Mapping[str, Any]) -> dict[str, str]:
    names = _linked_names(packet["timeline"])
    if packet.get("household_id"):
        names[str(packet["appealed_event"]["aggregate_id"])] = packet["household_id"]
    names[str(Appeal.id_for(packet["appeal_id"]))] = packet["appeal_id"]
    return names


def _linked_names(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Aggregate id -> the enrollment or appeal id a household's links name."""
    names: dict[str, str] = {}
    for e in events:
        if e["type"] == "EnrollmentLinked":
            names[str(Enrollment.id_for(e["data"]["enrollment_id"]))] = e["data"]["enrollment_id"]
        elif e["type"] == "AppealLinked":
            names[str(Appeal.id_for(e["data"]["appeal_id"]))] = e["data"]["appeal_id"]
        elif e["type"] == "HouseholdOpened":
            names[str(e["aggregate_id"])] = e["data"]["household_id"]
    return names


def _row(event: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    data = event["data"]
    amounts = {k: data[k] for k in AMOUNT_FIELDS if data.get(k) not in (None, "0.00")}
    return {
        "id": event["id"],
        "short_id": str(event["id"])[:8],
        "type": event["type"],
        "on": event["on"],
        "effective_on": event["effective_on"],
        "of": names.get(str(event["aggregate_id"]), str(event["aggregate_id"])[:8]),
        "amounts": ", ".join(f"{k} ${v}" for k, v in amounts.items()),
        "month": data.get("month", ""),
        "recorded_by": event.get("recorded_by") or "",
        "citation": event.get("citation") or "",
    }


def _pictures(
    ledger: Ledger,
    events: list[Mapping[str, Any]],
    names: Mapping[str, str],
    appealed_event_id: str | None,
) -> list[EnrollmentPicture]:
    pictures = []
    enrollments = [e["data"]["enrollment_id"] for e in events if e["type"] == "EnrollmentLinked"]
    for enrollment_id in enrollments:
        aggregate = str(Enrollment.id_for(enrollment_id))
        own = [
            e
            for e in events
            if str(e["aggregate_id"]) == aggregate
            or e["id"] == appealed_event_id
            or e["type"] in ("AppealFiled", "AppealDecided", "AppealDismissed")
        ]
        try:
            coverage = queries.coverage(ledger, enrollment_id)
            balance = queries.balance(ledger, enrollment_id)
        except LedgerError:
            continue
        picture = enrollment_picture(coverage, balance, own, appealed_event_id)
        if picture.months:
            pictures.append(picture)
    return pictures
