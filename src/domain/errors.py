"""The ledger's own errors: each has a stable machine-readable code."""

from __future__ import annotations


class LedgerError(Exception):
    """A command was refused; nothing was recorded."""

    code = "rejected"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidCommand(LedgerError):
    code = "invalid_field"


class UnknownHousehold(LedgerError):
    code = "unknown_household"


class UnknownEnrollment(LedgerError):
    code = "unknown_enrollment"


class UnknownAppeal(LedgerError):
    code = "unknown_appeal"


class NoPolicyParameters(LedgerError):
    code = "no_policy_parameters"


class NotEligible(LedgerError):
    code = "not_eligible"


class OutsideEnrollmentPeriod(LedgerError):
    code = "outside_enrollment_period"


class Conflict(LedgerError):
    code = "conflict"


class WrongProgram(LedgerError):
    """An id names a record of the other program (a small group's for an individual's command,
    or the reverse)."""

    code = "wrong_program"


class UnknownEmployer(LedgerError):
    code = "unknown_employer"
