"""Rate cards and their rules [ERP/PSA] (``core/src/model/rate_card.rs``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from billable._documents import Record


class RateUnit(enum.StrEnum):
    """Unit a rate is quoted per."""

    HOUR = "hour"
    DAY = "day"


@dataclass(frozen=True, kw_only=True, slots=True)
class RateRule(Record):
    """A price for labour, matched by the dimensions it names (the most specific match wins, SPEC §5)."""

    id: str
    rate: Decimal
    unit: RateUnit = RateUnit.HOUR
    worker_id: str | None = None
    role: str | None = None
    task_id: str | None = None
    project_id: str | None = None
    contract_id: str | None = None
    customer_id: str | None = None
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RateCard(Record):
    """A set of rate rules in one currency."""

    id: str
    currency: str
    rules: tuple[RateRule, ...]
