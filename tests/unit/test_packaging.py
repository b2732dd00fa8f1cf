"""Every package under src/ is listed in pyproject.toml, so a non-editable install (the Dockerfile's
`pip install .`) ships it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_under_src_is_listed_for_installation() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("enrollment_ledger", *init.parent.relative_to(ROOT / "src").parts))
        for init in (ROOT / "src").rglob("__init__.py")
    }
    assert found - listed == set()
    assert listed - found == set()
