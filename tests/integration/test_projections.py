"""The read models over a generated population (36 households paying on time, late, never, or
late after their termination, and 6 small employers whose groups pay on time, stop paying, or
pay late and cure): a rebuild from zero equals the incremental result, a run killed
mid-way resumes to the same result, the projected coverage and balance equal the folded ones, and
the cross-member queries (`terminations`, `delinquent`) answer what the events say."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.cli.main import main
from enrollment_ledger.domain.enrollment import DELINQUENT, Enrollment
from enrollment_ledger.domain.group_enrollment import GroupEnrollment
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections import runner, tracking
from enrollment_ledger.projections.balance import current_balance
from enrollment_ledger.projections.coverage import current_coverage
from enrollment_ledger.projections.delinquency import (
    delinquent_on,
    folded_grace_periods,
    grace_periods,
    periods_from,
)
from enrollment_ledger.projections.enrollment_views import (
    balance_view,
    coverage_view,
    fold,
    select_events,
)
from enrollment_ledger.projections.folding import Positioned, advance, fold_events
from enrollment_ledger.projections.terminations import terminations_between
from enrollment_ledger.projections.timelines import timeline_rows
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..answers import last_answer
from ..group_scenarios import determine, employer_application, enroll, select_group, waive
from ..scenarios import household_commands, pay, schedule
from ..scenarios import select as select_plan

HOUSEHOLDS = 36
ON_TIME, BINDER_ONLY, NEVER_PAID, RESCINDED, CURED = range(5)
MONTH_ENDS = ("2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31")


def behaviour(i: int) -> int:
    return i % 5


def enrollment_id(i: int) -> str:
    return f"E{i:02d}"


def premium(i: int) -> Decimal:
    return Decimal("100.00") + Decimal(i * 5)


EMPLOYERS = 6
GROUP_ON_TIME, GROUP_STOPS, GROUP_CURED = range(3)


def group_id(k: int) -> str:
    return f"G{k:02d}"


def group_behaviour(k: int) -> int:
    return k % 3


def group_commands(k: int) -> list[tuple[str, int, dict[str, Any]]]:
    """Employer k: determined eligible, its group starting 1 March (deadline 13 February, binder
    due 23 February), two employees enrolled (300.00 and 400.00 with a child) and one waived;
    then it pays every month on the 20th, stops after April, or misses May and pays it with
    June on 20 May (cured)."""
    employer, group = f"ER{k:02d}", group_id(k)
    dated = [
        employer_application(employer, on="2026-01-02"),
        determine(employer, on="2026-01-03"),
        select_group(
            group, employer_id=employer, on="2026-01-05", start="2026-03-01", deadline="2026-02-13"
        ),
        enroll(f"{employer}-A", "300.00", on="2026-01-10", group_id=group),
        enroll(
            f"{employer}-B",
            "400.00",
            on="2026-01-10",
            group_id=group,
            dependents=(f"{employer}-B-C",),
        ),
        waive(f"{employer}-C", on="2026-01-12", group_id=group),
    ]
    commands = [(c["on"], 0, c) for c in dated]
    months = {GROUP_ON_TIME: range(2, 8), GROUP_STOPS: range(2, 4), GROUP_CURED: range(2, 4)}
    for month in months[group_behaviour(k)]:
        day = f"2026-{month:02d}-20"
        commands.append((day, 0, pay(day, "700.00", f"{group}-{month}", group)))
    if group_behaviour(k) == GROUP_CURED:
        commands.append(("2026-05-20", 0, pay("2026-05-20", "1400.00", f"{group}-cure", group)))
        for month in range(6, 8):
            day = f"2026-{month:02d}-20"
            commands.append((day, 0, pay(day, "700.00", f"{group}-{month}", group)))
    return commands


def dated_commands() -> list[tuple[str, int, dict[str, Any]]]:
    """(date, order within the day, command) for every household and employer, before the late
    payments."""
    commands: list[tuple[str, int, dict[str, Any]]] = []
    for k in range(EMPLOYERS):
        commands.extend(group_commands(k))
    for i in range(HOUSEHOLDS):
        household, enrollment = f"H{i:02d}", enrollment_id(i)
        amount = str(premium(i))
        for command in household_commands(household, aptc_eligible=i % 3 != 0):
            commands.append((command["on"], 0, command))
        commands.append(
            ("2026-01-10", 0, select_plan(enrollment, household_id=household, premium=amount))
        )
        kind = behaviour(i)
        if kind == NEVER_PAID:
            continue
        commands.append(
            ("2026-01-20", 0, pay("2026-01-20", amount, f"{enrollment}-binder", enrollment))
        )
        if kind == BINDER_ONLY:
            continue
        commands.append(
            ("2026-02-20", 0, pay("2026-02-20", amount, f"{enrollment}-feb", enrollment))
        )
        if kind == ON_TIME:
            for month in range(3, 8):
                day = f"2026-{month:02d}-20"
                commands.append((day, 0, pay(day, amount, f"{enrollment}-{month}", enrollment)))
        elif kind == CURED:
            twice = str(premium(i) * 2)
            commands.append(
                ("2026-04-20", 0, pay("2026-04-20", twice, f"{enrollment}-cure", enrollment))
            )
            for month in range(5, 8):  # then on time again
                day = f"2026-{month:02d}-20"
                commands.append((day, 0, pay(day, amount, f"{enrollment}-{month}", enrollment)))
    for day in MONTH_ENDS:
        commands.append((day, 1, schedule(day)))
    return sorted(commands, key=lambda c: (c[0], c[1]))


def late_payments(ledger: Ledger) -> list[dict[str, Any]]:
    """For the RESCINDED households, terminated by now: everything owed, received on the
    notice's payment date but entered only now (a late-arriving fact)."""
    commands = []
    for i in range(HOUSEHOLDS):
        if behaviour(i) != RESCINDED:
            continue
        enrollment = ledger.enrollment(enrollment_id(i))
        assert enrollment.status == "terminated" and enrollment.payment_due_on is not None
        day = enrollment.payment_due_on.isoformat()
        owed = str(premium(i) * 8)
        commands.append(pay(day, owed, f"{enrollment_id(i)}-late", enrollment_id(i)))
    return commands


