"""billable: professional-services billing logic, exact and deterministic.

Two ways in, the same rules (the Rust core) behind both:

* **Documents**: ``billable.round(request) -> dict`` (and ``allocate``,
  ``convert``, ``validate``, ``schema``, ``call``, ``call_json``). The request
  is a dict (or JSON text); the response is a dict of plain values whose
  ``json.dumps`` is the CLI's output byte for byte. Decimals stay strings.
* **Typed classes**: ``billable.round_amount(Decimal("10.005"), "USD",
  RoundingMode.HALF_EVEN) -> RoundResult`` with ``Decimal`` and ``date``
  fields, and the canonical model (``Worker``, ``Contract``, ...).

Every failure is a ``BillableError`` (``.code``, ``.message``, ``.path``,
``.details``), of the subclass for its category (``ValidationError``,
``CurrencyError``, ...).

>>> import billable
>>> billable.round({"amount": "10.005", "currency": "USD", "mode": "half_even"})["amount"]
'10.00'
"""

from billable._native import (
    API_VERSION,
    OPERATIONS,
    BillableError,
    ConfigurationError,
    CurrencyError,
    IdempotencyConflictError,
    StateError,
    TaxError,
    ValidationError,
    WebhookVerificationError,
    __version__,
    allocate,
    call,
    call_json,
    convert,
    round as round,  # explicit re-export: not in __all__, so a star import keeps the builtin
    schema,
    validate,
)
from billable.model import (
    Adjustment,
    Allocation,
    AllocationStatus,
    ApprovalStatus,
    BillingSchedule,
    BillingType,
    Contract,
    Customer,
    CustomerStatus,
    DemandLine,
    DurationRounding,
    DurationRoundingMode,
    Employment,
    EmploymentStatus,
    Expense,
    ExpensePolicy,
    Milestone,
    MilestoneStatus,
    Opportunity,
    OvertimePolicy,
    Project,
    ProjectStatus,
    RateCard,
    RateRule,
    RateUnit,
    ScheduleVersion,
    Skill,
    Task,
    TaxCategory,
    TaxRounding,
    TaxRule,
    TimesheetEntry,
    WeekHours,
    Worker,
)
from billable.money import (
    AllocateResult,
    ConvertResult,
    FxLeg,
    FxPolicy,
    FxRate,
    Money,
    RoundingMode,
    RoundResult,
    allocate_amount,
    convert_money,
    round_amount,
)
from billable.validation import Problem, ValidationReport, validate_records

__all__ = [
    # the document form (one function per operation, plus the generic calls); `round` is
    # left out so that `from billable import *` keeps the builtin `round`: call `billable.round`.
    "API_VERSION",
    "OPERATIONS",
    "__version__",
    "allocate",
    "call",
    "call_json",
    "convert",
    "schema",
    "validate",
    # exceptions
    "BillableError",
    "ConfigurationError",
    "CurrencyError",
    "IdempotencyConflictError",
    "StateError",
    "TaxError",
    "ValidationError",
    "WebhookVerificationError",
    # money (typed)
    "AllocateResult",
    "ConvertResult",
    "FxLeg",
    "FxPolicy",
    "FxRate",
    "Money",
    "RoundResult",
    "RoundingMode",
    "allocate_amount",
    "convert_money",
    "round_amount",
    # validation (typed)
    "Problem",
    "ValidationReport",
    "validate_records",
    # the canonical model (typed)
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
    "Milestone",
    "MilestoneStatus",
    "Opportunity",
    "OvertimePolicy",
    "Project",
    "ProjectStatus",
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
