"""An employee's appeal of a small-group action naming them (12.13, 12.14(2)(b): "Employers and
employees may appeal"), through the ledger's command path into a real SQLite store: the
termination notice sent to the employee, 90 days after its presumed receipt; another employee's
notice, or the employer's, is recorded and dismissed (12.15(2)(b))."""

from __future__ import annotations

from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.pages import hearing_page
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, event_types, only
from ..group_scenarios import paid_through_may
from ..scenarios import by_type
from .test_small_group_law import fraud, refused, run


def notices_of_the_fraud_termination(apply: Apply) -> dict[str | None, dict[str, Any]]:
    """The group enrolled and paid through May, then ended for fraud on 10 May 2026: the written
    notices (12.11(6)) by the employee they are to (None: the employer's)."""
    run(apply, *paid_through_may())
    answer = apply(fraud("2026-05-10", "2026-05-10"))
    return {n["data"]["employee_id"]: n for n in by_type([answer], "TerminationNoticeIssued")}


def employee_appeal(notice: dict[str, Any], on: str, **more: Any) -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": on,
        "appeal_id": "AP-EMP-1",
        "employer_id": "ACME",
        "employee_id": "EMP-1",
        "appealed_event_id": notice["id"],
        "grounds": "I have worked for ACME since 2024",
        **more,
    }


class TestAnEmployeesAppealOfTheirTerminationNotice:
    def test_is_timely_on_day_90_after_presumed_receipt_and_names_the_employee(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        notices = notices_of_the_fraud_termination(apply)
        filed = only(apply(employee_appeal(notices["EMP-1"], "2026-08-13")), "EmployeeAppealFiled")
        # notice 10 May, received 15 May (5 days), day 90 is Thursday 13 August
        assert filed["data"]["deadline"] == "2026-08-13"
        assert filed["data"]["timely"] is True
        assert filed["data"]["deadline_citation"].startswith("956 CMR 12.14(2)(b)")
        assert (filed["data"]["employer_id"], filed["data"]["employee_id"]) == ("ACME", "EMP-1")
        assert filed["citation"] == "956 CMR 12.13(1)"
        packet = queries.hearing(ledger, "AP-EMP-1")
        assert (packet["employer_id"], packet["employee_id"]) == ("ACME", "EMP-1")
        assert packet["appealed_event"]["id"] == notices["EMP-1"]["id"]
        assert packet["appeal"]["status"] == "pending"
        timeline = queries.timeline(ledger, "ACME")
        assert "EmployeeAppealFiled" in [e["type"] for e in timeline["events"]]
        page = hearing_page(ledger, "AP-EMP-1")
        assert '<dd id="appellant">employee EMP-1 of employer ACME</dd>' in page

    def test_is_recorded_and_dismissed_as_untimely_on_day_91(self, apply: Apply) -> None:
        notices = notices_of_the_fraud_termination(apply)
        answer = apply(employee_appeal(notices["EMP-1"], "2026-08-14"))
        assert event_types(answer) == [
            "EmployerAppealLinked",
            "EmployeeAppealFiled",
            "AppealDismissed",
        ]
        assert only(answer, "EmployeeAppealFiled")["data"]["timely"] is False
        assert only(answer, "AppealDismissed")["citation"] == "956 CMR 12.15(2)(a)"

    def test_is_decided_as_an_employers_appeal_is(self, apply: Apply, ledger: Ledger) -> None:
        notices = notices_of_the_fraud_termination(apply)
        run(apply, employee_appeal(notices["EMP-1"], "2026-06-01"))
        decision = {"command": "decide_appeal", "on": "2026-07-01", "appeal_id": "AP-EMP-1"}
        decided = only(apply({**decision, "outcome": "upheld"}), "AppealDecided")
        assert decided["data"]["outcome"] == "upheld"
        packet = queries.hearing(ledger, "AP-EMP-1")
        assert (packet["appeal"]["status"], packet["employee_id"]) == ("decided", "EMP-1")


class TestAnEmployeesAppealOfAnActionNotAboutThem:
    """Contract: "an untimely or non-appealable one is recorded and dismissed (12.13-12.15)";
    12.15(2)(b): an appeal of an action that is not the appellant's to appeal is dismissed."""

    def test_of_another_employees_notice_is_recorded_and_dismissed(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        notices = notices_of_the_fraud_termination(apply)
        answer = apply(employee_appeal(notices["EMP-2"], "2026-06-01"))
        assert event_types(answer) == [
            "EmployerAppealLinked",
            "EmployeeAppealFiled",
            "AppealDismissed",
        ]
        dismissed = only(answer, "AppealDismissed")
        assert dismissed["citation"] == "956 CMR 12.15(2)(b)"
        reason = dismissed["data"]["reason"]
        assert "does not name employee EMP-1" in reason and "12.14(2)(b)" in reason
        assert queries.hearing(ledger, "AP-EMP-1")["appeal"]["status"] == "dismissed"

    def test_of_the_notice_sent_to_the_employer_is_recorded_and_dismissed(
        self, apply: Apply
    ) -> None:
        notices = notices_of_the_fraud_termination(apply)
        answer = apply(employee_appeal(notices[None], "2026-06-01"))
        assert only(answer, "AppealDismissed")["citation"] == "956 CMR 12.15(2)(b)"

    def test_of_the_notice_naming_them_is_not_dismissed(self, apply: Apply) -> None:
        notices = notices_of_the_fraud_termination(apply)
        answer = apply(employee_appeal(notices["EMP-1"], "2026-06-01"))
        assert "AppealDismissed" not in event_types(answer)

    def test_without_the_employer_that_employs_them(self, apply: Apply) -> None:
        notices = notices_of_the_fraud_termination(apply)
        command = employee_appeal(notices["EMP-1"], "2026-06-01")
        del command["employer_id"]
        assert refused(apply, command)["code"] == "missing_field"
