"""One id, one record: `timeline ID` answers a household's or an employer's whole record by its
id, and a household's or an employer's events are keyed on Kafka by that id (contract, second
edition). A household and an employer therefore never share an id: the record an application
would open under an id the other kind already holds is refused `duplicate_id`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InvalidCommand, UnknownEmployer, UnknownHousehold

if TYPE_CHECKING:
    from .ports import LedgerPort


def refuse_an_employers_id(ledger: LedgerPort, household_id: str) -> None:
    """A new household may not take the id of an employer on record."""
    try:
        ledger.employer(household_id)
    except UnknownEmployer:
        return
    raise InvalidCommand(_taken(household_id, "an employer", "household"), "duplicate_id")


def refuse_a_households_id(ledger: LedgerPort, employer_id: str) -> None:
    """A new employer may not take the id of a household on record."""
    try:
        ledger.household(employer_id)
    except UnknownHousehold:
        return
    raise InvalidCommand(_taken(employer_id, "a household", "employer"), "duplicate_id")


def _taken(record_id: str, holder: str, new: str) -> str:
    return (
        f"{record_id!r} is already the id of {holder}: a {new} needs another id (timeline and "
        "the Kafka key name one record by it)"
    )
