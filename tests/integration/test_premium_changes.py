"""`change_premium` (12.12(8)(a)): a premium changed by a redetermination applies from the
determination's effective date (12.08: the 1st of the month after the notice; after the 15th
cut-off, a month later for a member who stays eligible); invoices already issued for those months
are adjusted by the event, never rewritten; money is conserved; `balance` says which premium
applied to each month and why."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, application, event_types, member, only
from ..scenarios import pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(command) for command in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def paid_through_april(apply: Apply) -> None:
    """One member in ConnectorCare 3B at $150, February to April paid (April's invoice issued on
    5 March and paid on the 6th)."""
    run(
        apply,
        application(on="2026-01-02", magi="40000.00"),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        select("E1"),
        pay("2026-01-20", "150.00", "p-02"),
        pay("2026-02-20", "150.00", "p-03"),
        pay("2026-03-06", "150.00", "p-04"),
    )


def income_change(on: str, magi: str = "20000.00") -> dict[str, Any]:
    return {"command": "report_change", "on": on, "household_id": "H1", "annual_magi": magi}


def change_premium(on: str, premium: str, determination_id: str) -> dict[str, Any]:
    return {
        "command": "change_premium",
        "on": on,
        "enrollment_id": "E1",
        "monthly_premium": premium,
        "determination_event_id": determination_id,
    }


def months(ledger: Ledger) -> dict[str, dict[str, Any]]:
    return {m["month"]: m for m in queries.balance(ledger, "E1")["months"]}


def test_a_change_notified_by_the_15th_applies_from_the_1st_of_next_month_and_credits_april(
    apply: Apply, ledger: Ledger
) -> None:
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-10"))
    determined = only(changed, "EligibilityDetermined")
    assert determined["data"]["members"][0]["plan_type"] == "2A"
    assert determined["data"]["members"][0]["effective_on"] == "2026-04-01"

    (answer,) = run(apply, change_premium("2026-03-10", "60.00", determined["id"]))
    premium = only(answer, "PremiumChanged")
    assert (premium["citation"], premium["effective_on"]) == ("956 CMR 12.12(8)(a)", "2026-04-01")
    assert premium["data"]["from_month"] == "2026-04"
    assert (premium["data"]["previous_premium"], premium["data"]["monthly_premium"]) == (
        "150.00",
        "60.00",
    )
    assert (premium["data"]["program"], premium["data"]["plan_type"]) == ("connectorcare", "2A")
    assert premium["data"]["adjustments"] == [
        {
            "month": "2026-04",
            "billed": "150.00",
            "amount": "60.00",
            "difference": "-90.00",
            "due_on": "2026-03-23",
        }
    ]
    assert premium["data"]["to_credit"] == "90.00"

    (later,) = run(apply, schedule("2026-04-30"))
    may = [e for e in later["events"] if e["type"] == "InvoiceIssued"]
    assert [
        (e["data"]["month"], e["data"]["amount"], e["data"]["paid_from_credit"]) for e in may
    ] == [("2026-05", "60.00", "60.00")]
    by_month = months(ledger)
    assert [(m, by_month[m]["premium"], by_month[m]["premium_citation"]) for m in by_month] == [
        ("2026-02", "150.00", "956 CMR 12.10(2)"),
        ("2026-03", "150.00", "956 CMR 12.10(2)"),
        ("2026-04", "60.00", "956 CMR 12.12(8)(a)"),
        ("2026-05", "60.00", "956 CMR 12.12(8)(a)"),
    ]
    assert by_month["2026-04"]["premium_determination_event_id"] == determined["id"]
    assert by_month["2026-04"]["billed"] == "60.00"
    assert [a["difference"] for a in by_month["2026-04"]["adjustments"]] == ["-90.00"]
    assert by_month["2026-05"]["adjustments"] == []
    balance = queries.balance(ledger, "E1")
    assert (balance["credit"], balance["outstanding_total"]) == ("30.00", "0.00")
    assert ledger.enrollment("E1").money_account().conserved


def test_a_change_notified_after_the_cutoff_for_a_member_staying_eligible_applies_a_month_later(
    apply: Apply, ledger: Ledger
) -> None:
    """12.08(2): notified on 20 March, effective 1 May: April stays at $150, untouched."""
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-20"))
    determined = only(changed, "EligibilityDetermined")
    assert determined["data"]["members"][0]["effective_on"] == "2026-05-01"
    (answer,) = run(apply, change_premium("2026-03-21", "60.00", determined["id"]))
    premium = only(answer, "PremiumChanged")
    assert (premium["data"]["from_month"], premium["data"]["adjustments"]) == ("2026-05", [])
    run(apply, schedule("2026-04-10"))
    by_month = months(ledger)
    assert (by_month["2026-04"]["billed"], by_month["2026-05"]["billed"]) == ("150.00", "60.00")


def test_a_raise_on_a_month_already_paid_and_due_is_billed_on_the_next_due_date(
    apply: Apply, ledger: Ledger
) -> None:
    """The change entered on 10 April, after April's due date: April's $50 more is due on
    23 April (the next due date); May, not yet due, keeps its own. Unpaid, both are missed."""
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-10", magi="70000.00"))
    determined = only(changed, "EligibilityDetermined")
    (answer,) = run(apply, change_premium("2026-04-10", "200.00", determined["id"]))
    adjustments = only(answer, "PremiumChanged")["data"]["adjustments"]
    assert [(a["month"], a["difference"], a["due_on"]) for a in adjustments] == [
        ("2026-04", "50.00", "2026-04-23"),
        ("2026-05", "50.00", "2026-04-23"),
    ]
    (later,) = run(apply, schedule("2026-04-24"))
    missed = [e for e in later["events"] if e["type"] == "PaymentMissed"]
    assert [(e["data"]["month"], e["data"]["outstanding"]) for e in missed] == [
        ("2026-04", "50.00"),
        ("2026-05", "200.00"),
    ]
    assert ledger.enrollment("E1").money_account().conserved


def test_the_later_of_two_changes_for_the_same_months_wins(apply: Apply, ledger: Ledger) -> None:
    paid_through_april(apply)
    (first,) = run(apply, income_change("2026-03-10"))
    first_id = only(first, "EligibilityDetermined")["id"]
    run(apply, change_premium("2026-03-10", "60.00", first_id))
    (second,) = run(apply, income_change("2026-03-12", magi="30000.00"))
    second_id = only(second, "EligibilityDetermined")["id"]
    run(apply, change_premium("2026-03-12", "100.00", second_id), schedule("2026-04-10"))
    by_month = months(ledger)
    assert (by_month["2026-04"]["billed"], by_month["2026-05"]["billed"]) == ("100.00", "100.00")
    assert by_month["2026-05"]["premium_determination_event_id"] == second_id
    assert ledger.enrollment("E1").money_account().conserved


def test_a_change_applies_to_the_rest_of_its_plan_year_and_the_renewal_sets_the_next(
    apply: Apply, ledger: Ledger
) -> None:
    """12.12(8)(a)-(b): the $60 from April runs to December; January 2027 is the renewal's $120."""
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-10"))
    run(
        apply,
        change_premium("2026-03-10", "60.00", only(changed, "EligibilityDetermined")["id"]),
        pay("2026-03-11", "480.00", "may-to-december"),
        {
            "command": "submit_renewal",
            "on": "2026-11-20",
            "household_id": "H1",
            "plan_year": 2027,
            "household_size": 1,
            "annual_magi": "20000.00",
            "members": [member("M1")],
        },
        {
            "command": "renew_enrollment",
            "on": "2026-11-21",
            "enrollment_id": "E1",
            "plan_year": 2027,
            "monthly_premium": "120.00",
        },
        schedule("2026-12-06"),
    )
    by_month = months(ledger)
    assert [by_month[m]["billed"] for m in ("2026-11", "2026-12", "2027-01")] == [
        "60.00",
        "60.00",
        "120.00",
    ]
    assert by_month["2027-01"]["premium_citation"] == "956 CMR 12.07(1)"
    assert by_month["2026-12"]["premium_citation"] == "956 CMR 12.12(8)(a)"


