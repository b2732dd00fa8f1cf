"""The hearing packet as a hearing officer reads it on the command line (`hearing APPEAL_ID`
without --json): the appeal and its deadline spelled out, the appealed action in plain words,
the facts the ledger held, the recomputations and the household's timeline. The JSON packet
(`adapters.queries.hearing`) is the contract; this only words it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from . import render
from .event_table import actor, events_table

if TYPE_CHECKING:
    from ...domain.ledger import Ledger

FILED = ("AppealFiled", "EmployerAppealFiled", "EmployeeAppealFiled")
FACT_FIELDS_LEFT_OUT = ("on", "effective_on", "policy_version", "members")
MEMBER_FACTS = (
    "member_id",
    "birth_date",
    "resident",
    "lawfully_present",
    "incarcerated",
    "aptc_eligible",
)
DETERMINATION_COLUMNS = (
    "member_id",
    "program",
    "plan_type",
    "fpl_percent",
    "effective_on",
    "citation",
    "reasons",
)


def print_hearing(console: Any, packet: dict[str, Any], ledger: Ledger | None) -> None:
    """The packet in the order an officer reads it."""
    for part in (
        appeal_lines(packet, ledger),
        appealed_action(packet),
        facts_held(packet),
        recomputations(packet),
    ):
        for item in part:
            console.print(item)
    console.print(
        events_table(
            f"Timeline of {owner(packet)} (each event's id, and the enrollment or appeal it "
            "belongs to)",
            packet["timeline"],
        )
    )


def owner(packet: dict[str, Any]) -> str:
    if "household_id" in packet:
        return f"household {packet['household_id']}"
    return f"employer {packet['employer_id']}"


def filing(packet: dict[str, Any]) -> dict[str, Any]:
    """The data of the appeal's filing event (`AppealFiled` or `EmployerAppealFiled`)."""
    for event in packet["appeal"]["events"]:
        if event["type"] in FILED:
            data: dict[str, Any] = event["data"]
            return data
    return {}


def appeal_lines(packet: dict[str, Any], ledger: Ledger | None) -> list[Any]:
    """The appeal: who, what grounds, received when, the deadline and why, timely and why, the
    dismissal and the decisions."""
    from rich.markup import escape
    from rich.panel import Panel

    appeal = packet["appeal"]
    filed = filing(packet)
    filer = appeal["filed_by"]
    by = (
        f"representative {filer['representative_id']} ({filer.get('kind')})"
        if filer
        else "the appellant"
    )
    who = appeal["appellant_member_id"] or (
        "the household"
        if "household_id" in packet
        else f"employee {packet['employee_id']}"
        if packet.get("employee_id")
        else "the employer"
    )
    lines = [
        f"Appeal {packet['appeal_id']} of {owner(packet)}",
        f"Received: {appeal['filed_on']}; filed by {by}, for {who}",
        f"Grounds: {escape(str(filed.get('grounds') or '(none given)'))}",
        f"Deadline: {appeal['deadline']}. {deadline_reason(packet, ledger)}",
        f"Timely: {timely_reason(appeal)}",
    ]
    dismissal = dismissal_reason(appeal)
    if dismissal:
        lines.append(f"Dismissed: {dismissal}")
    lines.append(f"Status: {appeal['status']}; outcome: {render.cell(appeal['outcome']) or '-'}")
    for step in appeal["history"]:
        lines.append(f"  {step['on']}: {history_step(step)}")
    found: list[Any] = [Panel("\n".join(lines), title="Hearing packet")]
    if packet["stay"]:
        found.append(f"[bold]Stayed:[/bold] {packet['stay']}")
    elif appeal["rehearing"]:
        rehearing = appeal["rehearing"]
        found.append(
            f"[bold]Re-hearing:[/bold] ordered {rehearing['ordered_on']}, decided "
            f"{render.cell(rehearing['decided_on']) or '(not yet)'}: "
            f"{render.cell(rehearing['outcome']) or '(pending)'}"
            + (" (late)" if rehearing["late"] else "")
            + f"; the decision that stands: {render.cell(appeal['outcome']) or '-'}"
        )
    found.append(representatives(packet))
    return found


