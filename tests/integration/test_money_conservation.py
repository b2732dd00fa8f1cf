"""Money is conserved (issue 15): a payment on a month later voided goes back to the member's
credit, and once the enrollment has ended for good to `refund_due`; 12.12(3) ends coverage on
the last day of the last month paid in full at the notice's payment date. Through the ledger's
command path into a real SQLite store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, event_types, only
from ..scenarios import by_type, household_commands, pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def months(balance: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Each month's (paid, voided)."""
    return {m["month"]: (m["paid"], m["voided"]) for m in balance["months"]}


def accounted(balance: dict[str, Any]) -> Decimal:
    """Paid on months still owed + credit + refund due, as the balance shows them."""
    on_months = sum(Decimal(m["paid"]) for m in balance["months"] if not m["voided"])
    return on_months + Decimal(balance["credit"]) + Decimal(balance["refund_due"])


def refunded(event: dict[str, Any]) -> tuple[str, str]:
    return event["data"]["amount"], event["data"]["reason"]


def terminate_voluntarily_with_two_months_prepaid(apply: Apply) -> None:
    """$150 paid at $50 a month: February (the binder) and March (from credit) are paid and
    $50 is left; the request on 10 February ends coverage on 28 February."""
    run(
        apply,
        *household_commands(),
        select(premium="50.00"),
        pay("2026-01-20", "150.00", "prepaid"),
        schedule("2026-02-09"),
        {"command": "request_termination", "on": "2026-02-10", "enrollment_id": "E1"},
    )


