"""The benchmark's generated population is valid: every command is accepted by the ledger's
command path (no timing here; the benchmark measures, tests do not)."""

from __future__ import annotations

from collections import Counter

from enrollment_ledger.domain.ledger import Ledger

from bench.population import (
    HOUSEHOLDS_PER_EMPLOYER,
    Driver,
    employer_steps,
    exchange_steps,
    household_steps,
    merge,
    population,
    schedule_months,
    specs,
)


def test_the_population_is_deterministic() -> None:
    assert population(6, seed=7) == population(6, seed=7)
    assert population(6, seed=7) != population(6, seed=8)


def test_every_generated_command_is_accepted(ledger: Ledger) -> None:
    commands = population(12, seed=11)
    driver = Driver(ledger)
    rejected = []
    events: Counter[str] = Counter()
    for command in commands:
        answer = driver.apply(command)
        if not answer["ok"]:
            rejected.append((command, answer["error"]))
        else:
            events.update(e["type"] for e in answer["events"])
    assert rejected == []
    assert events["PaymentRecorded"] > 0
    assert events["InvoiceIssued"] > 0
    assert sum(c["command"] == "run_schedule" for c in commands) == 14


def test_history_households_are_accepted_before_the_population(ledger: Ledger) -> None:
    commands = merge(
        [*household_steps(4, seed=3, history=True), *household_steps(2, seed=3)],
        [*schedule_months(2025)[:12], *schedule_months(2026)],
    )
    driver = Driver(ledger)
    answers = [driver.apply(c) for c in commands]
    assert [a for a in answers if not a["ok"]] == []


def test_each_household_is_determined_into_the_program_and_plan_type_it_was_drawn_for(
    ledger: Ledger,
) -> None:
    """The generator draws a household's income from the domain's FPL and plan-type bands: the
    ledger's own determination lands every household where it was meant to."""
    drawn = {s.household_id: (s.program, s.plan_type) for s in specs(80, seed=5)}
    driver = Driver(ledger)
    determined: dict[str, set[tuple[str, str | None]]] = {}
    for command in population(80, seed=5):
        if command["command"] not in ("submit_application", "determine_eligibility"):
            continue
        answer = driver.apply(command)
        for event in answer["events"]:
            if event["type"] == "EligibilityDetermined":
                determined[command["household_id"]] = {
                    (m["program"], m["plan_type"]) for m in event["data"]["members"]
                }
    assert determined == {h: {drawn_as} for h, drawn_as in drawn.items()}
    every_band = {"1", "2A", "2B", "3A", "3B", "3C", "3D"}
    assert {plan_type for _, plan_type in drawn.values()} == {None, *every_band}


def test_one_small_employer_per_20_households_and_every_employer_command_is_accepted(
    ledger: Ledger,
) -> None:
    """The stated share: 5 % as many employers as households, each with a group of employees;
    their groups pay on time, stop paying and are terminated (a notice to each employee), or
    end voluntarily, all accepted by the ledger."""
    assert employer_steps(19) == [] and employer_steps(400, history=True) == []
    steps = employer_steps(400, seed=9)
    commands = merge(steps, schedule_months(2026))
    applications = [c for c in commands if c["command"] == "submit_employer_application"]
    assert len(applications) == 400 // HOUSEHOLDS_PER_EMPLOYER == 20
    driver = Driver(ledger)
    events: Counter[str] = Counter()
    for command in commands:
        answer = driver.apply(command)
        assert answer["ok"], (command, answer)
        events.update(e["type"] for e in answer["events"])
    assert events["EmployerEligibilityDetermined"] == 20
    assert events["GroupPlanSelected"] == 20 and events["CoverageEffectuated"] == 20
    assert events["EmployeeEnrolled"] >= 40
    assert events["CoverageTerminated"] >= 1 and events["TerminationNoticeIssued"] >= 3
    assert events["VoluntaryTerminationRequested"] >= 1
    assert exchange_steps(40, seed=9)[-len(employer_steps(40, seed=9)) :] == employer_steps(
        40, seed=9
    )
