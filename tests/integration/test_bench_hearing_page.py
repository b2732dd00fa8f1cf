"""The benchmark's hearing-page phase (bench/hearing_page.py) builds what it says: a household
with three plan years of history, every command accepted, and an appeal of its last
determination whose page names the appeal and draws the picture (no timing asserted here: the
benchmark measures, tests do not)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.pages import hearing_page
from enrollment_ledger.adapters.pages.model import hearing_model
from enrollment_ledger.domain.ledger import Ledger

from bench.hearing_page import PLAN_YEARS, build_history, measure_hearing_page


def quiet(message: str) -> None:
    return None


def test_the_phase_builds_a_household_with_three_plan_years_and_appeals_the_last(
    ledger: Ledger,
) -> None:
    built = build_history(ledger, households=1)
    (appeal_id,) = built.appeal_ids
    assert built.refused == {}
    assert built.plan_years_determined == {"R000": list(PLAN_YEARS)}
    packet = queries.hearing(ledger, appeal_id)
    assert packet["appealed_event"]["data"]["plan_year"] == PLAN_YEARS[-1]
    kinds = Counter(e["type"] for e in packet["timeline"])
    assert kinds["EnrollmentRenewed"] == len(PLAN_YEARS) - 1
    assert kinds["DelinquencyNoticeIssued"] == kinds["DelinquencyCured"] == len(PLAN_YEARS)
    billed = {m["month"][:4] for m in queries.balance(ledger, "E-R000-H")["months"]}
    assert billed == {str(y) for y in PLAN_YEARS}


def test_the_page_it_renders_names_the_appeal_and_draws_the_picture(ledger: Ledger) -> None:
    appeal_id = build_history(ledger, households=1).appeal_ids[0]
    page = hearing_page(ledger, appeal_id)
    assert appeal_id in page
    assert "<svg" in page
    assert len(hearing_model(ledger, appeal_id)["timeline"]) > 90


def test_the_phase_reports_the_figure_with_its_target_and_the_events_on_the_page(
    tmp_path: Path,
) -> None:
    figure, details = measure_hearing_page(tmp_path, build_ledger, quiet, renders=2, households=2)
    assert figure["name"] == "hearing.render_ms"
    assert (figure["compare"], figure["target"]) == ("<=", 200)
    assert details["renders"] == 2 and details["refused"] == {}
    assert details["plan_years_determined"] == list(PLAN_YEARS)
    assert details["page_has_svg"]
    assert f"{details['events_on_page']} events on the page" in figure["note"]