class TestAVoidedMonthGivesItsPaymentBack:
    def test_a_prepaid_month_after_a_voluntary_termination_is_credit_until_coverage_ends(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        terminate_voluntarily_with_two_months_prepaid(apply)
        balance = queries.balance(ledger, "E1", as_of=date(2026, 2, 20))
        assert months(balance) == {"2026-02": ("50.00", False), "2026-03": ("0.00", True)}
        assert (balance["credit"], balance["refund_due"]) == ("100.00", "0.00")
        assert accounted(balance) == Decimal("150.00")

    def test_once_coverage_has_ended_the_credit_is_due_back_with_a_decision(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        terminate_voluntarily_with_two_months_prepaid(apply)
        answers = run(apply, schedule("2026-03-31"))
        (refund,) = by_type(answers, "RefundDue")
        assert refund["on"] == "2026-03-01"  # with CoverageEnded, the day after the end
        assert refunded(refund) == ("100.00", "coverage_ended")
        assert refund["citation"] == "956 CMR 12.12(1)"
        assert refund["policy_version"]
        balance = queries.balance(ledger, "E1")
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "100.00")
        assert accounted(balance) == Decimal("150.00")

    def test_a_payment_received_after_the_end_is_due_back(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        terminate_voluntarily_with_two_months_prepaid(apply)
        run(apply, schedule("2026-03-31"))
        answer = apply(pay("2026-04-02", "30.00", "after-the-end"))
        assert event_types(answer) == ["PaymentRecorded", "RefundDue"]
        assert refunded(only(answer, "RefundDue")) == ("30.00", "received_after_end")
        balance = queries.balance(ledger, "E1")
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "130.00")

    def test_a_binder_paid_then_cancelled_before_coverage_began_is_due_back_once(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.10(8): a request on 14 January ends coverage on 31 January, before its start."""
        run(apply, *household_commands(), select(), pay("2026-01-12", "150.00", "binder"))
        answer = apply(command="request_termination", on="2026-01-14", enrollment_id="E1")
        assert event_types(answer) == ["EnrollmentCancelled", "RefundDue"]
        balance = queries.balance(ledger, "E1")
        assert months(balance) == {"2026-02": ("0.00", True)}
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "150.00")

    def test_a_plan_change_gives_back_what_was_paid_for_the_replaced_months(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.10(1): E2 begins on 1 April, so E1 ends on 31 March; E1's April, paid from
        credit, is voided and the member's again."""
        run(
            apply,
            *household_commands(),
            select(premium="100.00"),
            pay("2026-01-20", "400.00", "ahead"),
            schedule("2026-03-09"),
            {
                "command": "report_qualifying_event",
                "on": "2026-03-10",
                "household_id": "H1",
                "kind": "permanent_move",
            },
            select("E2", on="2026-03-10", premium="120.00"),
            pay("2026-03-12", "120.00", "binder-2", "E2"),
        )
        replaced = queries.balance(ledger, "E1")
        assert months(replaced)["2026-04"] == ("0.00", True)
        assert replaced["credit"] == "200.00"
        answers = run(apply, schedule("2026-04-30"))
        assert [r["data"]["amount"] for r in by_type(answers, "RefundDue")] == ["200.00"]
        ended = queries.balance(ledger, "E1")
        assert (ended["credit"], ended["refund_due"]) == ("0.00", "200.00")
        assert accounted(ended) == Decimal("400.00")


def faq_with_april_and_may_paid_late_on_1_june(apply: Apply) -> None:
    """The premium FAQ's example at $90 a month: March 23 and April 23 missed, the second
    notice's payment date is 9 June; April and May are paid on 1 June, June is not."""
    run(
        apply,
        *household_commands(),
        select(premium="90.00"),
        pay("2026-01-20", "90.00", "binder"),
        pay("2026-02-20", "90.00", "march"),
        pay("2026-06-01", "180.00", "april-and-may"),
        schedule("2026-06-30"),
    )


class TestARetroactiveTerminationGivesBackTheMonthsItVoids:
    def test_may_paid_late_is_credit_during_the_reinstatement_window(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        faq_with_april_and_may_paid_late_on_1_june(apply)
        coverage = queries.coverage(ledger, "E1")
        assert coverage["spans"][0]["end_on"] == "2026-04-30"  # 12.12(5) and the FAQ, unchanged
        balance = queries.balance(ledger, "E1")
        assert months(balance)["2026-04"] == ("90.00", False)
        assert months(balance)["2026-05"] == ("0.00", True)
        assert (balance["credit"], balance["refund_due"]) == ("90.00", "0.00")
        # 12.12(6): April to July (360.00), less April paid and May's credit
        assert balance["reinstatement_amount"] == "180.00"
        assert accounted(balance) == Decimal("360.00")

    def test_the_credit_is_due_back_when_the_window_closes(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        faq_with_april_and_may_paid_late_on_1_june(apply)
        answers = run(apply, schedule("2026-07-31"))
        (refund,) = by_type(answers, "RefundDue")
        assert refund["on"] == "2026-07-16"  # the day after the window's last day
        assert refunded(refund) == ("90.00", "reinstatement_window_expired")
        balance = queries.balance(ledger, "E1")
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "90.00")
        assert queries.balance(ledger, "E1", as_of=date(2026, 7, 15))["refund_due"] == "0.00"

    def test_a_reinstatement_pays_the_months_it_restores_from_credit_oldest_first(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        faq_with_april_and_may_paid_late_on_1_june(apply)
        run(apply, pay("2026-07-01", "180.00", "june-and-july"))
        answer = apply(command="request_reinstatement", on="2026-07-02", enrollment_id="E1")
        assert only(answer, "ReinstatementDecided")["data"]["granted"] is True
        assert only(answer, "CreditApplied")["data"]["allocations"] == [
            {"month": "2026-05", "amount": "90.00"},
            {"month": "2026-06", "amount": "90.00"},
            {"month": "2026-07", "amount": "90.00"},
        ]
        balance = queries.balance(ledger, "E1")
        assert all(m["paid"] == "90.00" and not m["voided"] for m in balance["months"])
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "0.00")
        assert balance["outstanding_total"] == "0.00"

    def test_a_rescission_after_the_refund_makes_it_credit_again_for_the_restored_months(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """June's premium, received on 8 June (before the payment date) but entered after the
        window closed: everything due by 9 June was paid, so the termination is rescinded."""
        faq_with_april_and_may_paid_late_on_1_june(apply)
        run(apply, schedule("2026-07-31"))
        answer = apply(pay("2026-06-08", "90.00", "june-entered-late"))
        assert "TerminationRescinded" in event_types(answer)
        assert "RefundDue" not in event_types(answer)
        assert only(answer, "CreditApplied")["data"]["allocations"] == [
            {"month": "2026-05", "amount": "90.00"},
            {"month": "2026-06", "amount": "90.00"},
        ]
        balance = queries.balance(ledger, "E1")
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "0.00")
        assert months(balance)["2026-07"] == ("0.00", False)  # owed again, not yet paid
        assert accounted(balance) == Decimal("450.00")


class TestWithoutFinancialAssistanceCoverageEndsWithTheLastMonthPaidInFull:
    """12.12(3): "the last day of the last month for which the Enrollee has paid for coverage
    in full", judged at the notice's payment date (10 May) after the payments received by then.
    April's $450 invoice was due 23 March and missed; the notice of 5 April gives 10 May."""

    @pytest.mark.parametrize(
        ("paid_on_1_may", "end_on", "first_unpaid_month"),
        [("450.00", "2026-04-30", "2026-05"), ("449.99", "2026-03-31", "2026-04")],
    )
    def test_either_side_of_april_paid_in_full(
        self,
        apply: Apply,
        ledger: Ledger,
        paid_on_1_may: str,
        end_on: str,
        first_unpaid_month: str,
    ) -> None:
        answers = run(
            apply,
            *household_commands(aptc_eligible=False),
            select(premium="450.00"),
            pay("2026-01-20", "450.00", "binder"),
            pay("2026-02-20", "450.00", "march"),
            schedule("2026-04-30"),
            pay("2026-05-01", paid_on_1_may, "april"),
            schedule("2026-05-31"),
        )
        (notice,) = by_type(answers, "DelinquencyNoticeIssued")
        assert (notice["on"], notice["data"]["payment_due_on"]) == ("2026-04-05", "2026-05-10")
        (terminated,) = by_type(answers, "CoverageTerminated")
        assert terminated["on"] == "2026-05-11"
        assert terminated["citation"] == "956 CMR 12.12(3)"
        assert terminated["data"]["end_on"] == end_on
        assert terminated["data"]["first_unpaid_month"] == first_unpaid_month
        coverage = queries.coverage(ledger, "E1")
        assert coverage["spans"][0]["end_on"] == end_on
        assert coverage["paid_through"] == end_on
        balance = queries.balance(ledger, "E1")
        assert accounted(balance) == Decimal("900.00") + Decimal(paid_on_1_may)


class TestMoneyEnteredOutOfOrder:
    def test_a_refund_is_never_dated_before_the_payment_it_gives_back(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """A binder paid on 16 January is entered before a termination request dated 10 January
        (a late fact): the selection is cancelled as of the 10th, but the money due back was
        received on the 16th. On every day, what was received is owed, credit or due back, and
        neither credit nor refund is ever negative."""
        run(
            apply,
            *household_commands(),
            select(on="2026-01-06", premium="150.00"),
            pay("2026-01-16", "150.00", "binder"),
            {"command": "request_termination", "on": "2026-01-10", "enrollment_id": "E1"},
        )
        for day in (date(2026, 1, d) for d in (9, 10, 12, 15, 16, 17, 31)):
            balance = queries.balance(ledger, "E1", as_of=day)
            received = Decimal("150.00") if day >= date(2026, 1, 16) else Decimal("0.00")
            assert accounted(balance) == received, (day, balance)
            assert Decimal(balance["credit"]) >= 0 and Decimal(balance["refund_due"]) >= 0
        assert queries.balance(ledger, "E1")["refund_due"] == "150.00"
