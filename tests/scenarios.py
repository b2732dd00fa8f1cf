"""Command builders for lifecycle scenarios (plain dicts, as a user writes them)."""

from __future__ import annotations

from typing import Any

from .conftest import application, member


def household_commands(
    household_id: str = "H1",
    *,
    magi: str = "40000.00",
    aptc_eligible: bool = True,
    applied_on: str = "2026-01-02",
    determined_on: str = "2026-01-05",
    plan_year: int = 2026,
) -> list[dict[str, Any]]:
    """An application and its determination (40,000 for one person in 2026 is ConnectorCare 3B;
    with aptc_eligible=False the member is non-group without financial assistance)."""
    return [
        application(
            household_id,
            on=applied_on,
            plan_year=plan_year,
            magi=magi,
            members=[member("M1", aptc_eligible=aptc_eligible)],
        ),
        {"command": "determine_eligibility", "on": determined_on, "household_id": household_id},
    ]


def select(
    enrollment_id: str = "E1",
    *,
    on: str = "2026-01-10",
    household_id: str = "H1",
    premium: str = "150.00",
    coverage: str = "health",
    aptc_applied: str | None = None,
) -> dict[str, Any]:
    command: dict[str, Any] = {
        "command": "select_plan",
        "on": on,
        "enrollment_id": enrollment_id,
        "household_id": household_id,
        "member_ids": ["M1"],
        "plan_id": "PLAN-1",
        "coverage": coverage,
        "monthly_premium": premium,
    }
    if aptc_applied is not None:
        command["aptc_applied"] = aptc_applied
    return command


def pay(on: str, amount: str, reference: str, enrollment_id: str = "E1") -> dict[str, Any]:
    return {
        "command": "record_payment",
        "on": on,
        "enrollment_id": enrollment_id,
        "amount": amount,
        "reference": reference,
    }


def schedule(through: str) -> dict[str, Any]:
    return {"command": "run_schedule", "on": through, "through": through}


def by_type(answers: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for a in answers if a["ok"] for e in a["events"] if e["type"] == event_type]
