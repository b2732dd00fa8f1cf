"""The ledger's use cases, one function per command, found by the command's class.

Each handler takes the `Ledger` (to load aggregates and read the policy in force) and one
command, calls the aggregates (guards first, then their events) and returns every aggregate it
changed; the ledger records all their events atomically (`Ledger.execute`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from .. import commands, group_commands
from . import (
    appeals,
    coverage_changes,
    enrollments,
    households,
    representatives,
    small_group,
    small_group_changes,
    waivers,
)

if TYPE_CHECKING:
    from .ports import LedgerPort

Handler = Callable[["LedgerPort", Any], list[Aggregate]]

COMMAND_HANDLERS: Mapping[type[commands.Command], Handler] = MappingProxyType(
    {
        commands.SubmitApplication: households.submit_application,
        commands.SubmitRenewal: households.submit_renewal,
        commands.DetermineEligibility: households.determine_eligibility,
        commands.ReportChange: households.report_change,
        commands.ReportQualifyingEvent: households.report_qualifying_event,
        commands.SelectPlan: enrollments.select_plan,
        commands.RecordPayment: enrollments.record_payment,
        commands.RunSchedule: enrollments.run_schedule,
        commands.RequestReinstatement: enrollments.request_reinstatement,
        commands.RequestTermination: enrollments.request_termination,
        commands.RenewEnrollment: enrollments.renew_enrollment,
        commands.TerminateForFraud: enrollments.terminate_for_fraud,
        commands.RequestHardshipWaiver: waivers.request_hardship_waiver,
        commands.DecideHardshipWaiver: waivers.decide_hardship_waiver,
        commands.FileAppeal: appeals.file_appeal,
        commands.DecideAppeal: appeals.decide_appeal,
        commands.OrderRehearing: appeals.order_rehearing,
        commands.SubmitEmployerApplication: small_group.submit_employer_application,
        commands.DetermineEmployerEligibility: small_group.determine_employer_eligibility,
        commands.SelectGroupPlan: small_group.select_group_plan,
        commands.EnrollEmployee: small_group.enroll_employee,
        commands.WaiveCoverage: small_group.waive_coverage,
        commands.DecideRehearing: appeals.decide_rehearing,
        commands.DesignateRepresentative: representatives.designate_representative,
        commands.RevokeRepresentative: representatives.revoke_representative,
        commands.ChangePremium: coverage_changes.change_premium,
        commands.RecordDeath: coverage_changes.record_death,
        commands.ContinueAppeal: coverage_changes.continue_appeal,
        group_commands.TerminateGroupForFraud: small_group_changes.terminate_group_for_fraud,
        group_commands.TerminateGroupIneligible: small_group_changes.terminate_group_ineligible,
        group_commands.AddDependent: small_group_changes.add_dependent,
        group_commands.RenewGroupPlan: small_group_changes.renew_group_plan,
    }
)
"""Each command's handler (cosmicpython's `COMMAND_HANDLERS`)."""
