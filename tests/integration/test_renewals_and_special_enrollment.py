"""Annual renewal (12.07(1)), qualifying events and automatic special enrollment periods
(12.10(1)(a)-(f); the special-enrollment-periods page), plan changes without a gap, and a new
dependent's coverage from the date of the event (12.10(3))."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events, event_types, member, only
from ..scenarios import by_type, household_commands, pay, schedule, select

KINDS = [
    "marriage",
    "new_dependent",
    "loss_of_coverage",
    "permanent_move",
    "release_from_incarceration",
    "newly_lawfully_present",
    "exchange_error",
    "exceptional_circumstances",
    "opp_waiver",
]


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def qualifying(kind: str, on: str, event_on: str | None = None) -> dict[str, Any]:
    command = {"command": "report_qualifying_event", "on": on, "household_id": "H1", "kind": kind}
    if event_on is not None:
        command["event_on"] = event_on
    return command


def non_group_household(apply: Apply) -> None:
    """Not APTC-eligible: no automatic special enrollment period (12.10(1)(b)-(d))."""
    run(apply, *household_commands(aptc_eligible=False, determined_on="2026-03-02"))


@pytest.mark.parametrize("kind", KINDS)
def test_each_qualifying_event_opens_sixty_days_from_the_event(
    apply: Apply, ledger: Ledger, kind: str
) -> None:
    """12.10(1)(a): a plan may be chosen within 60 days of the event, not on day 61."""
    non_group_household(apply)
    answer = apply(qualifying(kind, on="2026-04-01", event_on="2026-03-20"))
    sep = only(answer, "SpecialEnrollmentPeriodOpened")
    assert sep["data"]["kind"] == kind
    assert sep["data"]["end_on"] == "2026-05-19"
    assert sep["citation"] == "956 CMR 12.10(1)(a)"
    assert apply(select("E-in", on="2026-05-19"))["ok"]
    late = apply(select("E-out", on="2026-05-20"))
    assert late["error"]["code"] == "outside_enrollment_period"


def test_an_event_reported_after_its_sixty_days_is_a_recorded_refusal_opening_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    """12.13(3): the refusal is a decision recorded so that it can be appealed (issue 17); it
    opens no period."""
    non_group_household(apply)
    answer = apply(qualifying("marriage", on="2026-06-01", event_on="2026-03-20"))
    assert event_types(answer) == ["SpecialEnrollmentPeriodDenied"]
    denied = answer["events"][0]["data"]
    assert (denied["reason"], denied["end_on"]) == ("reported_after_sixty_days", "2026-05-19")
    assert apply(select("E1", on="2026-06-02"))["error"]["code"] == "outside_enrollment_period"


def test_a_loss_of_coverage_for_non_payment_is_a_recorded_refusal(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "b"))
    run(apply, pay("2026-02-20", "150.00", "m"), schedule("2026-07-31"))
    answer = apply(qualifying("loss_of_coverage", on="2026-08-01"))
    denied = only(answer, "SpecialEnrollmentPeriodDenied")
    assert (denied["data"]["reason"], denied["data"]["enrollment_ids"]) == (
        "coverage_lost_for_non_payment",
        ["E1"],
    )
    assert "SpecialEnrollmentPeriodOpened" not in event_types(answer)


def test_ai_an_members_may_change_once_per_calendar_month(apply: Apply, ledger: Ledger) -> None:
    """The second change in March is refused, and the refusal recorded (12.13(3)): no enrollment
    is made; April allows a change again."""
    non_group_household(apply)
    run(apply, qualifying("ai_an_monthly", on="2026-03-05"))
    assert apply(select("E1", on="2026-03-10"))["ok"]
    second = apply(select("E2", on="2026-03-20"))
    assert event_types(second) == ["SpecialEnrollmentPeriodDenied"]
    denied = second["events"][0]["data"]
    assert (denied["reason"], denied["enrollment_ids"], denied["member_ids"]) == (
        "ai_an_change_already_made_this_month",
        ["E1"],
        ["M1"],
    )
    # E2 was never made: the same enrollment id is free for April's change
    assert (
        only(apply(select("E2", on="2026-04-02")), "PlanSelected")["data"]["enrollment_id"] == "E2"
    )


def test_a_plan_type_change_and_a_move_to_aptc_only_open_periods(apply: Apply) -> None:
    """12.10(1)(c) and (d)."""
    run(apply, *household_commands())
    change = apply(
        command="report_change", on="2026-04-10", household_id="H1", annual_magi="30000.00"
    )
    assert only(change, "SpecialEnrollmentPeriodOpened")["citation"] == "956 CMR 12.10(1)(c)"
    to_aptc = apply(
        command="report_change", on="2026-05-10", household_id="H1", annual_magi="90000.00"
    )
    assert only(to_aptc, "SpecialEnrollmentPeriodOpened")["citation"] == "956 CMR 12.10(1)(d)"


def test_a_plan_change_in_a_period_ends_the_old_enrollment_without_a_gap(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands(), select(), pay("2026-01-20", "150.00", "b"))
    run(apply, pay("2026-02-20", "150.00", "m"), pay("2026-03-20", "150.00", "a"))
    run(
        apply,
        {
            "command": "report_change",
            "on": "2026-04-10",
            "household_id": "H1",
            "annual_magi": "30000.00",
        },
    )
    run(apply, select("E2", on="2026-04-12", premium="90.00"))
    answer = apply(pay("2026-04-20", "90.00", "b2", enrollment_id="E2"))
    (replaced,) = [e for e in answer["events"] if e["type"] == "ReplacedByEnrollment"]
    assert replaced["data"]["end_on"] == "2026-04-30"
    old = queries.coverage(ledger, "E1")["spans"][0]
    new = queries.coverage(ledger, "E2")["spans"][0]
    assert (old["end_on"], new["start_on"]) == ("2026-04-30", "2026-05-01")
    assert old["end_reason"] == "plan_change"


class TestRenewal:
    def renewal(self, magi: str = "30000.00") -> dict[str, Any]:
        return {
            "command": "submit_renewal",
            "on": "2026-11-10",
            "household_id": "H1",
            "plan_year": 2027,
            "household_size": 1,
            "annual_magi": magi,
            "members": [member("M1")],
        }

    def paid_through_november(self, apply: Apply) -> None:
        run(apply, *household_commands(), select(), pay("2026-01-20", "1650.00", "year"))

    def test_a_renewal_determines_the_coming_year_from_1_january_with_that_years_fpl(
        self, apply: Apply
    ) -> None:
        self.paid_through_november(apply)
        answer = apply(self.renewal())
        determined = only(answer, "EligibilityDetermined")
        assert determined["data"]["plan_year"] == 2027
        assert determined["data"]["fpl_amount"] == "15960.00"
        (result,) = determined["data"]["members"]
        assert result["effective_on"] == "2027-01-01"
        assert result["plan_type"] == "2B"  # 30,000 / 15,960 = 187.97%

    def test_a_renewal_for_the_plan_year_in_progress_is_refused_and_coverage_kept(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.07(1): the yearly review is for the coming plan year. One for 2026 in June 2026
        would determine from 1 January, back over months covered and paid."""
        self.paid_through_november(apply)
        before = count_events(ledger)
        answer = apply({**self.renewal(), "on": "2026-06-10", "plan_year": 2026})
        assert answer["error"]["code"] == "invalid_field"
        assert "12.07(1)" in answer["error"]["message"]
        assert count_events(ledger) == before
        assert queries.coverage(ledger, "E1")["status"] == "active"

    def test_an_application_for_a_plan_year_already_ended_is_refused(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        (application, _) = household_commands("H2", plan_year=2025)
        answer = apply({**application, "on": "2026-06-10"})
        assert answer["error"]["code"] == "invalid_field"
        assert "plan year 2025 ended" in answer["error"]["message"]
        assert count_events(ledger) == 0

    def test_a_change_after_the_renewal_is_determined_for_the_plan_year_in_progress_too(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.09(2), 12.08(3): reported on 10 November, after the renewal for 2027, the loss of
        eligibility takes effect on 1 December for 2026 (coverage ends 30 November), and on
        1 January for 2027; a hearing recomputes the 2026 determination from the 2026 facts."""
        self.paid_through_november(apply)
        run(apply, self.renewal())
        change = {
            "command": "report_change",
            "on": "2026-11-10",
            "household_id": "H1",
            "members": [{"member_id": "M1", "lawfully_present": False}],
        }
        answer = apply(change)
        determined = by_type([answer], "EligibilityDetermined")
        assert [(d["data"]["plan_year"], d["effective_on"]) for d in determined] == [
            (2026, "2026-12-01"),
            (2027, "2027-01-01"),
        ]
        assert {d["data"]["members"][0]["program"] for d in determined} == {"ineligible"}
        span = queries.coverage(ledger, "E1")["spans"][0]
        assert (span["end_on"], span["end_reason"]) == ("2026-11-30", "ineligible")
        appeal = {
            "command": "file_appeal",
            "on": "2026-11-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": determined[0]["id"],
            "grounds": "I am lawfully present",
        }
        run(apply, appeal)
        recomputed = queries.hearing(ledger, "A1")["recomputed"]
        assert recomputed["matches"] is True, recomputed

    def test_a_change_to_a_first_application_for_the_coming_year_is_determined_once(
        self, apply: Apply
    ) -> None:
        """No plan year in progress to determine (the household's only application is for the
        coming one): one determination, for 2027."""
        (application, determination) = household_commands(
            applied_on="2026-11-05", determined_on="2026-11-06", plan_year=2027
        )
        run(apply, application, determination)
        change = {
            "command": "report_change",
            "on": "2026-11-20",
            "household_id": "H1",
            "annual_magi": "45000.00",
        }
        determined = by_type([apply(change)], "EligibilityDetermined")
        assert [d["data"]["plan_year"] for d in determined] == [2027]

    def test_a_renewed_enrollment_bills_january_at_the_new_premium(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        self.paid_through_november(apply)
        run(apply, self.renewal())
        answer = apply(
            command="renew_enrollment",
            on="2026-11-20",
            enrollment_id="E1",
            plan_year=2027,
            monthly_premium="95.00",
        )
        renewed = only(answer, "EnrollmentRenewed")
        assert renewed["data"]["plan_type"] == "2B"
        run(apply, schedule("2026-12-31"))
        billed = {m["month"]: m["billed"] for m in queries.balance(ledger, "E1")["months"]}
        assert billed["2026-12"] == "150.00"
        assert billed["2027-01"] == "95.00"
        assert queries.coverage(ledger, "E1")["spans"][0]["end_on"] is None

    def test_an_enrollment_not_renewed_ends_on_31_december(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        self.paid_through_november(apply)
        answers = run(apply, schedule("2027-01-31"))
        (ended,) = by_type(answers, "PlanYearEnded")
        assert ended["on"] == "2026-12-05"  # the day January's invoice would be issued
        assert ended["data"]["end_on"] == "2026-12-31"
        assert not [i for i in by_type(answers, "InvoiceIssued") if i["data"]["month"] == "2027-01"]
        coverage = queries.coverage(ledger, "E1")
        assert coverage["status"] == "terminated"
        assert coverage["spans"][0]["end_reason"] == "plan_year_ended"

    def test_an_open_enrollment_plan_change_starts_on_1_january(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        self.paid_through_november(apply)
        run(apply, self.renewal())
        run(apply, select("E2", on="2026-12-10", premium="95.00"))
        run(apply, pay("2026-12-20", "95.00", "b2", enrollment_id="E2"), schedule("2027-01-31"))
        old = queries.coverage(ledger, "E1")["spans"][0]
        new = queries.coverage(ledger, "E2")["spans"][0]
        assert old["end_on"] == "2026-12-31"
        assert new["start_on"] == "2027-01-01"


def test_a_new_dependents_coverage_starts_on_the_date_of_birth(
    apply: Apply, ledger: Ledger
) -> None:
    """12.10(3): "the new dependent's effective date may alternately be the date of the birth"."""
    run(apply, *household_commands(aptc_eligible=False, determined_on="2026-03-02"))
    run(
        apply,
        {
            "command": "report_change",
            "on": "2026-03-12",
            "household_id": "H1",
            "household_size": 2,
            "members": [member("BABY", birth_date="2026-03-10", aptc_eligible=False)],
        },
        qualifying("new_dependent", on="2026-03-12", event_on="2026-03-10"),
    )
    command = select("E-baby", on="2026-03-15")
    command["member_ids"] = ["BABY"]
    run(apply, command, pay("2026-03-20", "150.00", "b", enrollment_id="E-baby"))
    coverage = queries.coverage(ledger, "E-baby")
    assert coverage["spans"][0]["start_on"] == "2026-03-10"
    assert event_types(apply(schedule("2026-04-30")))
