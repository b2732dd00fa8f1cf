"""The hearing packet shows which premium applied to each month billed and why (12.12(8)(a) with
12.08; 12.10(2); 12.07(1)): `premiums_by_month`, one entry per enrollment of the household, a
new key beside the packet's others."""

from __future__ import annotations

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, only
from ..scenarios import schedule
from .test_premium_changes import change_premium, income_change, paid_through_april, run


def test_the_packet_shows_the_chosen_premium_until_the_change_and_the_determination_after_it(
    apply: Apply, ledger: Ledger
) -> None:
    paid_through_april(apply)
    (changed,) = run(apply, income_change("2026-03-10"))
    determined = only(changed, "EligibilityDetermined")["id"]
    run(
        apply,
        change_premium("2026-03-10", "60.00", determined),
        {
            "command": "file_appeal",
            "on": "2026-03-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": determined,
            "grounds": "the income was misread",
        },
        schedule("2026-04-10"),
    )
    packet = queries.hearing(ledger, "A1")
    (enrollment,) = packet["premiums_by_month"]
    assert (enrollment["enrollment_id"], enrollment["coverage"]) == ("E1", "health")
    months = {m["month"]: m for m in enrollment["months"]}
    assert list(months) == ["2026-02", "2026-03", "2026-04", "2026-05"]
    march, april, may = months["2026-03"], months["2026-04"], months["2026-05"]
    assert (march["premium"], march["basis"], march["determination_event_id"]) == (
        "150.00",
        "plan_selection",
        None,
    )
    assert march["citation"] == "956 CMR 12.10(2)"
    assert march["why"] == "the premium chosen with the plan on 2026-01-10"
    for changed_month in (april, may):
        assert (changed_month["premium"], changed_month["basis"]) == ("60.00", "premium_change")
        assert changed_month["citation"] == "956 CMR 12.12(8)(a)"
        assert changed_month["determination_event_id"] == determined
        assert changed_month["applies_from"] == "2026-04"
    assert april["billed"] == "60.00"
    assert "from April 2026" in april["why"]
    # the packet's other keys are unchanged
    assert {"appeal", "appealed_event", "facts_known", "recomputed", "timeline"} <= set(packet)
