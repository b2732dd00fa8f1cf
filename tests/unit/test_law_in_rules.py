"""All law in rules/: no citation of the regulation is written outside `src/domain/rules/`; the
aggregates, use cases, hearing and policy take their citations from the rules' constants.

The files' text is scanned for a string literal that begins with "956 CMR" (a citation written in
place); prose that mentions the regulation in a docstring or a message is not a citation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import enrollment_ledger.domain
import pytest

DOMAIN = Path(enrollment_ledger.domain.__file__).parent
CITATION_LITERAL = re.compile(r"""["']956 CMR""")


def outside_rules() -> list[Path]:
    return sorted(
        path for path in DOMAIN.rglob("*.py") if "rules" not in path.relative_to(DOMAIN).parts
    )


def files() -> list[Any]:
    params = []
    for path in outside_rules():
        name = path.relative_to(DOMAIN).as_posix()
        params.append(pytest.param(path, id=name))
    return params


def citations_written_in(text: str) -> list[str]:
    return [
        f"line {number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if CITATION_LITERAL.search(line)
    ]


@pytest.mark.parametrize("path", files())
def test_no_citation_of_the_regulation_is_written_outside_rules(path: Path) -> None:
    assert citations_written_in(path.read_text(encoding="utf-8")) == []


def test_the_scan_reads_the_aggregates_the_use_cases_and_the_policy() -> None:
    names = {path.relative_to(DOMAIN).as_posix() for path in outside_rules()}
    assert {"household.py", "appeal/__init__.py", "ledger.py", "hearing.py", "policy.py"} <= names
    assert {"enrollment/__init__.py", "enrollment/delinquency.py", "enrollment/billing.py"} <= names
    assert not any(name.startswith("rules/") for name in names)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        pytest.param('citation="956 CMR 12.06",', True, id="a citation in double quotes: found"),
        pytest.param("citation='956 CMR 12.06',", True, id="in single quotes: found"),
        pytest.param('raise NotEligible(f"956 CMR 12.04 refuses it")', True, id="an f-string beginning with it: found"),
        pytest.param('"""The Household aggregate: applications (12.06)."""', False, id="a docstring naming clauses: not found"),
        pytest.param('source = "HHS poverty guidelines (956 CMR 12.03)"', False, id="prose mentioning the regulation: not found"),
        pytest.param("citation=rules.APPLICATION,", False, id="a rule's constant: not found"),
    ],
)  # fmt: skip
def test_the_scan_finds_a_citation_written_in_place_and_nothing_else(
    text: str, found: bool
) -> None:
    assert bool(citations_written_in(text)) is found
