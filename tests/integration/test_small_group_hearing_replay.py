"""An employer's hearing replayed as an individual's (12.14(2)(b)), through the ledger's command
path into a real SQLite store: the appealed employer determination decided again from the facts
held then with the policy version it applied and with the one in force on the hearing's date; a
group's termination for non-payment (or its notice) re-derived from the delinquency held then;
the hearing page shows it, naming the employer (not a household)."""

from __future__ import annotations

from datetime import date
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.pages import hearing_page
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, only
from ..group_scenarios import determine, employer_application, paid_through_may
from ..scenarios import by_type, schedule
from .test_small_group_law import run
from .test_small_group_reversals import appeal


def determined_not_engaged(apply: Apply) -> dict[str, Any]:
    """The group paid through May; a new application on 1 May says the employer is no longer
    actively engaged in business, determined not eligible on 2 May, appealed."""
    run(apply, *paid_through_may(), employer_application(on="2026-05-01", actively_engaged=False))
    determined = only(apply(determine(on="2026-05-02")), "EmployerEligibilityDetermined")
    run(apply, appeal(determined))
    return determined


class TestAnEmployerDeterminationReplayed:
    def test_is_decided_again_from_the_facts_then_with_the_same_answer(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        determined_not_engaged(apply)
        packet = queries.hearing(ledger, "AP-1")
        then = packet["recomputed"]
        assert then["policy_version"] == "2026.1"
        assert then["matches"] is True and then["differences"] == []
        assert then["decision"]["eligible"] is False
        assert [f["condition"] for f in then["decision"]["failed_conditions"]] == [
            "actively_engaged"
        ]
        assert then["citation"] == "956 CMR 12.04(4)(a)"
        assert packet["note"] is None

    def test_under_the_policy_in_force_on_the_hearings_date(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        determined_not_engaged(apply)
        packet = queries.hearing(ledger, "AP-1", on=date(2026, 6, 15))
        today = packet["current_policy"]
        assert today["policy_version"] == ledger.policy.in_force(date(2026, 6, 15)).version
        assert today["decision"] == packet["recomputed"]["decision"]

    def test_a_later_application_is_not_a_fact_held_then(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        determined_not_engaged(apply)
        run(apply, employer_application(on="2026-05-10"))  # engaged again, after the decision
        assert queries.hearing(ledger, "AP-1")["recomputed"]["decision"]["eligible"] is False

    def test_the_page_names_the_employer_and_shows_the_decision_recomputed(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        determined_not_engaged(apply)
        page = hearing_page(ledger, "AP-1")
        assert "Employer ACME." in page and "Household ACME" not in page
        assert '<dd id="appellant">employer ACME</dd>' in page
        assert 'id="then-decision"' in page and 'id="today-decision"' in page
        assert "actively_engaged (956 CMR 12.04(4)(a)2)" in page
        assert 'id="then-matches" class="ok"' in page


class TestATerminationForNonPaymentReplayed:
    def terminated(self, apply: Apply) -> list[dict[str, Any]]:
        """June unpaid: missed on 24 May, the notice gives a payment date, unpaid by then the
        group ends on 31 May, the last month paid in full."""
        run(apply, *paid_through_may())
        return [apply(schedule("2026-07-31"))]

    def test_re_derives_the_payment_date_the_last_month_paid_and_the_end(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = self.terminated(apply)
        (notice,) = [
            n
            for n in by_type(answers, "TerminationNoticeIssued")
            if n["data"]["recipient"] == "employer"
        ]
        (warning,) = [
            n for n in by_type(answers, "DelinquencyNoticeIssued") if n["data"]["payment_due_on"]
        ]
        run(apply, appeal(notice) | {"on": "2026-07-31"})
        packet = queries.hearing(ledger, "AP-1")
        assert packet["appeal"]["status"] == "dismissed"  # 12.13 lists no non-payment
        then = packet["recomputed"]
        assert then["matches"] is True, then["differences"]
        assert then["decision"]["end_on"] == "2026-05-31"
        assert then["decision"]["first_unpaid_month"] == "2026-06"
        assert then["decision"]["last_month_paid_in_full"] == "2026-05"
        assert then["decision"]["payment_due_on"] == warning["data"]["payment_due_on"]
        assert then["citation"] == "956 CMR 12.12(12)"