def history_step(step: dict[str, Any]) -> str:
    """One step of an appeal's history (`Appeal.history`) in words: a decision, a dismissal
    (12.15(2)), a re-hearing ordered, the stay it brings and its decision (12.15(5)), an appeal
    continued by a representative after a death (12.15(2)(d))."""
    if step.get("outcome"):
        return render.cell(step["outcome"])
    if "dismissed" in step:
        return f"dismissed ({render.cell(step['dismissed']) or 'no reason recorded'})"
    if step.get("rehearing_ordered"):
        return "re-hearing ordered (12.15(5))"
    if step.get("stayed"):
        return f"initial decision stayed until the re-hearing is decided (by {step['decide_by']})"
    if "rehearing" in step:
        return (
            f"re-hearing decided: {step['rehearing']}; the decision that stands: "
            f"{render.cell(step.get('standing_outcome')) or '-'}"
        )
    if step.get("continued_by"):
        return f"continued by {step['continued_by']}"
    return ", ".join(f"{k}: {render.cell(v)}" for k, v in step.items() if k != "on")


def timely_reason(appeal: dict[str, Any]) -> str:
    """`yes, because ...` or `no, because ...`: the day received against the deadline."""
    if appeal["timely"]:
        return (
            f"yes, because it was received on {appeal['filed_on']}, on or before the deadline "
            f"{appeal['deadline']}"
        )
    return (
        f"no, because it was received on {appeal['filed_on']}, after the deadline "
        f"{appeal['deadline']}"
    )


def deadline_reason(packet: dict[str, Any], ledger: Ledger | None) -> str:
    """The 12.14 deadline spelled out: the date on the notice, the receipt presumed (or shown),
    the days counted from it, and a last day moved to the next business day (12.14(3)). The days
    are the policy version's parameters the appeal was decided with."""
    filed = filing(packet)
    action_on = date.fromisoformat(packet["appealed_event"]["on"])
    deadline = date.fromisoformat(packet["appeal"]["deadline"])
    citation = filed.get("deadline_citation") or ""
    small_group = "employer_id" in packet
    policy = _policy(ledger, filed.get("policy_version"))
    if policy is None:
        return f"({citation})"
    if filed.get("notice_sent", True):
        received_on = filed.get("notice_received_on")
        if received_on:
            received = date.fromisoformat(received_on)
            receipt = f"the notice dated {action_on} was received on {received} (as shown)"
        else:
            presumed = policy.appeal_notice_receipt_days.at(action_on)
            received = action_on + timedelta(days=presumed)
            receipt = (
                f"the notice dated {action_on} is presumed received {presumed} days after its "
                f"date, on {received}, absent evidence to the contrary"
            )
        days = (
            policy.small_group_appeal_days.at(action_on)
            if small_group
            else policy.appeal_days_after_receipt.at(action_on)
        )
        counted = f"the request must be received within {days} days after the receipt"
    else:
        received = action_on
        days = (
            policy.small_group_appeal_days.at(action_on)
            if small_group
            else policy.appeal_days_without_notice.at(action_on)
        )
        receipt = f"no written notice was sent of the action of {action_on}"
        counted = f"the request must be received within {days} days from the action"
    last_day = received + timedelta(days=days)
    said = f"{receipt}; {counted}, by {last_day}"
    if last_day != deadline:
        said += (
            f", a Saturday, Sunday or legal holiday, so the deadline is the next business "
            f"day, {deadline}"
        )
    return f"{said[0].upper()}{said[1:]} ({citation})."


def _policy(ledger: Ledger | None, version: str | None) -> Any:
    if ledger is None or version is None:
        return None
    from ...domain.errors import LedgerError

    try:
        return ledger.policy.version(version)
    except LedgerError:
        return None


def dismissal_reason(appeal: dict[str, Any]) -> str | None:
    """The last dismissal's date, reason and clause (None when the appeal was not dismissed)."""
    reason = None
    for event in appeal["events"]:
        if event["type"] == "AppealDismissed":
            reason = f"on {event['on']}, {event['data']['reason']} ({event['citation']})"
    return reason


def representatives(packet: dict[str, Any]) -> Any:
    columns = ("representative_id", "name", "kind", "member_id", "written_authorization_on")
    if not packet["representatives"]:
        return "Representatives in force: none"
    table = render.table("Representatives in force", columns)
    for rep in packet["representatives"]:
        table.add_row(*(render.value(c, rep.get(c)) for c in columns))
    return table


