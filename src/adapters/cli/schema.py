"""`enrollment-ledger schema`: the JSON Schema of every command and event."""

from __future__ import annotations

import json

from ..commands import command_schemas
from ..event_schema import event_schemas


def print_schema() -> int:
    print(json.dumps({"commands": command_schemas(), "events": event_schemas()}, indent=2))
    return 0
