"""Recorded work: timesheet entries and expenses (PSA) (``core/src/model/work.rs``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from billable._documents import Record
from billable.money import Money


class ApprovalStatus(enum.StrEnum):
    """Approval status of an entry or expense."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, kw_only=True, slots=True)
class Adjustment(Record):
    """Replaces an entry's billable hours and says why (SPEC §5.8)."""

    billable_hours: Decimal
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TimesheetEntry(Record):
    """Time a worker recorded on a project."""

    id: str
    version: int = 1
    worker_id: str
    project_id: str
    task_id: str | None = None
    date: datetime.date
    hours: Decimal
    billable: bool = True
    status: ApprovalStatus
    approved_by: str | None = None
    adjustment: Adjustment | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Expense(Record):
    """Money a worker spent on a project (PSA)."""

    id: str
    version: int = 1
    worker_id: str
    project_id: str
    date: datetime.date
    amount: Money
    category: str
    billable: bool = True
    status: ApprovalStatus
    approved_by: str | None = None
    receipt: bool = False