def appealed_action(packet: dict[str, Any]) -> list[Any]:
    """The appealed action in plain words: for a determination the household's income, size and
    FPL %, and each member's program, plan type and FPL %; else its data, field by field."""
    appealed = packet["appealed_event"]
    data = appealed["data"]
    found: list[Any] = [
        f"[bold]Appealed action:[/bold] {appealed['type']} (event {appealed['id']}) of "
        f"{appealed['on']}, effective {render.cell(appealed['effective_on'])}, rule "
        f"{render.cell(packet['rule']['citation'])}, policy version "
        f"{render.cell(packet['rule']['policy_version'])}, recorded by "
        f"{actor(appealed['recorded_by'])}"
    ]
    if "members" in data and "fpl_percent" in data:
        found.append(
            f"  household of {data.get('household_size')}, income (annual MAGI) "
            f"{data.get('annual_magi')}, {data['fpl_percent']}% of the poverty level "
            f"({data.get('fpl_amount')}: {render.cell(data.get('fpl_source'))})"
        )
        table = render.table("What was determined, member by member", DETERMINATION_COLUMNS)
        for determined in data["members"]:
            table.add_row(
                *(render.value(c, determined.get(c)) for c in DETERMINATION_COLUMNS[:-1]),
                "; ".join(determined.get("reasons") or []),
            )
        found.append(table)
    else:
        found.append("  " + fields(data))
    return found


def fields(data: dict[str, Any]) -> str:
    """An event's data as `field: value` pairs, the dates and policy version it repeats left
    out (and blank values); a nested value in words (`plain`)."""
    return "; ".join(
        f"{render.words(name)}: {plain(value)}"
        for name, value in data.items()
        if name not in FACT_FIELDS_LEFT_OUT and value is not None and value != []
    )


def plain(value: Any) -> str:
    """A value in words: a mapping as `(field value, ...)`, a list as `a, b`, else its cell."""
    if isinstance(value, dict):
        inner = ", ".join(
            f"{render.words(name)} {plain(item)}"
            for name, item in value.items()
            if item is not None
        )
        return f"({inner})"
    if isinstance(value, list):
        return ", ".join(plain(item) for item in value)
    return render.cell(value)


def facts_held(packet: dict[str, Any]) -> list[Any]:
    """The facts the ledger held when it decided: each fact event with its contents (income,
    household size, ...) and the members' facts."""
    found: list[Any] = ["[bold]Facts the ledger held when it decided[/bold]"]
    if not packet["facts_known"]:
        found.append("  (none)")
    for event in packet["facts_known"]:
        found.append(
            f"  {event['on']} {event['type']} (event {event['id'][:8]}, recorded "
            f"{event['recorded_at'][:19]} by {actor(event['recorded_by'])})"
            + (f": {fields(event['data'])}" if fields(event["data"]) else "")
        )
        members = event["data"].get("members")
        if members and isinstance(members[0], dict) and "birth_date" in members[0]:
            table = render.table(f"Members as of {event['on']}", MEMBER_FACTS)
            for member in members:
                table.add_row(*(render.value(c, member.get(c)) for c in MEMBER_FACTS))
            found.append(table)
    return found


def recomputations(packet: dict[str, Any]) -> list[str]:
    """The decision recomputed with the policy it applied and with today's, and every
    difference from the record."""
    found = []
    for label, result in (
        ("Recomputed with the policy applied", packet["recomputed"]),
        ("Decided under current policy", packet["current_policy"]),
    ):
        if result is None:
            continue
        if "error" in result:
            found.append(
                f"[bold]{label}[/bold] ({result['policy_version']}): {result['error']['message']}"
            )
            continue
        verdict = "matches the record" if result["matches"] else "DIFFERS from the record"
        found.append(f"[bold]{label}[/bold] ({result['policy_version']}): {verdict}")
        if isinstance(result.get("decision"), dict):  # a small-group decision decided again
            found.append(
                f"  {_small_group_decision(result['decision'])}; rule {result['citation']}"
            )
        elif "decision" in result:  # a special enrollment period decided again
            found.append(
                f"  {result['decision']} ({result['reason'] or 'end ' + str(result['end_on'])}), "
                f"rule {result['citation']}"
            )
            for enrollment_id, reason in result["coverage_lost"].items():
                found.append(f"  then: coverage of {enrollment_id} lost for {reason}")
        for difference in result["differences"]:
            who = f"{difference['member_id']} " if "member_id" in difference else ""
            found.append(
                f"  {who}{difference['field']}: recorded {render.cell(difference['recorded'])}, "
                f"recomputed {render.cell(difference['recomputed'])}"
            )
    if packet["note"]:
        found.append(packet["note"])
    return found


def _small_group_decision(decision: dict[str, Any]) -> str:
    """An employer's determination or a group's termination decided again, in words."""
    said = []
    for name, value in decision.items():
        if name == "failed_conditions":
            value = "; ".join(f"{f['condition']} ({f['clause']})" for f in value) or "none"
        said.append(f"{name.replace('_', ' ')} {render.cell(value)}")
    return ", ".join(said)