@pytest.mark.parametrize(
    ("event_id", "code"),
    [
        pytest.param("not-an-id", "invalid_field", id="not an event id"),
        pytest.param("00000000-0000-5000-8000-000000000000", "unknown_event", id="no such event"),
    ],
)
def test_a_premium_change_must_name_a_determination_of_the_household(
    apply: Apply, event_id: str, code: str
) -> None:
    paid_through_april(apply)
    refused = apply(change_premium("2026-03-10", "60.00", event_id))
    assert refused["error"]["code"] == code


def test_an_event_that_is_not_a_determination_is_refused(apply: Apply) -> None:
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-10"))
    reported = only(changed, "ChangeReported")
    refused = apply(change_premium("2026-03-10", "60.00", reported["id"]))
    assert refused["error"]["code"] == "invalid_field"
    assert "ChangeReported" in refused["error"]["message"]


def test_a_determination_leaving_no_member_covered_has_no_premium_to_change(apply: Apply) -> None:
    paid_through_april(apply)
    (changed,) = run(
        apply,
        {
            "command": "report_change",
            "on": "2026-03-10",
            "household_id": "H1",
            "members": [{"member_id": "M1", "incarceration": "serving"}],
        },
    )
    refused = apply(
        change_premium("2026-03-10", "0.00", only(changed, "EligibilityDetermined")["id"])
    )
    assert refused["error"]["code"] == "invalid_state"


