"""A determination that leaves a covered member eligible for nothing ends that member's coverage
the day before it takes effect (12.10(5)(c), 12.08(3); 12.16(1)(a) for a Dental Plan); with no
member left the enrollment ends, later months are voided and no delinquency or termination for
non-payment follows. Incarceration pending the disposition of charges keeps eligibility
(12.04(1)(b)). Through the ledger's command path into a real SQLite store."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.household import Household
from enrollment_ledger.domain.ledger import Ledger
from eventsourcing.utils import get_topic

from ..conftest import Apply, application, event_types, member, only
from ..scenarios import by_type, pay, schedule, select

HEALTH, DENTAL = "E1", "D1"


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(command) for command in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def covered_from_february(apply: Apply, members: list[dict[str, Any]] | None = None) -> None:
    """A household in ConnectorCare (3B), a health plan at $150 and a dental plan at $30 for
    every member, both paid for February, March and April (April's invoice issued 5 March)."""
    members = members or [member("M1")]
    ids = [m["member_id"] for m in members]
    run(
        apply,
        application(on="2026-01-02", size=len(ids), magi="40000.00", members=members),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        {**select(HEALTH), "member_ids": ids},
        {**select(DENTAL, premium="30.00", coverage="dental"), "member_ids": ids},
    )
    for enrollment_id, premium in ((HEALTH, "150.00"), (DENTAL, "30.00")):
        run(
            apply,
            pay("2026-01-20", premium, f"{enrollment_id}-02", enrollment_id),
            pay("2026-02-20", premium, f"{enrollment_id}-03", enrollment_id),
            pay("2026-03-06", premium, f"{enrollment_id}-04", enrollment_id),
        )


def change(on: str, member_id: str = "M1", **facts: Any) -> dict[str, Any]:
    return {
        "command": "report_change",
        "on": on,
        "household_id": "H1",
        "members": [{"member_id": member_id, **facts}],
    }


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({"incarceration": "serving"}, id="incarcerated, serving a sentence"),
        pytest.param({"incarcerated": True}, id="incarcerated, as the boolean says it"),
        pytest.param({"resident": False}, id="no longer a Resident"),
    ],
)
def test_a_member_determined_ineligible_on_10_march_is_covered_through_31_march_only(
    apply: Apply, ledger: Ledger, facts: dict[str, Any]
) -> None:
    covered_from_february(apply)
    (answer,) = run(apply, change("2026-03-10", **facts))
    determined = only(answer, "EligibilityDetermined")
    assert determined["data"]["members"][0]["program"] == "ineligible"
    assert determined["data"]["members"][0]["effective_citation"] == "956 CMR 12.08(3)"
    ended = [e for e in answer["events"] if e["type"] == "MemberCoverageEnded"]
    assert [(e["data"]["member_id"], e["data"]["end_on"], e["citation"]) for e in ended] == [
        ("M1", "2026-03-31", "956 CMR 12.10(5)(c)"),
        ("M1", "2026-03-31", "956 CMR 12.16(1)(a)"),
    ]
    assert {e["data"]["determination_event_id"] for e in ended} == {determined["id"]}
    assert all(e["data"]["remaining_member_ids"] == [] for e in ended)

    (later,) = run(apply, schedule("2026-06-30"))
    types = event_types(later)
    for refused in ("PaymentMissed", "DelinquencyNoticeIssued", "CoverageTerminated"):
        assert refused not in types
    ends = by_type([later], "CoverageEnded")
    assert [(e["on"], e["data"]["reason"], e["citation"]) for e in ends] == [
        ("2026-04-01", "ineligible", "956 CMR 12.10(5)(c)"),
        ("2026-04-01", "ineligible", "956 CMR 12.16(1)(a)"),
    ]
    refunds = by_type([later], "RefundDue")
    assert sorted(e["data"]["amount"] for e in refunds) == ["150.00", "30.00"]

    coverage = queries.coverage(ledger, HEALTH)
    assert coverage["status"] == "terminated"
    assert [(s["end_on"], s["end_reason"], s["citation"]) for s in coverage["spans"]] == [
        ("2026-03-31", "ineligible", "956 CMR 12.10(5)(c)")
    ]
    assert coverage["members"] == [
        {
            "member_id": "M1",
            "end_on": "2026-03-31",
            "end_reason": "ineligible",
            "citation": "956 CMR 12.10(5)(c)",
        }
    ]
    balance = queries.balance(ledger, HEALTH)
    months = {m["month"]: m for m in balance["months"]}
    assert list(months) == ["2026-02", "2026-03", "2026-04"]
    assert (months["2026-04"]["voided"], months["2026-04"]["paid"]) == (True, "0.00")
    assert (balance["outstanding_total"], balance["refund_due"]) == ("0.00", "150.00")
    for enrollment_id in (HEALTH, DENTAL):
        assert ledger.enrollment(enrollment_id).money_account().conserved


