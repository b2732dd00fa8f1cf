"""A newcomer reads the domain one concept at a time: no module of `src/domain` is longer than
400 lines (issue 16). A module that grows past it is split by section of 956 CMR 12.00 or by
concept, as the enrollment, the appeal and the small-group rules were."""

from __future__ import annotations

from pathlib import Path

import enrollment_ledger.domain

DOMAIN = Path(enrollment_ledger.domain.__file__).parent
MOST_LINES = 400


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_file_in_the_domain_is_over_400_lines() -> None:
    too_long = {
        path.relative_to(DOMAIN).as_posix(): lines
        for path in sorted(DOMAIN.rglob("*.py"))
        if (lines := line_count(path)) > MOST_LINES
    }
    assert too_long == {}


def test_the_size_check_reads_every_part_of_the_domain() -> None:
    read = {path.relative_to(DOMAIN).as_posix() for path in DOMAIN.rglob("*.py")}
    assert {
        "enrollment/__init__.py",
        "appeal/__init__.py",
        "rules/small_group.py",
        "ledger.py",
        "household.py",
        "commands.py",
        "rules/appeals.py",
    } <= read
    assert line_count(DOMAIN / "ledger.py") > 100
