"""Demand and supply for resource planning: opportunities (CRM) and allocations (PSA)
(``core/src/model/planning.rs``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from billable._documents import Record
from billable.model.party import Skill
from billable.money import Money


@dataclass(frozen=True, kw_only=True, slots=True)
class DemandLine(Record):
    """A role needed for an opportunity."""

    role: str
    skills: tuple[Skill, ...] = ()
    hours_per_week: Decimal
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True, kw_only=True, slots=True)
class Opportunity(Record):
    """A sales opportunity (CRM)."""

    id: str
    version: int = 1
    customer_id: str
    stage: str
    probability: Decimal
    expected_start: datetime.date
    expected_end: datetime.date
    amount: Money | None = None
    contract_id: str | None = None
    rate_card_id: str | None = None
    demand: tuple[DemandLine, ...] = ()


class AllocationStatus(enum.StrEnum):
    """Status of an allocation."""

    TENTATIVE = "tentative"
    COMMITTED = "committed"
    RELEASED = "released"


@dataclass(frozen=True, kw_only=True, slots=True)
class Allocation(Record):
    """A worker's planned time on a project or an opportunity (PSA)."""

    id: str
    worker_id: str
    project_id: str | None = None
    opportunity_id: str | None = None
    start: datetime.date
    end: datetime.date
    hours_per_week: Decimal
    status: AllocationStatus