def test_coverage_ended_for_loss_of_eligibility_does_not_refuse_a_later_loss_of_coverage_period(
    apply: Apply,
) -> None:
    """The seed page refuses a loss-of-coverage period after a termination for non-payment
    ("for a reason other than not paying premiums"); an end for ineligibility is no such
    termination, even months later, with May's and June's premiums never paid."""
    covered_from_february(apply)
    run(apply, change("2026-03-10", incarceration="serving"), schedule("2026-07-31"))
    (answer,) = run(
        apply,
        {
            "command": "report_qualifying_event",
            "on": "2026-08-02",
            "household_id": "H1",
            "kind": "loss_of_coverage",
            "event_on": "2026-08-01",
        },
    )
    assert only(answer, "SpecialEnrollmentPeriodOpened")["data"]["kind"] == "loss_of_coverage"


def test_as_of_the_day_before_the_determination_coverage_had_no_end(
    apply: Apply, ledger: Ledger
) -> None:
    covered_from_february(apply)
    run(apply, change("2026-03-10", incarceration="serving"))
    before = queries.coverage(ledger, HEALTH, as_of=date(2026, 3, 9))
    assert [(s["end_on"], s["end_reason"]) for s in before["spans"]] == [(None, None)]
    assert before["members"][0]["end_on"] is None
    after = queries.coverage(ledger, HEALTH, as_of=date(2026, 3, 10))
    assert [(s["end_on"], s["end_reason"]) for s in after["spans"]] == [
        ("2026-03-31", "ineligible")
    ]


def test_incarceration_pending_disposition_keeps_the_member_covered(
    apply: Apply, ledger: Ledger
) -> None:
    """12.04(1)(b): "other than incarceration pending the disposition of charges"."""
    covered_from_february(apply)
    (answer,) = run(apply, change("2026-03-10", incarceration="pending_disposition"))
    assert only(answer, "EligibilityDetermined")["data"]["members"][0]["program"] == (
        "connectorcare"
    )
    assert "MemberCoverageEnded" not in event_types(answer)
    run(apply, pay("2026-04-20", "150.00", "E1-05"), schedule("2026-04-30"))
    coverage = queries.coverage(ledger, HEALTH)
    assert (coverage["status"], coverage["spans"][0]["end_on"]) == ("active", None)
    assert coverage["paid_through"] == "2026-05-31"


def test_a_member_moving_from_connectorcare_to_non_group_stays_covered(
    apply: Apply, ledger: Ledger
) -> None:
    covered_from_february(apply)
    (answer,) = run(apply, change("2026-03-10", aptc_eligible=False))
    assert only(answer, "EligibilityDetermined")["data"]["members"][0]["program"] == "non_group"
    assert "MemberCoverageEnded" not in event_types(answer)
    assert queries.coverage(ledger, HEALTH)["spans"][0]["end_on"] is None


