"""Every field of every event is classified as member data or ledger data, exactly once
(src/domain/member_data.py), and the classification says what the README says of it."""

from __future__ import annotations

import pytest
from enrollment_ledger.adapters.event_schema import data_fields, event_schemas
from enrollment_ledger.domain.catalogue import event_classes
from enrollment_ledger.domain.member_data import (
    ENVELOPE_DATE,
    ENVELOPE_FIELDS,
    LEDGER_DATA,
    MEMBER_DATA,
    is_member_data,
    member_fields,
)

EVENT_FIELDS = {cls.__name__: frozenset(data_fields(cls)) for cls in event_classes()}


def test_every_field_of_every_event_is_classified() -> None:
    unclassified = sorted(
        f"{event_type}.{field}"
        for event_type, fields in EVENT_FIELDS.items()
        for field in fields
        if field not in member_fields(event_type) | LEDGER_DATA.get(event_type, frozenset())
    )
    assert not unclassified, f"classify these in src/domain/member_data.py: {unclassified}"


def test_every_event_type_is_named_in_the_ledger_table_even_with_no_ledger_field() -> None:
    assert set(LEDGER_DATA) == set(EVENT_FIELDS)


def test_no_field_is_both_member_and_ledger_data() -> None:
    both = {t: MEMBER_DATA[t] & LEDGER_DATA.get(t, frozenset()) for t in MEMBER_DATA}
    assert not any(both.values()), both


def test_the_tables_name_only_fields_the_events_have() -> None:
    stray = {
        t: (MEMBER_DATA.get(t, frozenset()) - ENVELOPE_FIELDS | LEDGER_DATA[t]) - EVENT_FIELDS[t]
        for t in LEDGER_DATA
    }
    assert not any(stray.values()), stray
    assert set(MEMBER_DATA) <= set(EVENT_FIELDS)


@pytest.mark.parametrize(
    ("event_type", "field"),
    [
        ("ApplicationSubmitted", "members"),
        ("ApplicationSubmitted", "annual_magi"),
        ("EligibilityDetermined", "household_size"),
        ("HardshipWaiverRequested", "grounds"),
        ("CoverageTerminatedForFraud", "finding"),
        ("RepresentativeDesignated", "name"),
        ("DeathRecorded", "died_on"),
        ("AppealFiled", "grounds"),
    ],
)
def test_birth_dates_income_household_grounds_findings_names_and_deaths_are_member_data(
    event_type: str, field: str
) -> None:
    assert is_member_data(event_type, field)


@pytest.mark.parametrize(
    ("event_type", "field"),
    [
        ("PlanSelected", "enrollment_id"),
        ("InvoiceIssued", "amount"),
        ("CoverageTerminated", "reason"),
        ("AppealFiled", "deadline_citation"),
        ("EligibilityDetermined", "plan_year"),
        ("PaymentRecorded", "reference"),
    ],
)
def test_ids_amounts_statuses_and_citations_are_ledger_data(event_type: str, field: str) -> None:
    assert not is_member_data(event_type, field)


def test_a_field_classified_nowhere_is_an_error_not_ledger_data() -> None:
    with pytest.raises(KeyError, match="not classified"):
        is_member_data("PlanSelected", "favourite_colour")


def test_a_death_date_and_a_hardship_grounds_clause_in_the_envelope_are_member_data_too() -> None:
    assert ENVELOPE_DATE in member_fields("DeathRecorded")
    assert ENVELOPE_DATE not in member_fields("InvoiceIssued")
    assert "citation" in member_fields("HardshipWaiverRequested")
    assert "citation" not in member_fields("HardshipWaiverDecided")


SCHEMAS = event_schemas()


@pytest.mark.parametrize("event_type", sorted(SCHEMAS))
def test_the_schema_says_of_every_field_whether_it_is_member_data(event_type: str) -> None:
    data = SCHEMAS[event_type]["properties"]["data"]["properties"]
    said = {name: schema["member_data"] for name, schema in data.items()}
    assert said == {name: name in member_fields(event_type) for name in data}


def test_the_schema_does_not_require_what_a_message_may_leave_out() -> None:
    death = SCHEMAS["DeathRecorded"]
    assert "died_on" not in death["properties"]["data"]["required"]
    assert "effective_on" not in death["required"]
    assert "member_id" in death["properties"]["data"]["required"]
    assert "effective_on" in SCHEMAS["InvoiceIssued"]["required"]
