"""`schema` prints every command's and event's JSON Schema and the Kafka messages' key and
headers; `schema --out DIR` writes one file per schema, an event's named by its class_version."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli_apply import run_cli


def test_schema_out_writes_one_file_per_command_event_version_and_kafka_part(
    tmp_path: Path,
) -> None:
    printed = json.loads(run_cli("schema", cwd=tmp_path).stdout)

    result = run_cli("schema", "--out", "schemas", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    folder = tmp_path / "schemas"
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
    expected = sorted(
        [f"commands/{name}.json" for name in printed["commands"]]
        + [
            f"events/{name}.v{schema['x-class-version']}.json"
            for name, schema in printed["events"].items()
        ]
        + ["kafka/headers.json", "kafka/key.json"]
    )
    assert written == expected
    assert json.loads(result.stdout) == {"ok": True, "out": "schemas", "files": len(expected)}
    assert "events/PlanYearEnded.v2.json" in written
    plan_year_ended = json.loads((folder / "events/PlanYearEnded.v2.json").read_text())
    assert plan_year_ended == printed["events"]["PlanYearEnded"]
    headers = json.loads((folder / "kafka/headers.json").read_text())
    assert {"ce_partitionkey", "ce_subject", "ce_dataschema"} <= set(headers["required"])


def test_schema_out_of_a_file_is_not_a_folder_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("mine\n")

    result = run_cli("schema", "--out", "taken", cwd=tmp_path)

    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "not_a_folder"
    assert (tmp_path / "taken").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