def test_one_member_of_two_losing_eligibility_leaves_the_other_covered_at_the_same_premium(
    apply: Apply, ledger: Ledger
) -> None:
    """A partial loss changes the premium only through `change_premium` (12.12(8)(a))."""
    covered_from_february(apply, [member("M1"), member("M2")])
    (answer,) = run(apply, change("2026-03-10", "M2", incarceration="serving"))
    ended = [e for e in answer["events"] if e["type"] == "MemberCoverageEnded"]
    assert [(e["data"]["member_id"], e["data"]["remaining_member_ids"]) for e in ended] == [
        ("M2", ["M1"]),
        ("M2", ["M1"]),
    ]
    (later,) = run(apply, schedule("2026-04-10"))
    health = str(Enrollment.id_for(HEALTH))
    invoices = [e for e in by_type([later], "InvoiceIssued") if e["aggregate_id"] == health]
    assert [(e["data"]["month"], e["data"]["amount"]) for e in invoices] == [("2026-05", "150.00")]
    assert "CoverageEnded" not in event_types(later)
    coverage = queries.coverage(ledger, HEALTH)
    assert (coverage["status"], coverage["spans"][0]["end_on"]) == ("active", None)
    assert [(m["member_id"], m["end_on"]) for m in coverage["members"]] == [
        ("M1", None),
        ("M2", "2026-03-31"),
    ]


def test_losing_eligibility_before_coverage_begins_cancels_the_selection_and_refunds_it(
    apply: Apply, ledger: Ledger
) -> None:
    run(
        apply,
        application(on="2026-01-02", magi="40000.00"),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        select(HEALTH),
        pay("2026-01-12", "150.00", "binder"),
    )
    (answer,) = run(apply, change("2026-01-14", incarceration="serving"))
    assert event_types(answer)[-3:] == ["MemberCoverageEnded", "EnrollmentCancelled", "RefundDue"]
    cancelled = only(answer, "EnrollmentCancelled")
    assert (cancelled["data"]["reason"], cancelled["citation"]) == (
        "ineligible",
        "956 CMR 12.10(5)(c)",
    )
    assert only(answer, "RefundDue")["data"]["amount"] == "150.00"
    assert queries.coverage(ledger, HEALTH)["status"] == "cancelled"
    assert ledger.enrollment(HEALTH).money_account().conserved


def test_a_delinquent_member_who_loses_eligibility_is_not_then_terminated_for_non_payment(
    apply: Apply, ledger: Ledger
) -> None:
    """April unpaid on 23 March (delinquent), then determined ineligible on 26 March: April is
    not owed, no notice follows, and coverage ends for ineligibility, not for non-payment."""
    run(
        apply,
        application(on="2026-01-02", magi="40000.00"),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        select(HEALTH),
        pay("2026-01-20", "150.00", "b"),
        pay("2026-02-20", "150.00", "m"),
    )
    (missed,) = run(apply, schedule("2026-03-24"))
    assert only(missed, "PaymentMissed")["data"]["month"] == "2026-04"
    run(apply, change("2026-03-26", incarceration="serving"))
    (later,) = run(apply, schedule("2026-07-31"))
    assert event_types(later) == ["CoverageEnded"]
    assert only(later, "CoverageEnded")["data"]["reason"] == "ineligible"
    balance = queries.balance(ledger, HEALTH)
    assert balance["outstanding_total"] == "0.00"
    assert balance["delinquency"] == {
        "first_unpaid_month": None,
        "payment_due_on": None,
        "notices": [],
    }


