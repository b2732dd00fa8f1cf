"""The typed front door: every JSON command becomes the domain's command of its name, with plain
typed values, and reaches its handler through the registry (no method name built from a string)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from enrollment_ledger.adapters.commands import COMMANDS, command_schemas, parse_command
from enrollment_ledger.domain import commands, group_commands, reported_facts
from enrollment_ledger.domain.determination import DeterminationBasis
from enrollment_ledger.domain.errors import InvalidCommand
from enrollment_ledger.domain.handlers import COMMAND_HANDLERS
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.domain.rules.appeals import AppealOutcome
from enrollment_ledger.domain.rules.enrollment_periods import QualifyingKind
from enrollment_ledger.domain.rules.plan_selection import Coverage
from enrollment_ledger.domain.rules.waivers import GroundsCode, WaiverDecision

from ..conftest import application
from ..scenarios import select

WIRE_ONLY = {"command", "command_id"}


def domain_command(name: str) -> Any:
    """The domain's command class of that name, defined in `commands` or (the small group's
    later ones) in `group_commands`, and in only one of them."""
    found = [
        getattr(module, name)
        for module in (commands, group_commands)
        if getattr(getattr(module, name, None), "__module__", None) == module.__name__
    ]
    assert len(found) == 1, name
    return found[0]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_wire_command_maps_onto_the_domain_command_of_its_name_field_for_field(
    name: str,
) -> None:
    wire = COMMANDS[name]
    domain = domain_command(wire.__name__)
    assert {f.name for f in dataclasses.fields(domain)} == set(wire.model_fields) - WIRE_ONLY
    assert domain in COMMAND_HANDLERS


def test_every_domain_command_with_a_handler_is_reachable_from_the_wire() -> None:
    reachable = {domain_command(wire.__name__) for wire in COMMANDS.values()}
    assert set(COMMAND_HANDLERS) == reachable


def member(member_id: str = "M1") -> dict[str, Any]:
    return {
        "member_id": member_id,
        "birth_date": "1990-05-17",
        "resident": True,
        "lawfully_present": True,
        "incarcerated": False,
        "aptc_eligible": True,
    }


def test_an_application_arrives_as_dates_decimals_and_member_records() -> None:
    parsed = parse_command(
        {
            "command": "submit_application",
            "command_id": "c-1",
            "on": "2026-01-02",
            "household_id": "H1",
            "plan_year": 2026,
            "household_size": 1,
            "annual_magi": "40000.5",
            "members": [member()],
        }
    )
    assert parsed.command_id == "c-1"
    assert parsed.command == commands.SubmitApplication(
        on=date(2026, 1, 2),
        household_id="H1",
        plan_year=2026,
        household_size=1,
        annual_magi=Decimal("40000.50"),
        members=(reported_facts.Member("M1", date(1990, 5, 17), True, True, False, True),),
    )


@pytest.mark.parametrize(
    ("command", "field", "value"),
    [
        ({"command": "report_qualifying_event", "household_id": "H1", "kind": "marriage"}, "kind", QualifyingKind.MARRIAGE),
        ({"command": "select_plan", "enrollment_id": "E1", "household_id": "H1", "member_ids": ["M1", "M2"], "plan_id": "P", "coverage": "dental", "monthly_premium": "10.00"}, "coverage", Coverage.DENTAL),
        ({"command": "select_plan", "enrollment_id": "E1", "household_id": "H1", "member_ids": ["M1", "M2"], "plan_id": "P", "coverage": "health", "monthly_premium": "10.00"}, "member_ids", ("M1", "M2")),
        ({"command": "select_plan", "enrollment_id": "E1", "household_id": "H1", "member_ids": ["M1"], "plan_id": "P", "coverage": "health", "monthly_premium": "10.00"}, "aptc_applied", Decimal("0.00")),
        ({"command": "decide_hardship_waiver", "enrollment_id": "E1", "decision": "granted", "first_month": "2026-03", "months": 2}, "decision", WaiverDecision.GRANTED),
        ({"command": "decide_hardship_waiver", "enrollment_id": "E1", "decision": "denied", "first_month": "2026-03-17", "months": 0}, "first_month", date(2026, 3, 1)),
        ({"command": "request_hardship_waiver", "household_id": "H1", "enrollment_id": "E1", "grounds": "homeless"}, "grounds", ("homeless",)),
        ({"command": "decide_appeal", "appeal_id": "A1", "outcome": "reversed"}, "outcome", AppealOutcome.REVERSED),
        ({"command": "decide_appeal", "appeal_id": "A1", "outcome": "upheld", "findings": {"annual_magi": "100", "members": [{"member_id": "M1", "resident": False}]}}, "findings", reported_facts.Changes(Decimal("100.00"), None, (reported_facts.MemberChange("M1", resident=False),))),
        ({"command": "report_change", "household_id": "H1", "household_size": 2}, "members", None),
        ({"command": "file_appeal", "appeal_id": "A1", "household_id": "H1", "appealed_event_id": "x", "grounds": "g"}, "notice_sent", True),
    ],
)  # fmt: skip
def test_names_become_the_domain_enums_lists_tuples_and_nested_objects_dataclasses(
    command: dict[str, Any], field: str, value: Any
) -> None:
    parsed = parse_command({**command, "on": "2026-04-01"}).command
    assert getattr(parsed, field) == value
    assert type(getattr(parsed, field)) is type(value)


@pytest.mark.parametrize(
    ("command", "field", "names"),
    [
        ("report_qualifying_event", "kind", [k.value for k in QualifyingKind]),
        ("select_plan", "coverage", ["health", "dental"]),
        ("decide_hardship_waiver", "decision", ["granted", "denied"]),
        ("decide_appeal", "outcome", ["upheld", "reversed", "dismissed", "withdrawn"]),
    ],
)
def test_the_schema_lists_the_domains_names_in_the_domains_order(
    command: str, field: str, names: list[str]
) -> None:
    assert command_schemas()[command]["properties"][field]["enum"] == names


def test_a_name_the_domain_does_not_know_is_refused_at_the_edge() -> None:
    with pytest.raises(InvalidCommand) as refused:
        parse_command(
            {"command": "report_qualifying_event", "on": "2026-04-01", "household_id": "H1", "kind": "divorce"}
        )  # fmt: skip
    assert refused.value.code == "invalid_field"


@dataclass(frozen=True)
class Unregistered(commands.Command):
    household_id: str


def test_a_command_without_a_handler_is_refused_unknown_command() -> None:
    ledger = Ledger()
    with pytest.raises(InvalidCommand) as refused:
        ledger.execute(Unregistered(date(2026, 1, 1), "H1"), recorded_at=datetime.now(UTC))
    assert refused.value.code == "unknown_command"


@pytest.mark.parametrize(
    ("names", "recorded"),
    [
        (QualifyingKind, ["marriage", "new_dependent", "loss_of_coverage", "permanent_move", "release_from_incarceration", "newly_lawfully_present", "exchange_error", "exceptional_circumstances", "ai_an_monthly", "opp_waiver"]),
        (AppealOutcome, ["upheld", "reversed", "dismissed", "withdrawn"]),
        (WaiverDecision, ["granted", "denied"]),
        (GroundsCode, ["homeless", "housing_arrears", "eviction_or_foreclosure_notice", "utility_shutoff", "domestic_violence", "death_of_family_member", "sudden_caregiving", "disaster", "bankruptcy"]),
        (DeterminationBasis, ["application", "change", "renewal", "appeal_reversal"]),
    ],
)  # fmt: skip
def test_the_domains_names_keep_the_values_stored_events_hold(
    names: type[StrEnum], recorded: list[str]
) -> None:
    assert [name.value for name in names] == recorded


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (application("H1"), "annual_magi"),
        (select(), "monthly_premium"),
        (select(aptc_applied="10.00"), "aptc_applied"),
    ],
)
def test_an_amount_that_cannot_be_negative_is_refused_when_negative(
    command: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidCommand, match=f"{field} cannot be negative"):
        parse_command({**command, field: "-1.00"})
    assert parse_command({**command, field: "0.00"}).command is not None
