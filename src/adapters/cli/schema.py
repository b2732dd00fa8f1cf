"""`enrollment-ledger schema`: the JSON Schema of every command and event, and of the Kafka
messages' key and headers. `--out DIR` writes one file per schema instead: commands/NAME.json,
events/TYPE.vN.json (N the event's class_version: a file a team generates code from keeps its
name until the shape changes) and kafka/key.json, kafka/headers.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..commands import command_schemas
from ..event_schema import event_schemas
from ..failures import NotAFolder
from ..kafka.cloudevent import HEADERS_SCHEMA, KEY_SCHEMA


def all_schemas() -> dict[str, Any]:
    return {
        "commands": command_schemas(),
        "events": event_schemas(),
        "kafka": {"key": KEY_SCHEMA, "headers": HEADERS_SCHEMA},
    }


def schema_files(schemas: dict[str, Any]) -> dict[str, Any]:
    """Relative path -> schema, one file per command, event type (versioned) and Kafka part."""
    files: dict[str, Any] = {}
    for name, schema in schemas["commands"].items():
        files[f"commands/{name}.json"] = schema
    for name, schema in schemas["events"].items():
        files[f"events/{name}.v{schema['x-class-version']}.json"] = schema
    for name, schema in schemas["kafka"].items():
        files[f"kafka/{name}.json"] = schema
    return files


def print_schema(out: str | None = None) -> int:
    schemas = all_schemas()
    if out is None:
        print(json.dumps(schemas, indent=2))
        return 0
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NotAFolder(f"--out names a file ({out}), not a folder")
    files = schema_files(schemas)
    for relative, schema in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=2) + "\n")
    print(json.dumps({"ok": True, "out": str(folder), "files": len(files)}))
    return 0
