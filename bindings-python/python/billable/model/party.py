"""People and organisations: workers (HRIS) and customers (CRM/ERP) (``core/src/model/party.rs``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from billable._documents import Record
from billable.money import Money


class EmploymentStatus(enum.StrEnum):
    """Employment status of a worker."""

    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"


@dataclass(frozen=True, kw_only=True, slots=True)
class Employment(Record):
    """Employment dates; ``end`` is inclusive."""

    status: EmploymentStatus
    start: datetime.date
    end: datetime.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Skill(Record):
    """A named skill at a level 1 (aware) to 5 (expert)."""

    name: str
    level: int


@dataclass(frozen=True, kw_only=True, slots=True)
class WeekHours(Record):
    """Hours for each weekday; absent days are 0."""

    mon: Decimal = Decimal(0)
    tue: Decimal = Decimal(0)
    wed: Decimal = Decimal(0)
    thu: Decimal = Decimal(0)
    fri: Decimal = Decimal(0)
    sat: Decimal = Decimal(0)
    sun: Decimal = Decimal(0)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleVersion(Record):
    """Contracted hours per weekday from ``effective_from`` on."""

    effective_from: datetime.date
    hours: WeekHours


@dataclass(frozen=True, kw_only=True, slots=True)
class Worker(Record):
    """A person who records time (HRIS)."""

    id: str
    name: str
    role: str
    grade: str | None = None
    cost_rate: Money | None = None
    employment: Employment
    skills: tuple[Skill, ...] = ()
    schedule: tuple[ScheduleVersion, ...] = ()
    country: str | None = None
    time_zone: str | None = None
    approver_for: tuple[str, ...] = ()


class CustomerStatus(enum.StrEnum):
    """Billing status of a customer."""

    ACTIVE = "active"
    BILLING_HOLD = "billing_hold"
    INACTIVE = "inactive"


@dataclass(frozen=True, kw_only=True, slots=True)
class Customer(Record):
    """A customer (CRM/ERP)."""

    id: str
    name: str
    country: str
    subdivision: str | None = None
    tax_id: str | None = None
    tax_exempt: bool = False
    billing_currency: str
    status: CustomerStatus
