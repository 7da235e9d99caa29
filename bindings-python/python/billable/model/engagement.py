"""Contracts (ERP), projects (PSA) and milestones (``core/src/model/engagement.rs``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from billable._documents import Record
from billable.money import RoundingMode


class BillingType(enum.StrEnum):
    """How a contract earns revenue."""

    TIME_AND_MATERIALS = "time_and_materials"
    FIXED_FEE = "fixed_fee"
    RETAINER = "retainer"
    NON_BILLABLE = "non_billable"


class BillingSchedule(enum.StrEnum):
    """Invoice cadence."""

    WEEKLY = "weekly"
    SEMI_MONTHLY = "semi_monthly"
    MONTHLY = "monthly"
    MILESTONE = "milestone"


class FxDate(enum.StrEnum):
    """The date conversions use."""

    ENTRY_DATE = "entry_date"
    INVOICE_DATE = "invoice_date"
    PERIOD_END = "period_end"


class DurationRoundingMode(enum.StrEnum):
    """Direction of duration rounding."""

    UP = "up"
    NEAREST = "nearest"
    DOWN = "down"


@dataclass(frozen=True, kw_only=True, slots=True)
class DurationRounding(Record):
    """Rounding of an entry's hours before rating (SPEC §5.6)."""

    increment: Decimal
    mode: DurationRoundingMode
    minimum: Decimal | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class OvertimePolicy(Record):
    """Overtime and premium policy (SPEC §5.7)."""

    daily_threshold: Decimal | None = None
    daily_multiplier: Decimal | None = None
    weekly_threshold: Decimal | None = None
    weekly_multiplier: Decimal | None = None
    weekend_multiplier: Decimal | None = None
    holiday_multiplier: Decimal | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ExpensePolicy(Record):
    """How expenses are re-billed: markup in percent, receipts required or not."""

    markup_percent: Decimal = Decimal(0)
    receipt_required: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Retainer(Record):
    """A retainer's terms: a fixed amount billed each window of the contract's schedule."""

    amount: Decimal
    description: str | None = None


class TaxRounding(enum.StrEnum):
    """Where tax is rounded (SPEC §7)."""

    PER_LINE = "per_line"
    PER_DOCUMENT = "per_document"


@dataclass(frozen=True, kw_only=True, slots=True)
class Contract(Record):
    """An engagement with a customer (ERP), with its billing policies."""

    id: str
    customer_id: str
    currency: str
    billing_type: BillingType
    start: datetime.date
    end: datetime.date | None = None
    rate_card_id: str
    not_to_exceed: Decimal | None = None
    billing_schedule: BillingSchedule
    duration_rounding: DurationRounding | None = None
    overtime: OvertimePolicy | None = None
    expense_policy: ExpensePolicy | None = None
    tax_rounding: TaxRounding = TaxRounding.PER_LINE
    rounding_mode: RoundingMode = RoundingMode.HALF_AWAY_FROM_ZERO
    cash_rounding: Decimal | None = None
    hours_per_day: Decimal = Decimal(8)
    prices_include_tax: bool = False
    retainer: Retainer | None = None
    fx_date: FxDate | None = None


class ProjectStatus(enum.StrEnum):
    """Status of a project."""

    OPEN = "open"
    CLOSED = "closed"
    ON_HOLD = "on_hold"


@dataclass(frozen=True, kw_only=True, slots=True)
class Task(Record):
    """A task within a project."""

    id: str
    name: str | None = None
    billable: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class Project(Record):
    """A project (PSA)."""

    id: str
    contract_id: str
    name: str | None = None
    billable: bool = True
    status: ProjectStatus
    tasks: tuple[Task, ...] = ()


class MilestoneStatus(enum.StrEnum):
    """Status of a milestone."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    INVOICED = "invoiced"


@dataclass(frozen=True, kw_only=True, slots=True)
class Milestone(Record):
    """A contract milestone [PSA/ERP], billed once when accepted."""

    id: str
    version: int = 1
    contract_id: str
    name: str | None = None
    amount: Decimal
    due: datetime.date
    status: MilestoneStatus
