"""The README's Guarantees table names a test for every promise: each named test exists."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?((?:::\w+)*)`")


def guarantee_rows() -> list[str]:
    text = (ROOT / "README.md").read_text()
    table = text[text.index("## Guarantees") : text.index("Not promised:")]
    return [line for line in table.splitlines() if line.startswith("| ") and "tests/" in line]


def named_tests(row: str) -> list[tuple[str, list[str]]]:
    """(file, [class or function names]) for each reference in a row; a reference that starts
    with `::` names another test of the file named before it."""
    found: list[tuple[str, list[str]]] = []
    current: str | None = None
    for path, names in REFERENCE.findall(row):
        current = path or current
        if current is None:
            continue
        found.append((current, [n for n in names.split("::") if n]))
    return found


@functools.cache
def defined_names(path: Path) -> frozenset[str]:
    """Each file parsed once: the table names some files in hundreds of rows."""
    tree = ast.parse(path.read_text())
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


def test_the_guarantees_table_has_rows_naming_tests() -> None:
    rows = guarantee_rows()
    assert len(rows) > 40
    assert all(named_tests(row) for row in rows)


def test_every_test_the_guarantees_table_names_exists() -> None:
    missing: list[str] = []
    for row in guarantee_rows():
        for path, names in named_tests(row):
            file = ROOT / path
            if not file.exists():
                missing.append(path)
                continue
            defined = defined_names(file)
            missing.extend(f"{path}::{n}" for n in names if n not in defined)
    assert not missing, f"the README names tests that do not exist: {missing}"


def test_a_reference_to_a_missing_test_is_caught() -> None:
    row = "| x | `tests/unit/test_readme_guarantees.py::no_such_test`, `::named_tests` |"
    [(path, first), (same, second)] = named_tests(row)
    assert path == same == "tests/unit/test_readme_guarantees.py"
    defined = defined_names(ROOT / path)
    assert "no_such_test" not in defined and second == ["named_tests"]
    assert first == ["no_such_test"] and "named_tests" in defined