def test_the_premium_of_an_enrollment_ended_for_good_cannot_change(apply: Apply) -> None:
    run(
        apply,
        application(on="2026-01-02", magi="40000.00"),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        select("E1"),
        schedule("2026-01-31"),  # binder unpaid: cancelled
    )
    (changed,) = run(apply, income_change("2026-02-10"))
    refused = apply(
        change_premium("2026-02-10", "60.00", only(changed, "EligibilityDetermined")["id"])
    )
    assert refused["error"]["code"] == "invalid_state"


def test_a_negative_premium_is_refused_at_the_edge_and_records_nothing(apply: Apply) -> None:
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-10"))
    refused = apply(
        change_premium("2026-03-10", "-1.00", only(changed, "EligibilityDetermined")["id"])
    )
    assert refused["error"]["code"] == "invalid_field"


def test_a_two_member_enrollment_after_a_partial_loss_changes_premium_for_the_member_staying(
    apply: Apply, ledger: Ledger
) -> None:
    """M2 loses eligibility on 20 March (12.08(3): effective 1 April, covered through 31 March);
    M1 stays eligible, so 12.08(2)'s cut-off puts the premium change on 1 May."""
    run(
        apply,
        application(on="2026-01-02", size=2, magi="40000.00", members=[member("M1"), member("M2")]),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        {**select("E1", premium="300.00"), "member_ids": ["M1", "M2"]},
        pay("2026-01-20", "300.00", "b"),
    )
    (changed,) = run(
        apply,
        {
            "command": "report_change",
            "on": "2026-03-20",
            "household_id": "H1",
            "members": [{"member_id": "M2", "incarceration": "serving"}],
            "annual_magi": "39000.00",
        },
    )
    assert "MemberCoverageEnded" in event_types(changed)
    determined = only(changed, "EligibilityDetermined")
    (answer,) = run(apply, change_premium("2026-03-20", "150.00", determined["id"]))
    assert only(answer, "PremiumChanged")["data"]["from_month"] == "2026-05"