def test_an_application_stored_before_incarceration_codes_still_reads(
    apply: Apply, store_url: str
) -> None:
    """A member record written before `incarceration` existed holds only the boolean: read as
    such (true: serving), by a fresh ledger reading it from the store."""
    run(
        apply,
        application(
            on="2026-01-02", size=2, members=[member("M1"), member("M2", incarcerated=True)]
        ),
    )
    topic = get_topic(Household.ApplicationSubmitted)
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
        ((position, state),) = db.execute(
            "SELECT id, state FROM ledger_events WHERE topic = ?", (topic,)
        ).fetchall()
        fields = json.loads(state)
        for stored in fields["members"]:
            assert stored.pop("incarceration") in ("none", "serving")
        db.execute(
            "UPDATE ledger_events SET state = ? WHERE id = ?",
            (json.dumps(fields, separators=(",", ":")).encode(), position),
        )
    fresh = build_ledger(store_url)
    try:
        answer = answer_line(
            fresh,
            json.dumps(
                {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"}
            ).encode(),
        )
        assert answer is not None and answer["ok"], answer
        results = {
            m["member_id"]: m["program"]
            for m in only(answer, "EligibilityDetermined")["data"]["members"]
        }
        assert results == {"M1": "connectorcare", "M2": "ineligible"}
    finally:
        fresh.close()


def test_money_is_conserved_when_a_loss_voids_months_paid_ahead(
    apply: Apply, ledger: Ledger
) -> None:
    covered_from_february(apply)
    run(apply, pay("2026-03-07", "300.00", "ahead"))
    run(apply, change("2026-03-10", incarceration="serving"), schedule("2026-04-30"))
    account = ledger.enrollment(HEALTH).money_account()
    assert account.conserved
    assert account.refund_due == Decimal("450.00")


def test_a_plan_selection_stored_before_metal_levels_reads_as_having_none(
    apply: Apply, store_url: str
) -> None:
    """`PlanSelected` version 1 had no `metal_level`: read (upcast) as None."""
    covered_from_february(apply)
    topic = get_topic(Enrollment.PlanSelected)
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as db:
        rows = db.execute("SELECT id, state FROM ledger_events WHERE topic = ?", (topic,))
        for position, state in rows.fetchall():
            fields = json.loads(state)
            assert fields.pop("class_version") == 2
            assert fields.pop("metal_level") is None
            db.execute(
                "UPDATE ledger_events SET state = ? WHERE id = ?",
                (json.dumps(fields, separators=(",", ":")).encode(), position),
            )
    fresh = build_ledger(store_url)
    try:
        enrollment = fresh.enrollment(HEALTH)
        assert (enrollment.metal_level, enrollment.premiums) == (None, {2026: Decimal("150.00")})
        (selected,) = [
            e
            for e in fresh.aggregate_events(Enrollment.id_for(HEALTH))
            if isinstance(e, Enrollment.PlanSelected)
        ]
        assert selected.metal_level is None
    finally:
        fresh.close()


def test_a_plan_for_a_member_whose_own_coverage_ended_does_not_replace_the_others_plan(
    apply: Apply, ledger: Ledger
) -> None:
    """M2 lost eligibility in March (their coverage on E1 ended 31 March); regaining it, M2 is
    enrolled alone in E2 under the release's special enrollment period. E2 is no transfer of E1
    (12.10(1)): M1, still covered there, keeps E1."""
    covered_from_february(apply, [member("M1"), member("M2")])
    run(apply, change("2026-03-10", member_id="M2", incarceration="serving"))
    run(
        apply,
        change("2026-04-02", member_id="M2", incarceration="none"),
        {
            "command": "report_qualifying_event",
            "on": "2026-04-02",
            "household_id": "H1",
            "kind": "release_from_incarceration",
            "event_on": "2026-04-01",
        },
        {**select("E2", on="2026-04-03"), "member_ids": ["M2"]},
    )
    (paid,) = run(apply, pay("2026-04-10", "150.00", "E2-binder", "E2"))
    assert "CoverageEffectuated" in event_types(paid)
    assert "ReplacedByEnrollment" not in event_types(paid)
    assert ledger.enrollment(HEALTH).covers_after(date(2026, 6, 1))
