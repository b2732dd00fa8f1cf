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


def test_every_page_template_and_the_stylesheet_are_shipped_as_package_data() -> None:
    """A non-editable install ships only what `package-data` names: the hearing page's
    templates and its one stylesheet must all be matched by it."""
    from fnmatch import fnmatch

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["enrollment_ledger"]
    templates = ROOT / "src" / "adapters" / "pages" / "templates"
    shipped = sorted(path.name for path in templates.iterdir())
    assert {"hearing.html.j2", "timeline.html.j2", "page.css"} <= set(shipped)
    for path in templates.iterdir():
        relative = path.relative_to(ROOT / "src").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
    assert len([name for name in shipped if name.endswith(".css")]) == 1


def test_the_kafka_extra_installs_the_c_checksum_kafka_python_then_uses() -> None:
    """Without the `crc32c` package kafka-python computes each record batch's CRC32C in pure
    Python, the relay's largest cost: the `kafka` extra (the Dockerfile's relay image) and the
    test extra install it, and kafka-python picks it up."""
    from kafka.record import util

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = config["project"]["optional-dependencies"]
    for extra in ("kafka", "test"):
        assert any(requirement.startswith("crc32c") for requirement in extras[extra]), extra
    assert util.crc32c_c is not None
    assert util._crc32c is util.crc32c_c
