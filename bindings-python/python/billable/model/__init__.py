"""The canonical model (SPEC §3) as typed classes, one per Rust type in ``core/src/model/``.

Field names, defaults and enum values mirror the Rust types exactly (a test
compares them with the JSON Schema of each Rust type). ``to_document()`` gives
the record's document; ``from_document()`` reads one. Checking records is the
core's job: ``billable.validate_records(...)``.
"""

from billable.model.engagement import (
    BillingSchedule,
    BillingType,
    Contract,
    DurationRounding,
    DurationRoundingMode,
    ExpensePolicy,
    FxDate,
    Retainer,
    Milestone,
    MilestoneStatus,
    OvertimePolicy,
    Project,
    ProjectStatus,
    Task,
    TaxRounding,
)
from billable.model.party import (
    Customer,
    CustomerStatus,
    Employment,
    EmploymentStatus,
    ScheduleVersion,
    Skill,
    WeekHours,
    Worker,
)
from billable.model.planning import Allocation, AllocationStatus, DemandLine, Opportunity
from billable.model.rate_card import RateCard, RateRule, RateUnit
from billable.model.tax_rule import TaxCategory, TaxRule
from billable.model.work import Adjustment, ApprovalStatus, Expense, TimesheetEntry

__all__ = [
    "Adjustment",
    "Allocation",
    "AllocationStatus",
    "ApprovalStatus",
    "BillingSchedule",
    "BillingType",
    "Contract",
    "Customer",
    "CustomerStatus",
    "DemandLine",
    "DurationRounding",
    "DurationRoundingMode",
    "Employment",
    "EmploymentStatus",
    "Expense",
    "ExpensePolicy",
    "FxDate",
    "Milestone",
    "MilestoneStatus",
    "Opportunity",
    "OvertimePolicy",
    "Project",
    "ProjectStatus",
    "Retainer",
    "RateCard",
    "RateRule",
    "RateUnit",
    "ScheduleVersion",
    "Skill",
    "Task",
    "TaxCategory",
    "TaxRounding",
    "TaxRule",
    "TimesheetEntry",
    "WeekHours",
    "Worker",
]
