"""A small group's coverage year, through the ledger's command path into a real SQLite store: not
renewed by the day its next year's first month would be invoiced (5 March 2027 for a year from
1 April 2026 to 31 March 2027), the group and every employee end on the year's last day, no later
month is billed, the money left is due back and the money stays conserved; the end is listed for
the carriers with every employee it ends, and a renewal after it is refused. A group renewed the
day before goes on into its next year (12.04(4)(b), 45 CFR 155.725(b), (c))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.group_enrollment import GroupEnrollment, replay
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections import runner
from enrollment_ledger.projections.terminations import terminations_between

from ..conftest import Apply, count_events, event_types, only
from ..group_scenarios import a_coverage_year_paid, employer_pays
from ..scenarios import by_type, schedule

YEAR_END_DECIDED = "2027-03-05"
"""The April 2027 invoice's issue day: the year's end is decided then, not renewed."""


def a_year_paid_and_a_month_ahead() -> list[dict[str, Any]]:
    """The group (1,400.00 a month from 1 April 2026) with every month of its coverage year paid
    on the 20th of the month before, and 1,400.00 more paid ahead on 20 March 2027."""
    return [*a_coverage_year_paid(), employer_pays("2027-03-20", "1400.00", "AHEAD")]


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def renew(on: str) -> dict[str, Any]:
    return {"command": "renew_group_plan", "on": on, "group_enrollment_id": "G1"}


class TestACoverageYearNotRenewed:
    def test_the_day_before_its_next_year_is_invoiced_nothing_is_decided(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead()[:-1])
        answer = apply(schedule("2027-03-04"))
        assert "GroupCoverageYearEnded" not in event_types(answer)
        months = [m["month"] for m in queries.balance(ledger, "G1")["months"]]
        assert months[-1] == "2027-03"
        assert queries.coverage(ledger, "G1")["spans"][0]["end_on"] is None

    def test_on_that_day_the_group_and_every_employee_end_on_the_years_last_day(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead()[:-1])
        answer = apply(schedule(YEAR_END_DECIDED))
        ended = only(answer, "GroupCoverageYearEnded")
        assert ended["citation"] == "956 CMR 12.04(4)(b); 45 CFR 155.725(b), (c)"
        assert ended["data"]["coverage_year_starts_on"] == "2026-04-01"
        assert ended["data"]["coverage_year_ends_on"] == "2027-03-31"
        assert ended["data"]["employees"] == [
            {"employee_id": "EMP-1", "member_ids": ["EMP-1"]},
            {"employee_id": "EMP-2", "member_ids": ["EMP-2", "EMP-2-C"]},
        ]
        invoiced = [e["data"]["month"] for e in by_type([answer], "InvoiceIssued")]
        assert "2027-04" not in invoiced
        assert [m["month"] for m in queries.balance(ledger, "G1")["months"]][-1] == "2027-03"
        # 12.11(6) asks for a written notice only for the Connector's terminations (12.11(5))
        assert "TerminationNoticeIssued" not in event_types(answer)

    def test_the_last_invoice_is_the_years_last_month_and_the_money_ahead_is_due_back(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead())
        answer = apply(schedule("2027-04-30"))
        assert only(answer, "CoverageEnded")["data"] == {
            **only(answer, "CoverageEnded")["data"],
            "end_on": "2027-03-31",
            "reason": "coverage_year_ended",
        }
        assert only(answer, "RefundDue")["data"]["amount"] == "1400.00"
        balance = queries.balance(ledger, "G1")
        assert balance["months"][-1]["month"] == "2027-03"
        assert len(balance["months"]) == 12
        assert balance["outstanding_total"] == "0.00"
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "1400.00")
        group = replay(list(ledger.aggregate_events(GroupEnrollment.id_for("G1"))))
        assert group is not None
        account = group.money_account()
        assert account.received == Decimal("18200.00")  # 13 payments of 1,400.00
        assert account.conserved, account

    def test_the_coverage_shows_the_end_for_the_group_and_each_employee(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead(), schedule("2027-04-30"))
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "terminated"
        (span,) = coverage["spans"]
        assert (span["end_on"], span["end_reason"]) == ("2027-03-31", "coverage_year_ended")
        assert span["citation"] == "956 CMR 12.04(4)(b); 45 CFR 155.725(b), (c)"
        assert {
            e["employee_id"]: (e["status"], e["spans"][-1]["end_on"], e["spans"][-1]["end_reason"])
            for e in coverage["employees"]
        } == {
            "EMP-1": ("ended", "2027-03-31", "coverage_year_ended"),
            "EMP-2": ("ended", "2027-03-31", "coverage_year_ended"),
        }

    def test_the_end_is_listed_for_the_carriers_with_every_employee_it_ends(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead(), schedule("2027-04-30"))
        runner.run(ledger)
        (row,) = terminations_between(ledger, date(2027, 3, 1), date(2027, 3, 31))
        assert (row["enrollment_id"], row["household_id"]) == ("G1", "ACME")
        assert (row["end_on"], row["decided_on"]) == ("2027-03-31", YEAR_END_DECIDED)
        assert row["reason"] == "coverage_year_ended"
        assert row["employees"] == [
            {"employee_id": "EMP-1", "member_ids": ["EMP-1"]},
            {"employee_id": "EMP-2", "member_ids": ["EMP-2", "EMP-2-C"]},
        ]
        types = [e["type"] for e in queries.timeline(ledger, "ACME")["events"]]
        assert types.index("GroupCoverageYearEnded") < types.index("CoverageEnded")

    def test_a_renewal_asked_once_the_end_is_decided_is_refused_and_records_nothing(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead()[:-1], schedule(YEAR_END_DECIDED))
        before = count_events(ledger)
        for on in (YEAR_END_DECIDED, "2027-03-31", "2027-04-02"):
            answer = apply(renew(on))
            assert not answer["ok"], answer
            assert answer["error"]["code"] == "invalid_state"
        assert count_events(ledger) == before

    def test_a_renewal_asked_on_the_day_itself_comes_after_the_end_and_is_refused(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead()[:-1], schedule("2027-03-04"))
        before = count_events(ledger)
        answer = apply(renew(YEAR_END_DECIDED))
        assert answer["error"]["code"] == "invalid_state", answer
        assert "2027-03-31" in answer["error"]["message"]
        assert count_events(ledger) == before


class TestACoverageYearRenewed:
    def test_renewed_the_day_before_the_group_is_billed_for_its_next_year(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *a_year_paid_and_a_month_ahead()[:-1])
        renewed = only(apply(renew("2027-03-04")), "GroupRenewed")
        assert renewed["data"]["coverage_year_ends_on"] == "2028-03-31"
        answer = apply(schedule("2027-04-30"))
        assert "GroupCoverageYearEnded" not in event_types(answer)
        assert "CoverageEnded" not in event_types(answer)
        invoiced = [e["data"]["month"] for e in by_type([answer], "InvoiceIssued")]
        assert invoiced[:1] == ["2027-04"]
        assert queries.coverage(ledger, "G1")["status"] in ("active", "delinquent")

    def test_a_renewed_group_ends_with_its_next_year_when_not_renewed_again(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(
            apply,
            *a_year_paid_and_a_month_ahead()[:-1],
            renew("2027-03-04"),
            employer_pays("2027-03-20", "16800.00", "NEXT-YEAR"),  # its twelve months
        )
        answer = apply(schedule("2028-03-05"))
        ended = only(answer, "GroupCoverageYearEnded")
        assert (
            ended["data"]["coverage_year_starts_on"],
            ended["data"]["coverage_year_ends_on"],
        ) == ("2027-04-01", "2028-03-31")
        assert "PaymentMissed" not in event_types(answer)
        months = [m["month"] for m in queries.balance(ledger, "G1")["months"]]
        assert (len(months), months[-1]) == (24, "2028-03")
