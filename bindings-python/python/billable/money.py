"""Money, rounding, allocation and FX as typed classes (SPEC §4).

The functions here convert types and call the document form
(``billable.round``, ``billable.allocate``, ``billable.convert``); every rule
is the core's.

>>> from decimal import Decimal
>>> round_amount(Decimal("10.005"), "USD", RoundingMode.HALF_EVEN).amount
Decimal('10.00')
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from billable import _native
from billable._documents import Record, document


class RoundingMode(enum.StrEnum):
    """How to round a value between two representable results. Default: ``HALF_AWAY_FROM_ZERO``."""

    HALF_EVEN = "half_even"
    """Ties to the even neighbour (banker's rounding)."""
    HALF_AWAY_FROM_ZERO = "half_away_from_zero"
    """Ties away from zero (commercial rounding)."""
    HALF_TOWARD_ZERO = "half_toward_zero"
    """Ties toward zero."""
    HALF_UP = "half_up"
    """Ties toward positive infinity."""
    UP = "up"
    """Always away from zero."""
    DOWN = "down"
    """Always toward zero (truncation)."""
    CEILING = "ceiling"
    """Always toward positive infinity."""
    FLOOR = "floor"
    """Always toward negative infinity."""


@dataclass(frozen=True, slots=True)
class Money(Record):
    """An exact amount in an ISO 4217 currency."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True, slots=True)
class FxRate(Record):
    """One row of an FX table: ``1 base = rate quote``, valid from ``as_of``."""

    base: str
    quote: str
    rate: Decimal
    as_of: datetime.date
    source: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class FxPolicy(Record):
    """What a conversion may do beyond a direct rate."""

    allow_inverse: bool = False
    pivot: str | None = None
    rounding_mode: RoundingMode = RoundingMode.HALF_AWAY_FROM_ZERO


@dataclass(frozen=True, kw_only=True, slots=True)
class FxLeg(Record):
    """One step of a conversion path (``from_`` is the document's ``from``)."""

    from_: str = field(metadata={"key": "from"})
    to: str
    rate: Decimal
    table_rate: Decimal
    as_of: datetime.date
    source: str
    inverted: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundResult(Record):
    """The rounded amount, the mode applied and the difference from the original."""

    amount: Decimal
    currency: str | None = None
    scale: int
    increment: Decimal | None = None
    mode: RoundingMode
    original: Decimal
    difference: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class AllocateResult(Record):
    """Shares in ratio order, summing to the amount exactly, and how the leftover units went."""

    currency: str | None = None
    shares: tuple[Decimal, ...]
    minor_units: Decimal
    leftover_units: Decimal
    leftover_to: tuple[int, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ConvertResult(Record):
    """The converted amount with the rate, its date and the path used."""

    converted: Money
    unrounded: Decimal
    rate: Decimal
    as_of: datetime.date
    method: str
    path: tuple[FxLeg, ...]
    rounding_mode: RoundingMode


def round_amount(
    amount: Decimal | int | str,
    currency: str | None = None,
    mode: RoundingMode = RoundingMode.HALF_AWAY_FROM_ZERO,
    *,
    scale: int | None = None,
    increment: Decimal | None = None,
) -> RoundResult:
    """Round ``amount`` to ``currency``'s minor units, to ``scale`` places, or to a cash ``increment``.

    Give a currency, or a scale, or an increment (with an optional currency). With a
    currency, the increment must be a whole number of its minor units (``invalid_increment``
    otherwise) and the result has the currency's places.
    """
    request = document(amount=amount, currency=currency, scale=scale, increment=increment, mode=mode)
    return RoundResult.from_document(_native.round(request))


def allocate_amount(
    amount: Decimal | int | str,
    ratios: Sequence[Decimal | int | str],
    currency: str | None = None,
    *,
    scale: int | None = None,
) -> AllocateResult:
    """Split ``amount`` by ``ratios`` in ``currency``'s minor units (or units of ``scale`` places)."""
    request = document(amount=amount, ratios=list(ratios), currency=currency, scale=scale)
    return AllocateResult.from_document(_native.allocate(request))


def convert_money(
    amount: Money,
    to: str,
    date: datetime.date,
    rates: Sequence[FxRate],
    policy: FxPolicy | None = None,
) -> ConvertResult:
    """Convert ``amount`` to ``to`` on ``date`` with the FX table ``rates`` and ``policy``."""
    request = document(amount=amount, to=to, date=date, rates=list(rates), policy=policy)
    return ConvertResult.from_document(_native.convert(request))
