"""Command builders for small-group scenarios (plain dicts, as an employer's back office writes
them): an eligible employer of 12, its group plan starting 1 April 2026 with a deadline of
13 March (the binder due 23 March), and two employees enrolled (500.00 and 900.00 a month)."""

from __future__ import annotations

from typing import Any


def employer_application(
    employer_id: str = "ACME", *, on: str = "2026-02-02", **changes: Any
) -> dict[str, Any]:
    return {
        "command": "submit_employer_application",
        "on": on,
        "employer_id": employer_id,
        "employee_count": 12,
        "full_time_employees": 10,
        "actively_engaged": True,
        "principal_address_in_ma": True,
        "offers_all_full_time": True,
        "offers_through_connector": True,
        "participation_rate": "0.80",
        "contribution_rate": "0.60",
        **changes,
    }


def determine(employer_id: str = "ACME", *, on: str = "2026-02-03") -> dict[str, Any]:
    return {"command": "determine_employer_eligibility", "on": on, "employer_id": employer_id}


def select_group(
    group_id: str = "G1",
    *,
    employer_id: str = "ACME",
    on: str = "2026-02-05",
    coverage: str = "health",
    start: str = "2026-04-01",
    deadline: str = "2026-03-13",
) -> dict[str, Any]:
    return {
        "command": "select_group_plan",
        "on": on,
        "employer_id": employer_id,
        "group_enrollment_id": group_id,
        "plan_id": "SG-GOLD",
        "coverage": coverage,
        "coverage_start_on": start,
        "enrollment_deadline": deadline,
    }


def enroll(
    employee_id: str,
    premium: str,
    *,
    on: str = "2026-02-10",
    group_id: str = "G1",
    dependents: tuple[str, ...] = (),
    kind: str | None = None,
    event_on: str | None = None,
) -> dict[str, Any]:
    command: dict[str, Any] = {
        "command": "enroll_employee",
        "on": on,
        "group_enrollment_id": group_id,
        "employee_id": employee_id,
        "member_ids": [employee_id, *dependents],
        "monthly_premium": premium,
    }
    if kind is not None:
        command["kind"] = kind
    if event_on is not None:
        command["event_on"] = event_on
    return command


def waive(employee_id: str, *, on: str = "2026-02-12", group_id: str = "G1") -> dict[str, Any]:
    return {
        "command": "waive_coverage",
        "on": on,
        "group_enrollment_id": group_id,
        "employee_id": employee_id,
    }


def employer_pays(on: str, amount: str, reference: str, group_id: str = "G1") -> dict[str, Any]:
    return {
        "command": "record_payment",
        "on": on,
        "enrollment_id": group_id,
        "amount": amount,
        "reference": reference,
    }


def enrolled_group(group_id: str = "G1") -> list[dict[str, Any]]:
    """The employer determined eligible, its plan selected, EMP-1 (500.00) and EMP-2 with a
    child (900.00) enrolled, EMP-3 waived: 1,400.00 a month."""
    return [
        employer_application(),
        determine(),
        select_group(group_id),
        enroll("EMP-1", "500.00", group_id=group_id),
        enroll("EMP-2", "900.00", group_id=group_id, dependents=("EMP-2-C",)),
        waive("EMP-3", group_id=group_id),
    ]


def paid_through_may(group_id: str = "G1") -> list[dict[str, Any]]:
    """The group enrolled, its binder (April) and May paid: the June premium is the first
    missed one when the schedule runs."""
    return [
        *enrolled_group(group_id),
        employer_pays("2026-03-20", "1400.00", "ACME-04", group_id),
        employer_pays("2026-04-20", "1400.00", "ACME-05", group_id),
    ]


def a_coverage_year_paid(group_id: str = "G1") -> list[dict[str, Any]]:
    """The group enrolled, and each month of its first coverage year (April 2026 to March 2027,
    1,400.00 each) paid on the 20th of the month before."""
    months = [f"2026-{m:02d}" for m in range(3, 13)] + ["2027-01", "2027-02"]
    return [
        *enrolled_group(group_id),
        *(employer_pays(f"{month}-20", "1400.00", f"ACME-{month}", group_id) for month in months),
    ]
