"""`apply FILE` on a terminal shows how much of the file is applied: a bar on standard error,
from `run_apply`'s progress (the bytes read after each answer printed), one by one and batched;
a pipe gets no bar (the shared `cli/progress.py` also draws `verify`'s and `projections`')."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import applying, run_apply
from enrollment_ledger.adapters.cli.progress import progress_bars

EXAMPLE = Path(__file__).parents[2] / "examples" / "connectorcare-faq.jsonl"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("batch", [1, 4])
def test_progress_is_the_bytes_read_after_each_answer_up_to_the_files_size(
    tmp_path: Path, batch: int
) -> None:
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    seen: list[int] = []
    out = io.StringIO()
    try:
        with EXAMPLE.open("rb") as stream:
            run_apply(ledger, stream, out, None, batch, seen.append)
    finally:
        ledger.close()
    answers = out.getvalue().splitlines()
    assert len(answers) == len(EXAMPLE.read_bytes().splitlines()) > 4
    assert seen == sorted(seen) and seen[0] > 0
    assert seen[-1] == EXAMPLE.stat().st_size
    # one report per answer printed, one per batch when batched
    assert len(seen) == (len(answers) if batch == 1 else -(-len(answers) // batch))


def test_a_terminal_gets_a_bar_named_after_the_file_while_the_answers_go_to_a_file(
    tmp_path: Path,
) -> None:
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    terminal, answers = _Terminal(), io.StringIO()
    try:
        with EXAMPLE.open("rb") as stream, applying(terminal, answers, "faq.jsonl", stream) as bar:
            assert bar is not None
            run_apply(ledger, stream, answers, None, 1, bar)
    finally:
        ledger.close()
    assert "applying faq.jsonl" in terminal.getvalue()
    assert "100%" in terminal.getvalue()
    assert '"ok":true' not in terminal.getvalue()  # the answers are never drawn with the bar
    assert len(answers.getvalue().splitlines()) == len(EXAMPLE.read_bytes().splitlines())


def test_no_bar_on_a_pipe_nor_while_the_answers_go_to_the_terminal() -> None:
    stream = io.BytesIO(b"")
    with applying(io.StringIO(), io.StringIO(), "f.jsonl", stream) as on_a_pipe:
        assert on_a_pipe is None
    terminal = _Terminal()
    with applying(terminal, _Terminal(), "f.jsonl", stream) as with_answers_shown:
        assert with_answers_shown is None
    assert terminal.getvalue() == ""


def test_standard_input_from_a_pipe_has_no_size_and_its_bar_shows_only_that_work_goes_on() -> None:
    terminal = _Terminal()
    with applying(terminal, io.StringIO(), "-", io.BytesIO(b'{"command": "x"}\n')) as bar:
        assert bar is not None
        bar(0)
    assert "applying standard input" in terminal.getvalue()
    assert "%" not in terminal.getvalue()


def test_the_shared_bars_draw_each_named_task_on_a_terminal_only() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    with progress_bars(terminal) as bars:
        assert bars is not None
        bars("verifying", 7, 9)
    with progress_bars(pipe) as none:
        assert none is None
    assert "verifying" in terminal.getvalue() and "7/9" in terminal.getvalue()
    assert pipe.getvalue() == ""
