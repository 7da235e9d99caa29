"""Tax rules: rates per jurisdiction and category, effective-dated (``core/src/model/tax_rule.rs``)."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from billable._documents import Record


class TaxCategory(enum.StrEnum):
    """Tax category of a supply."""

    STANDARD = "standard"
    REDUCED = "reduced"
    ZERO = "zero"
    EXEMPT = "exempt"
    REVERSE_CHARGE = "reverse_charge"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True, kw_only=True, slots=True)
class TaxRule(Record):
    """A tax rate (in percent) in a jurisdiction (``DE``, ``CA-QC``)."""

    id: str
    jurisdiction: str
    category: TaxCategory
    rate: Decimal
    compound: bool = False
    name: str | None = None
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None
