"""The arrows between the ledger's layers point in: the domain at the centre imports no read model
and no edge; the read models (`projections`) import the domain, never an adapter; the adapters
sit at the edge. `runtime` (garbage collection, store outages, signals, column types) is neutral
ground both outer layers stand on: it imports nothing of the ledger. And the HTTP adapter answers
commands through the adapters' shared module, not through the command line.

Each module is imported (so a module the walk cannot load fails here too) and its source read
for every import statement, at module level or inside a function, relative imports resolved.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = "enrollment_ledger"


def modules_under(package_name: str) -> list[str]:
    """The package and every module below it, by dotted name."""
    package = importlib.import_module(package_name)
    found = [package_name]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        found.append(info.name)
    return found


def imported_modules(module: ModuleType) -> set[str]:
    """Every module name an import statement of `module` names (for `from X import y`, both X
    and X.y, since y may be a module), relative imports resolved against its package."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    package = module.__package__ or ""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            written = "." * node.level + (node.module or "")
            base = importlib.util.resolve_name(written, package) if node.level else written
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def reaching(module_name: str, layers: tuple[str, ...]) -> list[str]:
    """The imports of the module that fall in any of `layers` (dotted package names)."""
    names = imported_modules(importlib.import_module(module_name))
    return sorted(
        n for n in names if any(n == layer or n.startswith(f"{layer}.") for layer in layers)
    )


ADAPTERS = f"{ROOT}.adapters"
PROJECTIONS = f"{ROOT}.projections"
DOMAIN = f"{ROOT}.domain"
RUNTIME = f"{ROOT}.runtime"


def test_the_walk_sees_relative_imports_inside_functions_and_at_module_level() -> None:
    runner = imported_modules(importlib.import_module(f"{PROJECTIONS}.runner"))
    assert f"{DOMAIN}.ledger" in runner  # `from ..domain.ledger import Ledger`
    assert f"{PROJECTIONS}.folding" in runner  # `from .folding import ...`
    cli = imported_modules(importlib.import_module(f"{ADAPTERS}.cli.projections"))
    assert f"{PROJECTIONS}.runner" in cli  # `from ...projections import runner`, in a function


@pytest.mark.parametrize("module_name", modules_under(PROJECTIONS))
def test_no_read_model_module_imports_an_adapter(module_name: str) -> None:
    assert reaching(module_name, (ADAPTERS,)) == []


@pytest.mark.parametrize("module_name", modules_under(DOMAIN))
def test_the_domain_imports_neither_read_models_nor_adapters_nor_the_runtime(
    module_name: str,
) -> None:
    assert reaching(module_name, (PROJECTIONS, ADAPTERS, RUNTIME)) == []


@pytest.mark.parametrize("module_name", modules_under(RUNTIME))
def test_the_runtime_imports_nothing_of_the_ledger(module_name: str) -> None:
    assert reaching(module_name, (DOMAIN, PROJECTIONS, ADAPTERS)) == []


@pytest.mark.parametrize("module_name", modules_under(f"{ADAPTERS}.http"))
def test_the_http_adapter_does_not_import_the_command_line(module_name: str) -> None:
    assert reaching(module_name, (f"{ADAPTERS}.cli",)) == []


# ---- inside the domain: no import circles between the ledger and its use cases, the rules and
# the policy values (issue 16). An import under `TYPE_CHECKING` counts: it is an arrow too.

HANDLERS = f"{DOMAIN}.handlers"
LEDGER = f"{DOMAIN}.ledger"
RULES = f"{DOMAIN}.rules"
POLICY = f"{DOMAIN}.policy"


def test_the_ledger_imports_the_use_cases_it_runs() -> None:
    assert reaching(LEDGER, (HANDLERS,)) != []
    assert reaching(POLICY, (RULES,)) != []  # the policy values cite the rules' clauses


@pytest.mark.parametrize("module_name", [*modules_under(HANDLERS), f"{DOMAIN}.payment_references"])
def test_no_use_case_imports_the_ledger_that_runs_it(module_name: str) -> None:
    assert reaching(module_name, (LEDGER,)) == []


@pytest.mark.parametrize("module_name", modules_under(RULES))
def test_the_rules_take_the_policy_types_and_never_import_the_policy_values(
    module_name: str,
) -> None:
    assert reaching(module_name, (POLICY,)) == []


HOUSEHOLD = f"{DOMAIN}.household"
HOUSEHOLD_SECTIONS = ("rehearing", "representatives", "special_enrollment")


@pytest.mark.parametrize("section", HOUSEHOLD_SECTIONS)
def test_the_households_sections_never_import_the_household(section: str) -> None:
    """The household adopts its sections' events and functions; a section types what it reads of
    the household as a Protocol of its own, so the arrow points one way (no import circle, not
    even one under TYPE_CHECKING)."""
    module_name = f"{DOMAIN}.{section}"
    assert module_name in imported_modules(importlib.import_module(HOUSEHOLD))
    assert reaching(module_name, (HOUSEHOLD,)) == []
