"""Constants, rounding and the FX table."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    localcontext,
)
from typing import Any


ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
DAY = Decimal(24)

# Exact arithmetic for every product the run takes (rates × hours × FX × multipliers).
CONTEXT = Context(prec=60)

# ISO 4217 minor units of the currencies a run is likely to meet; 2 otherwise.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3}
QUANTUM = {0: Decimal(1), 2: Decimal("0.01"), 3: Decimal("0.001")}

ROUNDING = {
    "half_even": ROUND_HALF_EVEN,
    "half_away_from_zero": ROUND_HALF_UP,
    "half_toward_zero": ROUND_HALF_DOWN,
    "up": ROUND_UP,
    "down": ROUND_DOWN,
    "ceiling": ROUND_CEILING,
    "floor": ROUND_FLOOR,
}

# SPEC §6's table order, then the core's additions: the order reasons are listed in.
REASONS = [
    "not_approved",
    "self_approved",
    "approver_not_authorized",
    "not_billable",
    "project_closed",
    "contract_inactive",
    "contract_not_hourly",
    "customer_on_hold",
    "worker_not_employed",
    "rate_missing",
    "ambiguous_rate",
    "fx_rate_missing",
    "already_invoiced",
    "cap_exceeded",
    "outside_period",
    "invalid_hours",
    "receipt_missing",
    "unknown_reference",
    "rating_failed",
    "duplicate_record",
    "superseded",
    "not_accepted",
    "invalid_tax_id",
    "tax_rule_missing",
]
REASON_ORDER = {code: i for i, code in enumerate(REASONS)}

EU = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


class Unsupported(Exception):
    """The request uses a feature this baseline does not implement."""


class RatingError(Exception):
    """An entry cannot be rated: ``code`` is its reason (rate_missing, ambiguous_rate, ...)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


# ---------------------------------------------------------------- money


def round_to(x: Decimal, places: int, mode: str) -> Decimal:
    """Round ``x`` to ``places`` decimals with one of SPEC §4's named modes."""
    if mode == "half_up":  # ties toward +infinity
        rounding = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
    else:
        rounding = ROUNDING[mode]
    return x.quantize(QUANTUM[places], rounding=rounding)


def round_magnitude(x: Decimal, places: int, mode: str) -> Decimal:
    """Round the magnitude and give the sign back, so a credit mirrors its debit (docs/tax.md)."""
    r = round_to(abs(x), places, mode)
    return -r if x < 0 and r else r


def round_to_increment(x: Decimal, increment: Decimal, mode: str) -> Decimal:
    steps = round_to(x / increment, 0, mode)
    return (steps * increment).quantize(increment)


class FxTable:
    """Rates per (base, quote), sorted by date; the rate used is the latest on or before the date."""

    def __init__(self, rates: list[dict[str, Any]], allow_inverse: bool, pivot: str | None) -> None:
        by_pair: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for r in rates:
            by_pair[(r["base"], r["quote"])].append((dt.date.fromisoformat(r["as_of"]), Decimal(r["rate"])))
        self.by_pair: dict[tuple[str, str], tuple[list[dt.date], list[Decimal]]] = {}
        for pair, rows in by_pair.items():
            rows.sort(key=lambda row: row[0])
            for (d1, r1), (d2, r2) in zip(rows, rows[1:]):
                if d1 == d2 and r1 != r2:
                    raise ValueError(f"{pair[0]}/{pair[1]} has two rates on {d1}")
            self.by_pair[pair] = ([d for d, _ in rows], [r for _, r in rows])
        self.allow_inverse = allow_inverse
        self.pivot = pivot
        self.cache: dict[tuple[str, str, dt.date], Decimal | None] = {}

    def _lookup(self, base: str, quote: str, date: dt.date) -> Decimal | None:
        rows = self.by_pair.get((base, quote))
        if rows is None:
            return None
        n = bisect.bisect_right(rows[0], date)
        return rows[1][n - 1] if n else None

    def _leg(self, frm: str, to: str, date: dt.date) -> Decimal | None:
        direct = self._lookup(frm, to, date)
        if direct is not None:
            return direct
        if self.allow_inverse:
            inverse = self._lookup(to, frm, date)
            if inverse is not None:
                with localcontext(Context(prec=28)):  # the precision of a 96-bit decimal
                    return ONE / inverse
        return None

    def rate(self, frm: str, to: str, date: dt.date) -> Decimal:
        """Units of ``to`` per unit of ``frm`` on ``date``, or ``RatingError('fx_rate_missing')``."""
        key = (frm, to, date)
        if key not in self.cache:
            rate = self._leg(frm, to, date)
            if rate is None and self.pivot and self.pivot not in (frm, to):
                a, b = self._leg(frm, self.pivot, date), self._leg(self.pivot, to, date)
                rate = a * b if a is not None and b is not None else None
            self.cache[key] = rate
        rate = self.cache[key]
        if rate is None:
            raise RatingError("fx_rate_missing", f"no rate converts {frm} to {to} on or before {date}")
        return rate