def apply_all(ledger: Ledger, commands: Sequence[dict[str, Any]]) -> None:
    for command in commands:
        answer = answer_line(ledger, json.dumps(command).encode())
        assert answer is not None and answer["ok"], (command, answer)


def build_population(ledger: Ledger, run_every: int | None = None) -> None:
    """The population; with `run_every`, the projections are caught up every so many commands
    (the incremental path), with a small batch size."""
    commands = [c for _day, _order, c in dated_commands()]
    for start in range(0, len(commands), run_every or len(commands)):
        apply_all(ledger, commands[start : start + (run_every or len(commands))])
        if run_every:
            runner.run(ledger, batch_size=37)
    apply_all(ledger, late_payments(ledger))
    if run_every:
        runner.run(ledger, batch_size=37)


def snapshot(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model's rows and every tracked position, in primary-key order."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with tracking.recorder_of(ledger).transaction(commit=False) as session:
        for table in tracking.METADATA.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            result[table.name] = [tuple(row) for row in session.execute(query).all()]
    return result


def copy_store(source: Path, target: Path) -> str:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A store built with the projections run incrementally, and their rows at the end."""
    path = tmp_path_factory.mktemp("population") / "ledger.db"
    ledger = build_ledger(f"sqlite:///{path}")
    build_population(ledger, run_every=40)
    rows = snapshot(ledger)
    ledger.close()
    yield path, rows


@pytest.fixture
def copied(population: tuple[Path, dict[str, Any]], tmp_path: Path) -> Iterator[Ledger]:
    path, _rows = population
    ledger = build_ledger(copy_store(path, tmp_path / "copy.db"))
    yield ledger
    ledger.close()


def events_of(ledger: Ledger, i: int) -> list[Any]:
    return list(ledger.aggregate_events(Enrollment.id_for(enrollment_id(i))))


def group_events_of(ledger: Ledger, k: int) -> list[Any]:
    return list(ledger.aggregate_events(GroupEnrollment.id_for(group_id(k))))


def every_enrollment(ledger: Ledger) -> list[tuple[str, list[Any]]]:
    """Each enrollment id, individual and small group, with its events."""
    individual = [(enrollment_id(i), events_of(ledger, i)) for i in range(HOUSEHOLDS)]
    groups = [(group_id(k), group_events_of(ledger, k)) for k in range(EMPLOYERS)]
    return individual + groups


class TestRebuildAndResume:
    def test_the_population_is_mixed_and_every_projection_is_at_the_head(
        self, copied: Ledger
    ) -> None:
        statuses = {queries.coverage(copied, enrollment_id(i))["status"] for i in range(HOUSEHOLDS)}
        assert {"active", "terminated", "cancelled"} <= statuses
        rows = runner.status(copied)
        assert [r["name"] for r in rows] == list(runner.NAMES)
        head = tracking.head(copied)
        assert head > 500
        assert all(r["position"] == head and r["lag"] == 0 for r in rows)
        assert {r["state"] for r in rows} == {"current"}

    def test_rebuild_from_zero_equals_the_incremental_result(
        self, copied: Ledger, population: tuple[Path, dict[str, Any]]
    ) -> None:
        _path, incremental = population
        seen: list[tuple[str, int, int]] = []
        runner.rebuild(copied, batch_size=50, progress=lambda *p: seen.append(p))
        assert snapshot(copied) == incremental
        assert {name for name, _p, _h in seen} == set(runner.PROJECTIONS)
        assert len(seen) > len(runner.PROJECTIONS)  # in several batches each

    def test_a_rebuild_with_a_tiny_fold_cache_equals_the_incremental_result(
        self, copied: Ledger, population: tuple[Path, dict[str, Any]]
    ) -> None:
        _path, incremental = population
        runner.rebuild(copied, batch_size=23, cache_size=2)
        assert snapshot(copied) == incremental

    def test_an_interrupted_rebuild_is_refused_by_run_and_finished_by_rebuilding_again(
        self,
        copied: Ledger,
        population: tuple[Path, dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        _path, incremental = population
        real = runner.PROJECTIONS["timelines"]

        class CrashesOnSecondGroup:
            name = real.name
            tables = real.tables
            groups = 0

            def process(
                self, session: Session, ledger: Ledger, batch: Sequence[Positioned]
            ) -> None:
                real.process(session, ledger, batch)
                self.groups += 1
                if self.groups == 2:
                    raise RuntimeError("killed in the middle of a rebuild")

        monkeypatch.setitem(runner.PROJECTIONS, "timelines", CrashesOnSecondGroup())
        with pytest.raises(RuntimeError):
            runner.rebuild(copied, batch_size=60)
        monkeypatch.undo()
        assert set(tracking.positions(copied).values()) == {tracking.REBUILDING}
        status = runner.status(copied)
        assert {r["state"] for r in status if r["name"] in runner.PROJECTIONS} == {"rebuilding"}
        assert {r["lag"] for r in status if r["name"] in runner.PROJECTIONS} == {
            tracking.head(copied)
        }
        assert queries.coverage(copied, enrollment_id(0))["enrollment_id"] == enrollment_id(0)
        with pytest.raises(tracking.RebuildPending):
            runner.run(copied)
        assert snapshot(copied) != incremental  # rows of the first group only
        runner.rebuild(copied, batch_size=60)
        assert snapshot(copied) == incremental
        assert set(tracking.positions(copied).values()) == {tracking.head(copied)}

    def test_projections_behind_the_others_catch_up_alone_then_join_them(
        self, copied: Ledger, population: tuple[Path, dict[str, Any]]
    ) -> None:
        _path, incremental = population
        tracking.reset(copied, *runner.PROJECTIONS.values())
        coverage_projection = runner.PROJECTIONS["coverage"]
        for _ in range(3):
            tracking.process_next_batch(copied, coverage_projection, 30)
        assert tracking.positions(copied)["coverage"] == 90
        states = {r["name"]: (r["state"], r["lag"]) for r in runner.status(copied)}
        assert states["coverage"] == ("behind", tracking.head(copied) - 90)
        seen: list[tuple[str, int, int]] = []
        runner.run(copied, batch_size=40, progress=lambda *p: seen.append(p))
        assert snapshot(copied) == incremental
        others = {name for name in runner.PROJECTIONS if name != "coverage"}
        assert {position for name, position, _h in seen if name in others} >= {40, 80, 90}
        assert all(name != "coverage" for name, position, _h in seen if position <= 90)
        together = {position for name, position, _h in seen if name == "coverage"}
        assert together and min(together) == 130  # from 90, with the others, 40 at a time

    def test_rebuilding_one_projection_leaves_the_others_alone(
        self, copied: Ledger, population: tuple[Path, dict[str, Any]]
    ) -> None:
        _path, incremental = population
        runner.rebuild(copied, "terminations")
        assert snapshot(copied) == incremental

    def test_a_failed_batch_changes_neither_the_view_nor_its_position(
        self, copied: Ledger, population: tuple[Path, dict[str, Any]]
    ) -> None:
        _path, incremental = population
        real = runner.PROJECTIONS["balance"]

        class FailsOnThirdBatch:
            name = real.name
            tables = real.tables

            def __init__(self) -> None:
                self.batches = 0

            def process(
                self, session: Session, ledger: Ledger, batch: Sequence[Positioned]
            ) -> None:
                self.batches += 1
                real.process(session, ledger, batch)
                if self.batches == 3:
                    raise RuntimeError("crash in the middle of a batch")

        tracking.reset(copied, real)
        with pytest.raises(RuntimeError):
            runner.catch_up(copied, FailsOnThirdBatch(), batch_size=20)
        assert tracking.positions(copied)["balance"] == 40
        balance_rows = snapshot(copied)["ledger_balance"]
        runner.run(copied, ["balance"], batch_size=20)
        assert len(balance_rows) < len(snapshot(copied)["ledger_balance"])
        assert snapshot(copied) == incremental

    @pytest.mark.parametrize("round_", range(3))
    def test_a_run_killed_mid_way_resumes_to_the_same_result(
        self, population: tuple[Path, dict[str, Any]], tmp_path: Path, round_: int
    ) -> None:
        """Bounded rounds of kill points chosen at random (seeded) along the log."""
        path, incremental = population
        url = copy_store(path, tmp_path / "killed.db")
        ledger = build_ledger(url)
        for projection in runner.PROJECTIONS.values():
            tracking.reset(ledger, projection)
        head = tracking.head(ledger)
        kill_at = random.Random(2026 + round_).randrange(1, max(2, head // 2))
        command = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "projections"]
        process = subprocess.Popen(
            [*command, "run", "--batch-size", "1", "--store", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while tracking.positions(ledger).get("coverage", 0) < kill_at:
                assert process.poll() is None, "the run ended before it could be killed"
                assert time.monotonic() < deadline, "the run made no progress"
                time.sleep(0.02)
            process.send_signal(signal.SIGKILL)
        finally:
            process.wait()
        assert process.returncode == -signal.SIGKILL
        interrupted = tracking.positions(ledger)
        assert 0 < interrupted["coverage"] < head
        # the projections move together: every batch wrote all their rows and positions at once
        assert {interrupted[name] for name in runner.PROJECTIONS} == {interrupted["coverage"]}
        runner.run(ledger, batch_size=100)
        assert snapshot(ledger) == incremental
        ledger.close()

    def test_a_following_run_picks_up_new_events_and_stops_on_sigterm(
        self, population: tuple[Path, dict[str, Any]], tmp_path: Path
    ) -> None:
        path, _rows = population
        url = copy_store(path, tmp_path / "follow.db")
        ledger = build_ledger(url)
        command = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", "projections"]
        process = subprocess.Popen(
            [*command, "run", "--follow", "--poll-seconds", "0.05", "--json", "--store", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            apply_all(ledger, [pay("2026-07-25", "10.00", "E00-follow", "E00")])
            head = tracking.head(ledger)
            deadline = time.monotonic() + 60
            while min(tracking.positions(ledger).values()) < head:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            process.send_signal(signal.SIGTERM)
            out, _err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert process.returncode == 0
        assert set(json.loads(out)["positions"].values()) == {head}
        assert current_balance(ledger, "E00") == queries.balance(ledger, "E00")
        ledger.close()

    def test_a_following_run_waits_for_a_rebuild_then_goes_on_from_its_head(
        self, population: tuple[Path, dict[str, Any]], tmp_path: Path
    ) -> None:
        path, incremental = population
        url = copy_store(path, tmp_path / "wait.db")
        ledger = build_ledger(url)
        tracking.reset(ledger, *runner.PROJECTIONS.values(), position=tracking.REBUILDING)
        stop = threading.Event()
        follower_ledger = build_ledger(url)
        follower = threading.Thread(
            target=runner.run,
            args=(follower_ledger,),
            kwargs={"follow": True, "poll_seconds": 0.05, "stop": stop},
        )
        follower.start()
        try:
            time.sleep(0.3)  # the follower polls, finds every projection rebuilding, waits
            assert follower.is_alive()
            assert set(tracking.positions(ledger).values()) == {tracking.REBUILDING}
            runner.rebuild(ledger)
            assert snapshot(ledger) == incremental
            apply_all(ledger, [pay("2026-07-25", "10.00", "E00-wait", "E00")])
            head = tracking.head(ledger)
            deadline = time.monotonic() + 60
            while min(tracking.positions(ledger).values()) < head:
                assert follower.is_alive() and time.monotonic() < deadline
                time.sleep(0.02)
        finally:
            stop.set()
            follower.join(timeout=60)
        assert not follower.is_alive()
        assert current_balance(ledger, "E00") == queries.balance(ledger, "E00")
        follower_ledger.close()
        ledger.close()


class TestQueriesReadTheProjectionsWhenCurrent:
    def test_projected_coverage_and_balance_equal_the_folded_ones_for_every_enrollment(
        self, copied: Ledger
    ) -> None:
        for i in range(HOUSEHOLDS):
            folded = fold(events_of(copied, i))
            assert folded is not None
            projected_coverage = current_coverage(copied, enrollment_id(i))
            projected_balance = current_balance(copied, enrollment_id(i))
            assert projected_coverage == coverage_view(folded)
            assert projected_balance == balance_view(folded)
            assert queries.coverage(copied, enrollment_id(i)) == projected_coverage
            assert queries.balance(copied, enrollment_id(i)) == projected_balance

    def test_a_projection_behind_the_head_is_not_read(self, copied: Ledger) -> None:
        apply_all(copied, [pay("2026-07-25", "10.00", "E00-extra", "E00")])
        assert current_balance(copied, "E00") is None
        assert queries.balance(copied, "E00")["credit"] == "10.00"
        runner.run(copied, ["balance"])
        assert current_balance(copied, "E00") == queries.balance(copied, "E00")
        assert current_coverage(copied, "E00") is None  # coverage was not caught up

    def test_a_point_in_time_folds_the_events(self, copied: Ledger) -> None:
        as_of = queries.coverage(copied, "E01", as_of=date(2026, 3, 1))
        assert queries.coverage(copied, "E01")["status"] == "terminated"
        assert as_of["status"] != "terminated"
        assert as_of == coverage_view(_fold_as_of(copied, 1, date(2026, 3, 1)))

    def test_queries_fold_the_events_before_any_projection_ran(self, tmp_path: Path) -> None:
        ledger = build_ledger(f"sqlite:///{tmp_path / 'fresh.db'}")
        apply_all(
            ledger,
            [
                *household_commands("H00"),
                select_plan("E00", household_id="H00"),
                pay("2026-01-20", "150.00", "binder", "E00"),
            ],
        )
        assert current_coverage(ledger, "E00") is None
        assert queries.coverage(ledger, "E00")["status"] == "active"
        ledger.close()


def _fold_as_of(ledger: Ledger, i: int, day: date) -> Enrollment:
    folded = fold(events_of(ledger, i), as_of=day)
    assert folded is not None
    return folded


class TestCrossMemberQueries:
    def test_terminations_are_every_coverage_terminated_with_rescinded_ones_flagged(
        self, copied: Ledger
    ) -> None:
        expected = []
        for i in range(HOUSEHOLDS):
            events = events_of(copied, i)
            for event in events:
                if isinstance(event, Enrollment.CoverageTerminated):
                    rescinded = any(
                        isinstance(e, Enrollment.TerminationRescinded)
                        and e.terminated_on == event.on
                        for e in events
                    )
                    expected.append(
                        (
                            enrollment_id(i),
                            event.end_on.isoformat(),
                            event.on.isoformat(),
                            rescinded,
                        )
                    )
        everything = terminations_between(copied, date(2026, 1, 1), date(2026, 12, 31))
        rows = [r for r in everything if r["household_id"].startswith("H")]
        got = [(r["enrollment_id"], r["end_on"], r["decided_on"], r["rescinded"]) for r in rows]
        assert sorted(got) == sorted(expected)
        by_kind = {behaviour(int(r["enrollment_id"][1:])) for r in rows}
        assert by_kind == {BINDER_ONLY, RESCINDED}
        for row in rows:
            assert row["rescinded"] == (behaviour(int(row["enrollment_id"][1:])) == RESCINDED)
            assert row["citation"] in ("956 CMR 12.12(3)", "956 CMR 12.12(5)")
            assert row["household_id"] == "H" + row["enrollment_id"][1:]
            assert row["employees"] == []

    def test_a_groups_termination_is_listed_with_every_employee_it_ended(
        self, copied: Ledger
    ) -> None:
        everything = terminations_between(copied, date(2026, 1, 1), date(2026, 12, 31))
        rows = [r for r in everything if r["enrollment_id"].startswith("G")]
        stopped = [group_id(k) for k in range(EMPLOYERS) if group_behaviour(k) == GROUP_STOPS]
        assert sorted(r["enrollment_id"] for r in rows) == stopped
        for row in rows:
            employer = "ER" + row["enrollment_id"][1:]
            assert row["household_id"] == employer
            assert row["citation"] == "956 CMR 12.12(12)"
            assert row["reason"] == "non_payment" and row["end_on"] == "2026-04-30"
            assert row["employees"] == [
                {"employee_id": f"{employer}-A", "member_ids": [f"{employer}-A"]},
                {
                    "employee_id": f"{employer}-B",
                    "member_ids": [f"{employer}-B", f"{employer}-B-C"],
                },
            ]

    def test_terminations_select_by_decision_date_or_by_end_date(self, copied: Ledger) -> None:
        everything = terminations_between(copied, date(2026, 1, 1), date(2026, 12, 31))
        start, end = date(2026, 4, 1), date(2026, 4, 30)
        for by in ("decided_on", "end_on"):
            expected = [r for r in everything if start.isoformat() <= r[by] <= end.isoformat()]
            assert terminations_between(copied, start, end, by=by) == expected
        decided = terminations_between(copied, start, end)
        ending = terminations_between(copied, start, end, by="end_on")
        assert decided and ending and decided != ending  # retroactive: decided after the end

    def test_delinquent_answers_what_folding_every_enrollment_as_of_the_day_answers(
        self, copied: Ledger
    ) -> None:
        day = date(2026, 2, 1)
        checked = 0
        enrollments = every_enrollment(copied)
        groups_seen: set[str] = set()
        while day <= date(2026, 8, 15):
            expected = {}
            for name, events in enrollments:
                as_of = fold_events(select_events(events, as_of=day))
                folded = as_of.state if as_of is not None else None
                if folded is not None and folded.status == DELINQUENT:
                    due = folded.payment_due_on
                    assert folded.first_unpaid_month is not None
                    expected[name] = (
                        f"{folded.first_unpaid_month:%Y-%m}",
                        due.isoformat() if due else None,
                    )
            got = {
                r["enrollment_id"]: (r["first_unpaid_month"], r["payment_due_on"])
                for r in delinquent_on(copied, day)
            }
            assert got == expected, day
            checked += len(got)
            groups_seen |= {name for name in got if name.startswith("G")}
            day += timedelta(days=3)
        assert checked > 0
        stopped_or_cured = {group_id(k) for k in range(EMPLOYERS) if group_behaviour(k) != 0}
        assert groups_seen == stopped_or_cured

    def test_grace_periods_read_off_one_fold_equal_those_folded_day_by_day(
        self, copied: Ledger
    ) -> None:
        """Every prefix of every enrollment's events (late-arriving payments included): the
        periods read off one fold in version order at each day boundary, or folded day by day
        when a business date went backwards, equal the per-day fold's; so does folding forward
        a few events at a time (as batches do)."""
        went_backwards = read_off_one_fold = 0
        for i in range(HOUSEHOLDS):
            events = events_of(copied, i)
            if not any(isinstance(e, Enrollment.PaymentMissed) for e in events):
                continue
            for k in range(1, len(events) + 1):
                prefix = events[:k]
                expected = grace_periods(prefix)
                folded = fold_events(prefix)
                assert folded is not None
                assert folded_grace_periods(folded, lambda p=prefix: p) == expected, (i, k)
                if folded.ordered:
                    assert periods_from(folded.day_keys()) == expected, (i, k)
                    read_off_one_fold += bool(expected)
                else:
                    went_backwards += 1
            stepped = fold_events(events[:1])
            assert stepped is not None
            for start in range(1, len(events), 3):
                advance(stepped, events[start : start + 3])
            whole = fold_events(events)
            assert whole is not None
            assert (stepped.ordered, stepped.day_keys()) == (whole.ordered, whole.day_keys())
            assert balance_view(stepped.state) == balance_view(whole.state)
            assert folded_grace_periods(stepped, lambda e=events: e) == grace_periods(events)
        assert went_backwards > 0 and read_off_one_fold > 0

    def test_a_cured_enrollment_is_delinquent_only_until_it_pays(self, copied: Ledger) -> None:
        cured = [enrollment_id(i) for i in range(HOUSEHOLDS) if behaviour(i) == CURED]
        in_april = {r["enrollment_id"]: r for r in delinquent_on(copied, date(2026, 4, 10))}
        assert set(cured) <= set(in_april)
        assert all(in_april[e]["first_unpaid_month"] == "2026-04" for e in cured)
        after = {r["enrollment_id"] for r in delinquent_on(copied, date(2026, 4, 21))}
        assert not set(cured) & after

    def test_household_timelines_list_every_event_of_the_household_in_store_order(
        self, copied: Ledger
    ) -> None:
        for i in range(HOUSEHOLDS):
            household = copied.household(f"H{i:02d}")
            positions = [p for p, _e in copied.household_events(household)]
            rows = timeline_rows(copied, f"H{i:02d}")
            assert [r["position"] for r in rows] == positions

    def test_an_employers_timeline_lists_the_employer_its_group_and_its_employees_coverage(
        self, copied: Ledger
    ) -> None:
        for k in range(EMPLOYERS):
            employer = copied.employer(f"ER{k:02d}")
            positions = [p for p, _e in copied.employer_events(employer)]
            rows = timeline_rows(copied, f"ER{k:02d}")
            assert [r["position"] for r in rows] == positions
            types = {r["type"] for r in rows}
            assert {"EmployerOpened", "GroupPlanSelected", "EmployeeEnrolled"} <= types
            assert queries.timeline(copied, f"ER{k:02d}")["events"][0]["type"] == "EmployerOpened"

    def test_a_groups_projected_coverage_and_balance_are_its_folded_ones_with_employees(
        self, copied: Ledger
    ) -> None:
        for k in range(EMPLOYERS):
            projected_coverage = current_coverage(copied, group_id(k))
            projected_balance = current_balance(copied, group_id(k))
            assert projected_coverage is not None and projected_balance is not None
            assert projected_coverage == queries.coverage(
                copied, group_id(k), as_of=date(2099, 1, 1)
            )
            assert projected_balance == queries.balance(copied, group_id(k), as_of=date(2099, 1, 1))
            assert len(projected_coverage["employees"]) == 2
            expected = "terminated" if group_behaviour(k) == GROUP_STOPS else "active"
            assert projected_coverage["status"] == expected


class TestTheCommandLine:
    def test_status_run_rebuild_and_the_queries_through_the_cli(
        self,
        population: tuple[Path, dict[str, Any]],
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        path, _rows = population
        url = copy_store(path, tmp_path / "cli.db")
        assert main(["projections", "rebuild", "delinquency", "--json", "--store", url]) == 0
        assert json.loads(capsys.readouterr().out)["positions"]["delinquency"] > 0
        assert main(["projections", "status", "--json", "--store", url]) == 0
        status = json.loads(capsys.readouterr().out)
        assert {r["lag"] for r in status} == {0}
        assert main(["projections", "run", "coverage", "balance", "--store", url]) == 0
        capsys.readouterr()
        args = ["terminations", "--from", "2026-01-01", "--to", "2026-12-31", "--json"]
        assert main([*args, "--store", url]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer["by"] == "decided_on" and len(answer["terminations"]) > 0
        assert main(["delinquent", "--as-of", "2026-04-10", "--json", "--store", url]) == 0
        delinquent = json.loads(capsys.readouterr().out)["delinquent"]
        assert {"enrollment_id", "first_unpaid_month", "payment_due_on"} <= set(delinquent[0])
        assert main(["delinquent", "--as-of", "2026-04-10", "--store", url]) == 0
        assert "grace period" in capsys.readouterr().out
        assert main(["projections", "run", "nope", "--store", url]) == 2
        assert last_answer(capsys.readouterr().out)["error"]["code"] == "unknown_projection"

    def test_run_and_the_cross_member_queries_refuse_an_interrupted_rebuild(
        self,
        population: tuple[Path, dict[str, Any]],
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        path, _rows = population
        url = copy_store(path, tmp_path / "cli.db")
        ledger = build_ledger(url)
        tracking.reset(ledger, runner.PROJECTIONS["delinquency"], position=tracking.REBUILDING)
        ledger.close()
        for args in (["projections", "run"], ["delinquent", "--as-of", "2026-04-10"]):
            assert main([*args, "--store", url]) == 2
            error = last_answer(capsys.readouterr().out)["error"]
            assert error["code"] == "rebuild_pending" and "delinquency" in error["message"]
        assert main(["projections", "rebuild", "delinquency", "--store", url]) == 0
        capsys.readouterr()
        assert main(["delinquent", "--as-of", "2026-04-10", "--json", "--store", url]) == 0
        assert json.loads(capsys.readouterr().out)["delinquent"]


class TestOnPostgres:
    def test_rebuild_from_zero_equals_the_incremental_result_on_postgresql(
        self, pg_store_url: str
    ) -> None:
        ledger = build_ledger(pg_store_url)
        build_population(ledger, run_every=60)
        incremental = snapshot(ledger)
        assert len(incremental["ledger_terminations"]) > 0
        runner.rebuild(ledger, batch_size=45)
        assert snapshot(ledger) == incremental
        for i in range(0, HOUSEHOLDS, 4):
            folded = fold(events_of(ledger, i))
            assert folded is not None
            assert queries.balance(ledger, enrollment_id(i)) == balance_view(folded)
            assert current_balance(ledger, enrollment_id(i)) is not None
        ledger.close()
