"""The premium FAQ's worked example (examples/connectorcare-faq.jsonl), appealed and reversed: the
case the hearing page is tried on. A representative files the appeal of the 5 January
determination (plan type 3A on $35,000) saying the income is $28,000; the officer reverses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from enrollment_ledger.domain.events import aggregate_uuid, event_id

ROOT = Path(__file__).resolve().parents[2]
FAQ = ROOT / "examples" / "connectorcare-faq.jsonl"
APPEAL_ID = "A-FAQ"
HOUSEHOLD_ID = "H-FAQ"
ENROLLMENT_ID = "E-FAQ"
GROUNDS = "My income was counted from an old job: this year it is $28,000, not $35,000."
REPRESENTATIVE = "Dana Whitfield"
APPEALED_EVENT_ID = event_id(aggregate_uuid("household", HOUSEHOLD_ID), 3)
"""The FAQ's determination of 5 January (the household's third event): plan type 3A."""


def appeal_commands(appealed_event_id: str = APPEALED_EVENT_ID) -> list[dict[str, Any]]:
    """The representative, the appeal and the reversal, each with its business date."""
    return [
        {
            "command": "designate_representative",
            "command_id": "faq-appeal-01",
            "on": "2026-01-12",
            "household_id": HOUSEHOLD_ID,
            "representative_id": "R-FAQ",
            "name": REPRESENTATIVE,
            "kind": "appeal",
            "member_id": "FAQ-1",
            "written_authorization_on": "2026-01-12",
        },
        {
            "command": "file_appeal",
            "command_id": "faq-appeal-02",
            "on": "2026-01-20",
            "appeal_id": APPEAL_ID,
            "household_id": HOUSEHOLD_ID,
            "appealed_event_id": appealed_event_id,
            "grounds": GROUNDS,
            "filed_by": "R-FAQ",
            "appellant_member_id": "FAQ-1",
        },
        {
            "command": "decide_appeal",
            "command_id": "faq-appeal-03",
            "on": "2026-02-12",
            "appeal_id": APPEAL_ID,
            "outcome": "reversed",
            "findings": {"annual_magi": "28000.00"},
        },
    ]


def faq_appealed_and_reversed(appealed_event_id: str = APPEALED_EVENT_ID) -> list[dict[str, Any]]:
    """The FAQ's lines with the appeal's inserted in business-date order."""
    faq = [json.loads(line) for line in FAQ.read_text().splitlines() if line.strip()]
    return sorted([*faq, *appeal_commands(appealed_event_id)], key=lambda c: str(c["on"]))


def as_jsonl(commands: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(c) + "\n" for c in commands)
