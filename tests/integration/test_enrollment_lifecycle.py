"""The enrollment lifecycle through the ledger's command path into a real SQLite store:
binder (12.10(2)-(3)), billing and delinquency (12.12(1)-(5)), reinstatement (12.12(6)),
voluntary termination (12.10(8)), dental (12.16), and the FAQ's worked example."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events, event_types
from ..scenarios import by_type, household_commands, pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def faq_scenario(apply: Apply) -> list[dict[str, Any]]:
    """ConnectorCare enrollee paying $150: binder and February, March paid; misses March 23."""
    return run(
        apply,
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule("2026-07-31"),
    )


class TestTheFaqWorkedExample:
    """connectorcare-premiums-faq.txt: "Payment missed Mar 23, 1st delinquency notice in early
    April. Payment missed April 23, 2d delinquency notice in early May ... June notice of
    termination ... retroactive to April 30. Payment for four months' premiums will be required
    to reinstate coverage"."""

    def test_notices_payment_date_and_retroactive_termination(self, apply: Apply) -> None:
        answers = faq_scenario(apply)
        missed = by_type(answers, "PaymentMissed")
        assert [m["data"]["due_on"] for m in missed][:2] == ["2026-03-23", "2026-04-23"]
        notices = by_type(answers, "DelinquencyNoticeIssued")
        # Exactly the FAQ's two notices: the payment date covers everything outstanding after.
        assert [n["on"] for n in notices] == ["2026-04-05", "2026-05-05"]
        assert notices[0]["data"]["payment_due_on"] is None
        # 12.12(4): the notice after two consecutive delinquent months gives the payment date,
        # at least 35 days after it.
        assert notices[1]["data"]["payment_due_on"] == "2026-06-09"
        (terminated,) = by_type(answers, "CoverageTerminated")
        assert terminated["on"] == "2026-06-10"  # the June notice of termination
        assert terminated["data"]["end_on"] == "2026-04-30"
        assert terminated["effective_on"] == "2026-04-30"
        assert terminated["citation"] == "956 CMR 12.12(5)"
        assert terminated["data"]["reinstatement_months"] == [
            "2026-04",
            "2026-05",
            "2026-06",
            "2026-07",
        ]

    def test_four_months_are_required_to_reinstate(self, apply: Apply, ledger: Ledger) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
        run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-06-30"))
        balance = queries.balance(ledger, "E1")
        assert balance["reinstatement_amount"] == "600.00"
        coverage = queries.coverage(ledger, "E1")
        assert coverage["status"] == "terminated"
        assert coverage["spans"] == [
            {
                "start_on": "2026-02-01",
                "end_on": "2026-04-30",
                "end_reason": "non_payment",
                "citation": "956 CMR 12.12(5)",
            }
        ]

    def test_reinstatement_with_four_months_paid_restores_coverage_without_a_gap(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
        run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-06-30"))
        run(apply, pay("2026-07-01", "600.00", "catch-up"))
        answer = apply(command="request_reinstatement", on="2026-07-02", enrollment_id="E1")
        decided = [e for e in answer["events"] if e["type"] == "ReinstatementDecided"]
        assert decided[0]["data"]["granted"] is True
        assert decided[0]["data"]["amount_required"] == "600.00"
        coverage = queries.coverage(ledger, "E1")
        assert coverage["status"] == "active"
        assert coverage["spans"][0]["start_on"] == "2026-02-01"
        assert coverage["spans"][0]["end_on"] is None
        assert coverage["paid_through"] == "2026-07-31"
        assert queries.balance(ledger, "E1")["outstanding_total"] == "0.00"

    def test_a_partial_payment_neither_cures_nor_reinstates(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
        run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-05-31"))
        run(apply, pay("2026-06-01", "150.00", "part"), schedule("2026-06-30"))
        assert queries.coverage(ledger, "E1")["status"] == "terminated"
        answer = apply(command="request_reinstatement", on="2026-07-02", enrollment_id="E1")
        (decided,) = [e for e in answer["events"] if e["type"] == "ReinstatementDecided"]
        assert decided["data"]["granted"] is False
        assert decided["data"]["amount_required"] == "600.00"
        assert decided["data"]["amount_paid"] == "150.00"
        assert queries.balance(ledger, "E1")["reinstatement_amount"] == "450.00"
        assert queries.coverage(ledger, "E1")["status"] == "terminated"

    def test_reinstatement_after_the_window_is_refused(self, apply: Apply, ledger: Ledger) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
        run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-07-31"))
        assert queries.balance(ledger, "E1")["reinstatement_amount"] is None
        run(apply, pay("2026-08-01", "600.00", "too-late"))
        answer = apply(command="request_reinstatement", on="2026-08-02", enrollment_id="E1")
        (decided,) = [e for e in answer["events"] if e["type"] == "ReinstatementDecided"]
        assert decided["data"]["granted"] is False
        assert "window" in decided["data"]["reason"]

    def test_asked_the_day_after_the_window_the_refusal_names_what_was_paid_by_its_deadline(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.12(6): the window closed on 15 July (35 days after the notice of 10 June); $600 paid
        that day, the request a day late: refused, and it says $600 was paid by the deadline
        (the credit held then, due back since), not only what lay on April."""
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
        run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-06-30"))
        run(apply, pay("2026-07-15", "600.00", "on-the-deadline"))
        answer = apply(command="request_reinstatement", on="2026-07-16", enrollment_id="E1")
        (decided,) = [e for e in answer["events"] if e["type"] == "ReinstatementDecided"]
        assert decided["data"]["granted"] is False
        assert "window" in decided["data"]["reason"]
        assert (decided["data"]["amount_required"], decided["data"]["amount_paid"]) == (
            "600.00",
            "600.00",
        )
        (refund,) = by_type([answer], "RefundDue")
        assert refund["data"]["amount"] == "450.00"

    def test_paying_all_past_due_before_the_payment_date_cures(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "binder"))
        run(apply, pay("2026-02-20", "150.00", "march"), schedule("2026-05-31"))
        # Past due on 9 June: April, May and June (due 23 May); July is billed, not yet due.
        answer = apply(pay("2026-06-09", "450.00", "cure"))
        assert "DelinquencyCured" in event_types(answer)
        answers = run(apply, schedule("2026-06-30"))
        assert not by_type(answers, "CoverageTerminated")
        # July's premium, due 23 June, was not paid: a new delinquency, not a termination.
        assert [m["data"]["month"] for m in by_type(answers, "PaymentMissed")] == ["2026-07"]
        assert queries.coverage(ledger, "E1")["spans"][0]["end_on"] is None


class TestWithoutFinancialAssistance:
    """12.12(2)-(3): terminated after the first notice's payment date, retroactive to the last
    day of the last month paid in full."""

    def test_termination_follows_the_first_notice(self, apply: Apply, ledger: Ledger) -> None:
        answers = run(
            apply,
            *household_commands(aptc_eligible=False),
            select(),
            pay("2026-01-20", "150.00", "binder"),
            pay("2026-02-20", "150.00", "march"),
            schedule("2026-06-30"),
        )
        (notice, *_rest) = by_type(answers, "DelinquencyNoticeIssued")
        assert notice["on"] == "2026-04-05"
        assert notice["data"]["payment_due_on"] == "2026-05-10"
        assert notice["citation"] == "956 CMR 12.12(2)"
        (terminated,) = by_type(answers, "CoverageTerminated")
        assert terminated["on"] == "2026-05-11"
        assert terminated["data"]["end_on"] == "2026-03-31"
        assert terminated["citation"] == "956 CMR 12.12(3)"
        assert queries.coverage(ledger, "E1")["paid_through"] == "2026-03-31"


class TestBinder:
    """12.10(2)-(3) with the contract's binder policy."""

    def test_binder_paid_in_time_starts_coverage_on_the_first_of_next_month(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands())
        answer = apply(select(on="2026-01-10"))
        (invoice,) = [e for e in answer["events"] if e["type"] == "InvoiceIssued"]
        assert invoice["data"]["due_on"] == "2026-01-23"
        assert queries.coverage(ledger, "E1")["status"] == "pending_binder"
        paid = apply(pay("2026-01-23", "150.00", "b"))
        (effectuated,) = [e for e in paid["events"] if e["type"] == "CoverageEffectuated"]
        assert effectuated["data"]["start_on"] == "2026-02-01"
        assert queries.coverage(ledger, "E1")["status"] == "active"

    def test_a_plan_selected_after_the_23rd_starts_a_month_later(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(determined_on="2026-01-20"))
        answer = apply(select(on="2026-01-26"))
        (invoice,) = [e for e in answer["events"] if e["type"] == "InvoiceIssued"]
        assert invoice["data"]["due_on"] == "2026-02-23"
        run(apply, pay("2026-01-28", "150.00", "b"))
        assert queries.coverage(ledger, "E1")["spans"][0]["start_on"] == "2026-03-01"

    def test_a_binder_never_paid_cancels_with_no_coverage(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = run(apply, *household_commands(), select(), schedule("2026-02-28"))
        (cancelled,) = by_type(answers, "EnrollmentCancelled")
        assert cancelled["on"] == "2026-01-24"
        assert cancelled["citation"] == "956 CMR 12.10(3)"
        coverage = queries.coverage(ledger, "E1")
        assert coverage["status"] == "cancelled"
        assert coverage["spans"] == []
        assert not by_type(answers, "InvoiceIssued")[1:]

    def test_a_binder_paid_after_its_due_date_does_not_effectuate(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(), select())
        answer = apply(pay("2026-01-26", "150.00", "late"))
        assert event_types(answer) == ["EnrollmentCancelled", "PaymentRecorded", "RefundDue"]
        assert queries.coverage(ledger, "E1")["status"] == "cancelled"
        balance = queries.balance(ledger, "E1")
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "150.00")

    def test_a_zero_premium_plan_needs_no_binder(self, apply: Apply, ledger: Ledger) -> None:
        run(apply, *household_commands(magi="14000.00"))
        answer = apply(select(premium="0.00"))
        assert "CoverageEffectuated" in event_types(answer)
        assert queries.coverage(ledger, "E1")["spans"][0]["start_on"] == "2026-02-01"


class TestPayments:
    def test_the_same_payment_again_answers_its_first_recording_and_records_nothing(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(), select())
        first = apply(pay("2026-01-20", "150.00", "r1"))
        before = count_events(ledger)
        again = apply(pay("2026-01-20", "150.00", "r1"))
        assert again == first
        assert count_events(ledger) == before

    def test_a_second_payment_with_the_same_reference_is_refused_and_records_nothing(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """Issue 15: it was silently dropped (`ok` with no events); now it says so."""
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "r1"))
        before = count_events(ledger)
        again = apply(pay("2026-01-21", "150.00", "r1"))
        assert again["error"]["code"] == "duplicate_reference"
        assert count_events(ledger) == before

    def test_a_payment_is_applied_to_the_oldest_amount_owed(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "b"))
        run(apply, schedule("2026-04-10"))
        answer = apply(pay("2026-04-11", "200.00", "two"))
        (payment,) = [e for e in answer["events"] if e["type"] == "PaymentRecorded"]
        assert payment["data"]["allocations"] == [
            {"month": "2026-03", "amount": "150.00"},
            {"month": "2026-04", "amount": "50.00"},
        ]

    @pytest.mark.parametrize("amount", ["-5.00", "0.00", "0"])
    def test_a_payment_must_be_positive(self, apply: Apply, ledger: Ledger, amount: str) -> None:
        run(apply, *household_commands(), select())
        before = count_events(ledger)
        answer = apply(pay("2026-01-20", amount, "neg"))
        assert answer["ok"] is False
        assert answer["error"]["code"] == "invalid_field"
        assert count_events(ledger) == before

    def test_a_payment_to_an_unknown_enrollment_is_refused(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answer = apply(pay("2026-01-20", "10.00", "x", enrollment_id="nope"))
        assert answer["error"]["code"] == "unknown_enrollment"
        assert count_events(ledger) == 0


class TestSelection:
    def test_a_plan_for_an_ineligible_member_is_refused(self, apply: Apply, ledger: Ledger) -> None:
        from ..conftest import application, member

        run(
            apply,
            application(on="2026-01-02", members=[member("M1", lawfully_present=False)]),
            {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        )
        before = count_events(ledger)
        answer = apply(select())
        assert answer["error"]["code"] == "not_eligible"
        assert count_events(ledger) == before

    def test_a_health_plan_outside_every_enrollment_period_is_refused(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.10(1): non-group without FA gets no automatic SEP; March is outside OE."""
        run(apply, *household_commands(aptc_eligible=False, determined_on="2026-03-02"))
        before = count_events(ledger)
        answer = apply(select(on="2026-03-10"))
        assert answer["error"]["code"] == "outside_enrollment_period"
        assert count_events(ledger) == before

    def test_a_dental_plan_needs_no_enrollment_period(self, apply: Apply, ledger: Ledger) -> None:
        """12.16(3)(a), and 12.16(1)(a): an application meeting 12.04(1)(a)-(c) is enough."""
        from ..conftest import application, member

        run(apply, application(on="2026-03-02", members=[member("M1", aptc_eligible=False)]))
        answer = apply(select(on="2026-03-10", coverage="dental", premium="30.00"))
        assert answer["ok"], answer
        assert queries.coverage(ledger, "E1")["financially_assisted"] is False

    def test_dental_without_aptc_follows_the_rules_without_fa_even_for_an_fa_member(
        self, apply: Apply
    ) -> None:
        """12.16(3)(b): terminated after the first notice."""
        answers = run(
            apply,
            *household_commands(),
            select(coverage="dental", premium="30.00"),
            pay("2026-01-20", "30.00", "b"),
            schedule("2026-06-30"),
        )
        (terminated,) = by_type(answers, "CoverageTerminated")
        assert terminated["citation"] == "956 CMR 12.12(3)"
        assert terminated["data"]["end_on"] == "2026-02-28"

    def test_dental_with_aptc_applied_follows_the_fa_rules(self, apply: Apply) -> None:
        answers = run(
            apply,
            *household_commands(),
            select(coverage="dental", premium="30.00", aptc_applied="5.00"),
            pay("2026-01-20", "30.00", "b"),
            schedule("2026-06-30"),
        )
        (terminated,) = by_type(answers, "CoverageTerminated")
        assert terminated["citation"] == "956 CMR 12.12(5)"
        assert terminated["data"]["end_on"] == "2026-03-31"

    def test_an_unknown_household_is_refused(self, apply: Apply, ledger: Ledger) -> None:
        answer = apply(select(household_id="ghost"))
        assert answer["error"]["code"] == "unknown_household"
        assert count_events(ledger) == 0


class TestVoluntaryTermination:
    """12.10(8) with the cut-off on the 15th; premiums stay owed for covered months."""

    @pytest.mark.parametrize(
        ("requested_on", "end_on"),
        [("2026-04-15", "2026-04-30"), ("2026-04-16", "2026-05-31")],
    )
    def test_either_side_of_the_cutoff(
        self, apply: Apply, ledger: Ledger, requested_on: str, end_on: str
    ) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "b"))
        run(apply, pay("2026-02-20", "600.00", "ahead"))
        answer = apply(command="request_termination", on=requested_on, enrollment_id="E1")
        (requested,) = [e for e in answer["events"] if e["type"] == "VoluntaryTerminationRequested"]
        assert requested["data"]["end_on"] == end_on
        assert requested["citation"] == "956 CMR 12.10(8)"
        answers = run(apply, schedule("2026-07-31"))
        (ended,) = by_type(answers, "CoverageEnded")
        assert ended["data"]["end_on"] == end_on
        coverage = queries.coverage(ledger, "E1")
        assert coverage["status"] == "terminated"
        assert coverage["spans"][0]["end_on"] == end_on
        assert coverage["spans"][0]["end_reason"] == "voluntary"
        assert (
            queries.coverage(ledger, "E1", as_of=__import__("datetime").date(2026, 4, 20))["status"]
            == "active"
        )


class TestAVoluntaryEndDoesNotStopATerminationForNonPayment:
    """12.10(8): the requested end stands "unless coverage is terminated earlier for another reason
    unrelated to the request"; 12.12(3): coverage not paid in full by the notice's payment date
    "is terminated retroactively". Without financial assistance, $480 a month: March unpaid, the
    notice of 5 March gives 9 April; asked on 10 March to leave, coverage would end 31 March."""

    def setup_method(self) -> None:
        self.commands = [
            *household_commands(magi="96000.00", aptc_eligible=False),
            select(premium="480.00"),
            pay("2026-01-20", "480.00", "binder"),
            schedule("2026-03-09"),
            {"command": "request_termination", "on": "2026-03-10", "enrollment_id": "E1"},
        ]

    def test_unpaid_by_the_payment_date_it_is_terminated_back_to_the_last_month_paid(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = run(apply, *self.commands, schedule("2026-05-31"))
        (terminated,) = by_type(answers, "CoverageTerminated")
        assert terminated["on"] == "2026-04-10"
        assert terminated["data"]["end_on"] == "2026-02-28"
        assert terminated["citation"] == "956 CMR 12.12(3)"
        assert by_type(answers, "CoverageEnded") == []
        balance = queries.balance(ledger, "E1")
        assert balance["outstanding_total"] == "0.00"
        march = next(m for m in balance["months"] if m["month"] == "2026-03")
        assert march["outstanding"] == "0.00"
        span = queries.coverage(ledger, "E1")["spans"][0]
        assert (span["end_on"], span["end_reason"]) == ("2026-02-28", "non_payment")

    def test_paid_by_the_payment_date_the_requested_end_is_taken_once_that_date_has_passed(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = run(apply, *self.commands, pay("2026-04-09", "480.00", "march"))
        answers += run(apply, schedule("2026-05-31"))
        assert by_type(answers, "CoverageTerminated") == []
        (ended,) = by_type(answers, "CoverageEnded")
        assert (ended["data"]["end_on"], ended["data"]["reason"]) == ("2026-03-31", "voluntary")
        assert queries.balance(ledger, "E1")["outstanding_total"] == "0.00"


def test_a_refused_command_leaves_no_trace_for_the_next_command(
    apply: Apply, ledger: Ledger
) -> None:
    """Atomicity across the aggregate cache: the refused request had already caught the
    enrollment up (a cancellation) in its working copy; nothing of it may survive."""
    run(apply, *household_commands(), select())
    before = count_events(ledger)
    refused = apply(command="request_termination", on="2026-02-10", enrollment_id="E1")
    assert refused["error"]["code"] == "invalid_state"
    assert count_events(ledger) == before
    answers = run(apply, schedule("2026-02-28"))
    (cancelled,) = by_type(answers, "EnrollmentCancelled")
    assert cancelled["on"] == "2026-01-24"
