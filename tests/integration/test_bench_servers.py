"""The benchmark's PostgreSQL server takes the settings it is given (`bench --pg-setting`), one
that needs a restart included."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import resolve_store_url

from bench.servers import postgres_server

from ..servers import PG_URL_ENV


def _shown(url: str, name: str) -> str:
    engine = sa.create_engine(resolve_store_url(url))
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql(f"SHOW {name}").scalar())
    finally:
        engine.dispose()


def test_the_server_the_benchmark_starts_is_restarted_with_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PG_URL_ENV, raising=False)
    settings = {"shared_buffers": "48MB", "work_mem": "8MB"}
    with postgres_server(tmp_path, None, settings) as url:
        assert _shown(url, "shared_buffers") == "48MB"  # read at start only: restarted
        assert _shown(url, "work_mem") == "8MB"
    (tmp_path / "plain").mkdir()
    with postgres_server(tmp_path / "plain", None, {}) as url:
        assert _shown(url, "shared_buffers") == "128MB"


def test_settings_are_refused_for_a_server_the_user_runs(tmp_path: Path) -> None:
    given = postgres_server(tmp_path, "postgresql://localhost/x", {"work_mem": "8MB"})
    with pytest.raises(SystemExit, match="not --store's"), given:
        pass


def test_a_setting_that_is_not_a_parameter_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PG_URL_ENV, raising=False)
    server = postgres_server(tmp_path, None, {"work_mem; DROP": "8MB"})
    with pytest.raises(SystemExit, match="not a parameter name"), server:
        pass
