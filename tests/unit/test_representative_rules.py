"""956 CMR 12.17 (authorized representatives) and 12.03 ("Appeal Representative"): a designation is
in force from its date until the date of its revocation (that day excluded); either kind may file
an appeal; one designated for a member acts only for that member.

Expected values are literals, never computed by the function under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.rules.representatives import (
    Representative,
    RepresentativeKind,
    active_on,
    filing_refusal,
    kind_citation,
)

case = pytest.param


def representative(
    kind: str = "appeal",
    *,
    member_id: str | None = None,
    revoked_on: date | None = None,
) -> Representative:
    return Representative(
        representative_id="R1",
        kind=kind,
        member_id=member_id,
        written_authorization_on=date(2026, 2, 27),
        designated_on=date(2026, 3, 1),
        revoked_on=revoked_on,
    )


@pytest.mark.parametrize(
    ("day", "revoked_on", "active"),
    [
        case(date(2026, 2, 28), None, False, id="the day before the designation: not yet"),
        case(date(2026, 3, 1), None, True, id="the day of the designation: in force"),
        case(date(2030, 1, 1), None, True, id="never revoked: in force for good"),
        case(date(2026, 3, 9), date(2026, 3, 10), True, id="the day before the revocation: in force"),
        case(date(2026, 3, 10), date(2026, 3, 10), False, id="the day of the revocation: ended"),
        case(date(2026, 3, 11), date(2026, 3, 10), False, id="after the revocation: ended"),
    ],
)  # fmt: skip
def test_a_designation_is_in_force_from_its_date_until_its_revocation(
    day: date, revoked_on: date | None, active: bool
) -> None:
    assert active_on(representative(revoked_on=revoked_on), day) is active


@pytest.mark.parametrize(
    ("filed_on", "revoked_on", "code"),
    [
        case(date(2026, 3, 9), date(2026, 3, 10), None, id="filed the day before the revocation: accepted"),
        case(date(2026, 3, 10), date(2026, 3, 10), "invalid_state", id="filed the day of the revocation: refused"),
        case(date(2026, 3, 11), date(2026, 3, 10), "invalid_state", id="filed after the revocation: refused"),
        case(date(2026, 2, 28), None, "invalid_state", id="filed before the designation: refused"),
        case(date(2026, 3, 1), None, None, id="filed the day of the designation: accepted"),
    ],
)  # fmt: skip
def test_a_representative_files_only_while_its_designation_is_in_force(
    filed_on: date, revoked_on: date | None, code: str | None
) -> None:
    refusal = filing_refusal(representative(revoked_on=revoked_on), filed_on, None)
    assert (refusal.code if refusal else None) == code


def test_a_refusal_for_a_revoked_representative_says_when_it_was_revoked() -> None:
    refusal = filing_refusal(representative(revoked_on=date(2026, 3, 10)), date(2026, 3, 12), None)
    assert refusal is not None
    assert "revoked on 2026-03-10" in refusal.message


@pytest.mark.parametrize("kind", [case("authorized", id="authorized (12.17)"), case("appeal", id="appeal (12.03)")])  # fmt: skip
def test_either_kind_of_representative_may_file_an_appeal(kind: str) -> None:
    assert filing_refusal(representative(kind), date(2026, 3, 5), None) is None


@pytest.mark.parametrize(
    ("member_id", "appellant", "code"),
    [
        case(None, None, None, id="household-wide, for the household: accepted"),
        case(None, "M2", None, id="household-wide, for a member: accepted"),
        case("M1", "M1", None, id="for M1, filing for M1: accepted"),
        case("M1", "M2", "representative_out_of_scope", id="for M1, filing for M2: refused"),
        case("M1", None, "representative_out_of_scope", id="for M1, filing for the household: refused"),
    ],
)  # fmt: skip
def test_a_representative_of_one_member_files_only_for_that_member(
    member_id: str | None, appellant: str | None, code: str | None
) -> None:
    refusal = filing_refusal(representative(member_id=member_id), date(2026, 3, 5), appellant)
    assert (refusal.code if refusal else None) == code


@pytest.mark.parametrize(
    ("kind", "citation"),
    [
        case(RepresentativeKind.AUTHORIZED, "956 CMR 12.17", id="authorized: 12.17"),
        case(RepresentativeKind.APPEAL, "956 CMR 12.03 (Appeal Representative)", id="appeal: 12.03"),
    ],
)  # fmt: skip
def test_each_kind_cites_the_clause_it_is_recognized_under(kind: str, citation: str) -> None:
    assert kind_citation(kind) == citation
