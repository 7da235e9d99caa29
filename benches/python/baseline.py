"""A pure-Python invoice run: the baseline billable's Python benchmark is measured against.

This is the invoice run an integration engineer would write in Python without
billable: dicts in (the same ``invoice_run`` request document), ``decimal.Decimal``
for money, dicts to index master data, one clear function per rule. It follows
SPEC §4–8 and, where SPEC is silent, the decisions billable documents
(``docs/rates.md``, ``docs/eligibility.md``, ``docs/invoice.md``, ``docs/tax.md``),
so that on the same request it produces the same invoices (number, subtotal,
tax, total) and the same exception and deferred counts per reason code.

Covered: rate precedence (``scope × 2 + worker named``, effective dates,
``ambiguous_rate``, ``rate_missing``), day rates, duration rounding, write-ups
and write-downs, overtime (daily, weekly, weekend, holiday; later entries take
the overtime; no pyramiding), FX (latest rate on or before the date, inverse
and one pivot when allowed), every eligibility reason of SPEC §6 plus the
core's additions (duplicates, unknown references, receipts, ledger versions),
the not-to-exceed split, expenses with markup, milestones, credits for changed
records, tax for an EU seller (domestic rules, reverse charge with DE and FR
VAT-number checks, out of scope, exempt customers, ``per_line`` and
``per_document`` rounding), grouping per contract and billing window,
gapless numbering and totals.

Not covered (the generated firm does not use them; the run raises
``Unsupported`` rather than guess): retainers, customer or project grouping,
one line per entry, tax-inclusive prices, cash rounding, compound taxes, line
tax categories, VAT numbers of other countries than DE and FR. Cost and margin
are not computed (they are not on the invoice).

    python benches/python/baseline.py request.json     # prints a summary
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
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


# ---------------------------------------------------------------- master data


def opt_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def opt_decimal(value: Any) -> Decimal | None:
    return Decimal(value) if value is not None else None


@dataclass(slots=True)
class Rule:
    id: str
    position: int
    rate: Decimal
    unit: str
    worker_id: str | None
    role: str | None
    task_id: str | None
    project_id: str | None
    contract_id: str | None
    customer_id: str | None
    effective_from: dt.date | None
    effective_to: dt.date | None
    score: int

    def effective_on(self, date: dt.date) -> bool:
        return (self.effective_from is None or date >= self.effective_from) and (
            self.effective_to is None or date <= self.effective_to
        )


SCOPE_RANK = {"task": 5, "project": 4, "contract": 3, "customer": 2, "default": 1}


def make_rule(r: dict[str, Any], position: int) -> Rule:
    scope = (
        "task" if r.get("task_id") else
        "project" if r.get("project_id") else
        "contract" if r.get("contract_id") else
        "customer" if r.get("customer_id") else
        "default"
    )  # fmt: skip
    return Rule(
        id=r["id"],
        position=position,
        rate=Decimal(r["rate"]),
        unit=r.get("unit", "hour"),
        worker_id=r.get("worker_id"),
        role=r.get("role"),
        task_id=r.get("task_id"),
        project_id=r.get("project_id"),
        contract_id=r.get("contract_id"),
        customer_id=r.get("customer_id"),
        effective_from=opt_date(r.get("effective_from")),
        effective_to=opt_date(r.get("effective_to")),
        score=SCOPE_RANK[scope] * 2 + (1 if r.get("worker_id") else 0),
    )


def scope_key(rule: Rule) -> tuple[str, str]:
    for name, value in (("task", rule.task_id), ("project", rule.project_id), ("contract", rule.contract_id),
                        ("customer", rule.customer_id)):  # fmt: skip
        if value:
            return (name, value)
    return ("default", "")


def who_key(rule: Rule) -> tuple[str, str]:
    if rule.worker_id:
        return ("worker", rule.worker_id)
    if rule.role:
        return ("role", rule.role)
    return ("anyone", "")


@dataclass(slots=True)
class Card:
    id: str
    currency: str
    buckets: dict[tuple[tuple[str, str], tuple[str, str]], list[Rule]]


@dataclass(slots=True)
class Contract:
    id: str
    customer_id: str
    currency: str
    billing_type: str
    start: dt.date
    end: dt.date | None
    rate_card_id: str
    not_to_exceed: Decimal | None
    billing_schedule: str
    rounding: dict[str, Any] | None
    overtime: dict[str, Decimal] | None
    markup_percent: Decimal
    receipt_required: bool
    tax_rounding: str
    rounding_mode: str
    hours_per_day: Decimal
    places: int


def make_contract(k: dict[str, Any]) -> Contract:
    if k.get("prices_include_tax") or k.get("cash_rounding") is not None:
        raise Unsupported(f"contract {k['id']}: tax-inclusive prices and cash rounding are not in the baseline")
    if k["billing_type"] == "retainer" and k.get("retainer"):
        raise Unsupported(f"contract {k['id']}: retainers are not in the baseline")
    rounding = k.get("duration_rounding")
    if rounding is not None:
        rounding = {
            "increment": Decimal(rounding["increment"]),
            "mode": rounding["mode"],
            "minimum": opt_decimal(rounding.get("minimum")),
        }
    overtime = k.get("overtime")
    if overtime is not None:
        overtime = {name: Decimal(value) for name, value in overtime.items() if value is not None}
    expense_policy = k.get("expense_policy") or {}
    return Contract(
        id=k["id"],
        customer_id=k["customer_id"],
        currency=k["currency"],
        billing_type=k["billing_type"],
        start=dt.date.fromisoformat(k["start"]),
        end=opt_date(k.get("end")),
        rate_card_id=k["rate_card_id"],
        not_to_exceed=opt_decimal(k.get("not_to_exceed")),
        billing_schedule=k["billing_schedule"],
        rounding=rounding,
        overtime=overtime,
        markup_percent=Decimal(expense_policy.get("markup_percent", "0")),
        receipt_required=bool(expense_policy.get("receipt_required", False)),
        tax_rounding=k.get("tax_rounding", "per_line"),
        rounding_mode=k.get("rounding_mode", "half_away_from_zero"),
        hours_per_day=Decimal(k.get("hours_per_day", "8")),
        places=MINOR_UNITS.get(k["currency"], 2),
    )


def index_by_id(records: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        if r["id"] in out:
            raise ValueError(f"duplicate {kind} id {r['id']}")
        out[r["id"]] = r
    return out


class Firm:
    """Master data indexed by id, and each rate card's rules by (scope, who)."""

    def __init__(self, req: dict[str, Any]) -> None:
        self.workers = index_by_id(req["workers"], "worker")
        self.customers = index_by_id(req["customers"], "customer")
        self.contracts = {k["id"]: make_contract(k) for k in req["contracts"]}
        self.projects = index_by_id(req["projects"], "project")
        self.tasks = {p["id"]: {t["id"]: t for t in p.get("tasks", [])} for p in req["projects"]}
        self.employment = {
            w["id"]: (dt.date.fromisoformat(w["employment"]["start"]), opt_date(w["employment"].get("end")))
            for w in req["workers"]
        }
        self.approves = {w["id"]: set(w.get("approver_for", [])) for w in req["workers"]}
        self.cards: dict[str, Card] = {}
        for c in req["rate_cards"]:
            buckets: dict[tuple[tuple[str, str], tuple[str, str]], list[Rule]] = defaultdict(list)
            for i, r in enumerate(c["rules"]):
                rule = make_rule(r, i)
                buckets[(scope_key(rule), who_key(rule))].append(rule)
            self.cards[c["id"]] = Card(c["id"], c["currency"], dict(buckets))
        self.candidates: dict[tuple[str, str, str | None], list[Rule]] = {}

    def contract_of(self, project_id: str) -> Contract | None:
        project = self.projects.get(project_id)
        return self.contracts.get(project["contract_id"]) if project else None

    def matching_rules(self, worker: dict[str, Any], project_id: str, task_id: str | None) -> list[Rule]:
        """Rules naming only dimensions the entry has, best score first (cached per worker, project, task)."""
        key = (worker["id"], project_id, task_id)
        if key not in self.candidates:
            contract = self.contract_of(project_id)
            assert contract is not None
            card = self.cards[contract.rate_card_id]
            mine = {"worker_id": worker["id"], "role": worker["role"], "task_id": task_id,
                    "project_id": project_id, "contract_id": contract.id, "customer_id": contract.customer_id}  # fmt: skip
            scopes = [("task", task_id)] if task_id else []
            scopes += [("project", project_id), ("contract", contract.id), ("customer", contract.customer_id),
                       ("default", "")]  # fmt: skip
            whos = [("worker", worker["id"]), ("role", worker["role"]), ("anyone", "")]
            found = []
            for scope in scopes:
                for who in whos:
                    for rule in card.buckets.get((scope, who), ()):
                        if all(getattr(rule, dim) in (None, mine[dim]) for dim in mine):
                            found.append(rule)
            found.sort(key=lambda r: (-r.score, r.position))
            self.candidates[key] = found
        return self.candidates[key]


# ---------------------------------------------------------------- rating (SPEC §5)


@dataclass(slots=True)
class Rated:
    contract: Contract
    rule: Rule
    hourly_rate: Decimal
    rate: Decimal  # per unit, in the contract currency
    billable_hours: Decimal
    blocks: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (hours, multiplier)
    parts: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (hours, amount)
    amount: Decimal = ZERO


def select_rule(rules: list[Rule], date: dt.date) -> Rule:
    effective = [r for r in rules if r.effective_on(date)]
    if not effective:
        raise RatingError("rate_missing", f"no rule matches on {date}")
    best = effective[0]
    tied = [r.id for r in effective if r.score == best.score]
    if len(tied) > 1:
        raise RatingError("ambiguous_rate", f"rules {', '.join(tied)} match with score {best.score}")
    return best


def billable_hours(recorded: Decimal, rounding: dict[str, Any] | None, adjustment: dict[str, Any] | None) -> Decimal:
    """Duration rounding, then an adjustment replaces the rounded hours (docs/rates.md)."""
    hours = recorded
    if rounding is not None:
        mode = {"up": "up", "nearest": "half_away_from_zero", "down": "down"}[rounding["mode"]]
        hours = round_to_increment(recorded, rounding["increment"], mode)
        if rounding["minimum"] is not None and hours < rounding["minimum"]:
            hours = rounding["minimum"]
    if adjustment is not None:
        hours = Decimal(adjustment["billable_hours"])
    return hours


def prepare(firm: Firm, e: dict[str, Any], date: dt.date, fx: FxTable, fx_date: dt.date | None) -> Rated:
    """Resolve the entry, select its rule and its billable hours; raises RatingError."""
    hours = Decimal(e["hours"])
    if not ZERO < hours <= DAY:
        raise RatingError("invalid_hours")
    adjustment = e.get("adjustment")
    if adjustment is not None and not ZERO <= Decimal(adjustment["billable_hours"]) <= DAY:
        raise RatingError("invalid_hours")
    worker = firm.workers.get(e["worker_id"])
    project = firm.projects.get(e["project_id"])
    contract = firm.contract_of(e["project_id"])
    if worker is None or project is None or contract is None or contract.rate_card_id not in firm.cards:
        raise RatingError("unknown_reference")
    task_id = e.get("task_id")
    if task_id is not None and task_id not in firm.tasks[e["project_id"]]:
        raise RatingError("unknown_reference")
    card = firm.cards[contract.rate_card_id]
    rule = select_rule(firm.matching_rules(worker, e["project_id"], task_id), date)
    billable = billable_hours(hours, contract.rounding, adjustment)
    rate = rule.rate
    if card.currency != contract.currency:
        rate = rate * fx.rate(card.currency, contract.currency, fx_date or date)
    hourly = rate / contract.hours_per_day if rule.unit == "day" else rate
    return Rated(contract, rule, hourly, rate, billable)


def allocate_week(policy: dict[str, Decimal], holidays: set[dt.date], items: list[tuple[dt.date, Decimal]]):
    """Split each entry's hours of one worker, contract and ISO week into (hours, multiplier) blocks.

    Within a day the later entries take the overtime; the highest applicable
    multiplier wins (no stacking); hours at a daily, weekend or holiday
    premium do not count toward the weekly threshold (no pyramiding).
    """
    daily = (policy["daily_threshold"], policy["daily_multiplier"]) if {"daily_threshold", "daily_multiplier"} <= policy.keys() else None  # noqa: E501
    weekly = (policy["weekly_threshold"], policy["weekly_multiplier"]) if {"weekly_threshold", "weekly_multiplier"} <= policy.keys() else None  # noqa: E501
    out = []
    day, day_used, week_normal = None, ZERO, ZERO
    for date, hours in items:
        if date != day:
            day, day_used = date, ZERO
        day_premiums = []
        if "holiday_multiplier" in policy and date in holidays:
            day_premiums.append(policy["holiday_multiplier"])
        if "weekend_multiplier" in policy and date.weekday() >= 5:
            day_premiums.append(policy["weekend_multiplier"])
        within = min(max(daily[0] - day_used, ZERO), hours) if daily else hours
        past = hours - within
        day_used += hours
        blocks = []
        if within > 0 or hours == 0:
            if day_premiums:
                blocks.append((within, max(day_premiums)))
            elif weekly:
                normal = min(max(weekly[0] - week_normal, ZERO), within)
                week_normal += within
                if normal > 0 or within == 0:
                    blocks.append((normal, ONE))
                if within > normal:
                    blocks.append((within - normal, weekly[1]))
            else:
                blocks.append((within, ONE))
        if past > 0 and daily:
            blocks.append((past, max([daily[1], *day_premiums])))
        out.append(blocks)
    return out


def rate_entries(firm: Firm, entries: list[dict[str, Any]], dates: list[dt.date], fx: FxTable,
                 fx_date: dt.date | None, holidays: set[dt.date]) -> list[Rated | RatingError]:  # fmt: skip
    """Rate a batch: one Rated or RatingError per entry, in input order."""
    results: list[Rated | RatingError] = []
    rated: dict[int, Rated] = {}
    weeks: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        try:
            r = prepare(firm, e, dates[i], fx, fx_date)
        except RatingError as err:
            results.append(err)
            continue
        results.append(r)
        rated[i] = r
        if r.contract.overtime is not None:
            year, week, _ = dates[i].isocalendar()
            weeks[(e["worker_id"], r.contract.id, year, week)].append(i)
        else:
            r.blocks = [(r.billable_hours, ONE)]
    for (_, contract_id, _, _), members in weeks.items():
        policy = firm.contracts[contract_id].overtime
        assert policy is not None
        members.sort(key=lambda i: (dates[i], i))
        items = [(dates[i], rated[i].billable_hours) for i in members]
        for i, blocks in zip(members, allocate_week(policy, holidays, items)):
            rated[i].blocks = blocks
    for r in rated.values():
        k = r.contract
        for hours, multiplier in r.blocks:
            unrounded = hours * r.rate * multiplier
            if r.rule.unit == "day":
                unrounded = unrounded / k.hours_per_day
            amount = round_to(unrounded, k.places, k.rounding_mode)
            r.parts.append((hours, amount))
            r.amount += amount
    return results


# ---------------------------------------------------------------- eligibility (SPEC §6)


@dataclass(slots=True)
class Assessed:
    kind: str  # "entry" or "expense"
    index: int  # input position
    record: dict[str, Any]
    date: dt.date
    reasons: set[str]
    contract: Contract | None
    amount: Decimal | None = None  # priced amount, when rating (or pricing) succeeded
    parts: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    hours: Decimal | None = None
    group: tuple[str, str, Decimal] | None = None
    billed: Decimal | None = None  # the part billed now
    billed_hours: Decimal | None = None
    held: Decimal | None = None  # the part held at the cap

    @property
    def status(self) -> str:
        if self.billed is not None and self.held:
            return "partially_eligible"
        if self.billed is not None:
            return "eligible"
        return "deferred" if "outside_period" in self.reasons else "exception"


def common_checks(firm: Firm, r: dict[str, Any], date: dt.date, reasons: set[str]) -> Contract | None:
    """Approval, employment, project, contract dates, customer: shared by entries and expenses."""
    if r["status"] != "approved":
        reasons.add("not_approved")
    approver = r.get("approved_by")
    if approver is not None:
        if approver == r["worker_id"]:
            reasons.add("self_approved")
        if r["project_id"] not in firm.approves.get(approver, ()):
            reasons.add("approver_not_authorized")
    elif r["status"] == "approved":
        reasons.add("approver_not_authorized")
    employment = firm.employment.get(r["worker_id"])
    if employment is None:
        reasons.add("unknown_reference")
    elif date < employment[0] or (employment[1] is not None and date > employment[1]):
        reasons.add("worker_not_employed")
    project = firm.projects.get(r["project_id"])
    if project is None:
        reasons.add("unknown_reference")
        return None
    if project["status"] != "open":
        reasons.add("project_closed")
    contract = firm.contracts.get(project["contract_id"])
    if contract is None:
        reasons.add("unknown_reference")
        return None
    if date < contract.start or (contract.end is not None and date > contract.end):
        reasons.add("contract_inactive")
    customer = firm.customers.get(contract.customer_id)
    if customer is None:
        reasons.add("unknown_reference")
    elif customer["status"] != "active":
        reasons.add("customer_on_hold")
    return contract


class Ledger:
    """What earlier runs billed, per (kind, id): versions and open (not credited) amounts."""

    def __init__(self, lines: list[dict[str, Any]]) -> None:
        self.by_record: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for line in lines:
            self.by_record[(line["kind"], line["id"])].append(line)

    def versions(self, kind: str, record_id: str) -> set[int]:
        return {line["version"] for line in self.by_record.get((kind, record_id), ())}

    def open_amount(self, kind: str, record_id: str, version: int) -> tuple[Decimal, Decimal | None, str] | None:
        lines = [line for line in self.by_record.get((kind, record_id), ()) if line["version"] == version]
        amount = sum((Decimal(line["amount"]) for line in lines), ZERO)
        if amount <= 0:
            return None
        hours = [Decimal(line["hours"]) for line in lines if line.get("hours") is not None]
        first = next(line for line in lines if Decimal(line["amount"]) > 0)
        return amount, (sum(hours, ZERO) if hours else None), first["invoice_number"]

    def invoiced_per_contract(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (kind, _), lines in self.by_record.items():
            if kind in ("entry", "expense"):
                for line in lines:
                    out[line["contract_id"]] += Decimal(line["amount"])
        return out


def assess_entries(firm: Firm, entries: list[dict[str, Any]], indices: list[int], ledger: Ledger,
                   period: tuple[dt.date, dt.date], fx: FxTable, fx_date: dt.date | None,
                   holidays: set[dt.date]) -> list[Assessed]:  # fmt: skip
    dates = [dt.date.fromisoformat(e["date"]) for e in entries]
    rated = rate_entries(firm, entries, dates, fx, fx_date, holidays)
    day_totals: dict[tuple[str, dt.date], Decimal] = defaultdict(lambda: ZERO)
    hours_of = [Decimal(e["hours"]) for e in entries]
    for e, date, hours in zip(entries, dates, hours_of):
        if ZERO < hours <= DAY:
            day_totals[(e["worker_id"], date)] += hours
    out = []
    for i, e in enumerate(entries):
        date, reasons = dates[i], set[str]()
        contract = common_checks(firm, e, date, reasons)
        task_id = e.get("task_id")
        project = firm.projects.get(e["project_id"])
        task = firm.tasks[e["project_id"]].get(task_id) if project is not None and task_id is not None else None
        if not e.get("billable", True) or (project is not None and not project.get("billable", True)) or (
            task is not None and not task.get("billable", True)
        ):
            reasons.add("not_billable")
        if contract is not None and contract.billing_type != "time_and_materials":
            reasons.add("contract_not_hourly")
        if not ZERO < hours_of[i] <= DAY or day_totals[(e["worker_id"], date)] > DAY:
            reasons.add("invalid_hours")
        line = rated[i]
        a = Assessed("entry", indices[i], e, date, reasons, contract)
        if isinstance(line, RatingError):
            reasons.add(line.code)
        else:
            a.amount, a.parts, a.hours = line.amount, line.parts, line.billable_hours
            a.contract = line.contract
            role = firm.workers[e["worker_id"]]["role"]
            a.group = (role, task_id or "", line.hourly_rate)
        ledger_and_period(a, ledger, period)
        if not reasons and a.amount is not None:
            a.billed, a.billed_hours = a.amount, a.hours
        out.append(a)
    return out


def ledger_and_period(a: Assessed, ledger: Ledger, period: tuple[dt.date, dt.date]) -> None:
    if a.record.get("version", 1) in ledger.versions(a.kind, a.record["id"]):
        a.reasons.add("already_invoiced")
    if not period[0] <= a.date <= period[1]:
        a.reasons.add("outside_period")


def assess_expenses(firm: Firm, expenses: list[dict[str, Any]], indices: list[int], ledger: Ledger,
                    period: tuple[dt.date, dt.date], fx: FxTable, fx_date: dt.date | None) -> list[Assessed]:  # fmt: skip
    out = []
    for i, x in enumerate(expenses):
        date, reasons = dt.date.fromisoformat(x["date"]), set[str]()
        contract = common_checks(firm, x, date, reasons)
        project = firm.projects.get(x["project_id"])
        if (
            not x.get("billable", True)
            or (project is not None and not project.get("billable", True))
            or (contract is not None and contract.billing_type == "non_billable")
        ):
            reasons.add("not_billable")
        if contract is not None and contract.receipt_required and not x.get("receipt", False):
            reasons.add("receipt_missing")
        a = Assessed("expense", indices[i], x, date, reasons, contract)
        if contract is not None:
            try:
                amount = Decimal(x["amount"]["amount"]) * (ONE + contract.markup_percent / HUNDRED)
                if x["amount"]["currency"] != contract.currency:
                    amount *= fx.rate(x["amount"]["currency"], contract.currency, fx_date or date)
                a.amount = round_to(amount, contract.places, contract.rounding_mode)
            except RatingError as err:
                reasons.add(err.code)
            a.group = (x["category"], "", ZERO)
        ledger_and_period(a, ledger, period)
        if not reasons and a.amount is not None:
            a.billed = a.amount
        out.append(a)
    return out


def apply_caps(records: list[Assessed], invoiced: dict[str, Decimal]) -> None:
    """Consume each contract's not-to-exceed in date order, entries before expenses, then id; split the crossing one."""
    queue: dict[str, list[Assessed]] = defaultdict(list)
    for a in records:
        if a.billed is not None and a.contract is not None and a.contract.not_to_exceed is not None:
            queue[a.contract.id].append(a)
    for contract_id, members in queue.items():
        contract = members[0].contract
        assert contract is not None and contract.not_to_exceed is not None
        left = contract.not_to_exceed - invoiced.get(contract_id, ZERO)
        members.sort(key=lambda a: (a.date, a.kind != "entry", a.record["id"], a.index))
        for a in members:
            assert a.billed is not None
            if a.billed <= left:
                left -= a.billed
                continue
            budget = max(left, ZERO)
            a.held = a.billed - budget
            a.reasons.add("cap_exceeded")
            if budget > 0:
                a.billed = budget
                if a.kind == "entry":
                    a.billed_hours = cut_hours(a.parts, budget)
            else:
                a.billed = None
            left = ZERO


def cut_hours(parts: list[tuple[Decimal, Decimal]], budget: Decimal) -> Decimal:
    """Hours billed when the parts are billed up to ``budget``: the cut part pro rata, to 2 places."""
    hours = ZERO
    for part_hours, amount in parts:
        if budget <= 0:
            break
        if amount <= budget:
            hours += part_hours
            budget -= amount
        else:
            hours += round_to(part_hours * budget / amount, 2, "half_away_from_zero")
            budget = ZERO
    return hours


# ---------------------------------------------------------------- tax (SPEC §7)


def valid_vat_number(tax_id: str | None, country: str) -> bool:
    """Format and check digits of a DE or FR VAT number (docs/tax.md §4)."""
    text = "".join(ch for ch in (tax_id or "").upper() if ch not in " .-/,:()")
    if text.startswith(country):
        text = text[2:]
    if country == "DE":
        if len(text) != 9 or not text.isdigit() or text[0] == "0":
            return False
        product = 10  # ISO 7064 MOD 11,10
        for ch in text[:8]:
            total = (int(ch) + product) % 10 or 10
            product = (2 * total) % 11
        return (11 - product) % 10 == int(text[8])
    if country == "FR":
        key, siren = text[:2], text[2:]
        if len(siren) != 9 or not siren.isdigit():
            return False
        luhn = sum(int(d) if i % 2 == 0 else sum(divmod(2 * int(d), 10)) for i, d in enumerate(reversed(siren)))
        if luhn % 10 != 0 and siren[:3] != "000":
            return False
        if not key.isdigit():
            raise Unsupported("alphanumeric French VAT keys are not in the baseline")
        return int(key) == (12 + 3 * (int(siren) % 97)) % 97
    raise Unsupported(f"VAT numbers of {country} are not in the baseline")


@dataclass(slots=True)
class Treatment:
    rules: list[tuple[str, Decimal]]  # (rule id, rate in percent): empty for an untaxed supply


def determine(seller: dict[str, Any], customer: dict[str, Any] | None, date: dt.date,
              tax_rules: list[dict[str, Any]]) -> Treatment:  # fmt: skip
    """The invoice's tax treatment, or RatingError(invalid_tax_id | tax_rule_missing | unknown_reference)."""
    if customer is None:
        raise RatingError("unknown_reference")
    s, c = seller["country"], customer["country"]
    if s not in EU or seller.get("subdivision") or customer.get("subdivision"):
        raise Unsupported("the baseline handles EU sellers without subdivisions")
    domestic = s == c
    if not domestic and c not in EU:
        return Treatment([])  # out of scope: taxed in the customer's country, outside the EU VAT area
    if customer.get("tax_exempt"):
        return Treatment([])
    if domestic:
        rules = [
            (r["id"], Decimal(r["rate"]))
            for r in tax_rules
            if r["jurisdiction"] == c
            and r["category"] == "standard"
            and (not r.get("effective_from") or dt.date.fromisoformat(r["effective_from"]) <= date)
            and (not r.get("effective_to") or date <= dt.date.fromisoformat(r["effective_to"]))
        ]
        if not rules:
            raise RatingError("tax_rule_missing")
        if any(r.get("compound") for r in tax_rules if r["id"] in {rid for rid, _ in rules}):
            raise Unsupported("compound taxes are not in the baseline")
        return Treatment(rules)
    # Both in the EU, different countries: reverse charge when both VAT numbers are valid.
    if not valid_vat_number(customer.get("tax_id"), c):
        raise RatingError("invalid_tax_id")
    if not any(valid_vat_number(t, s) for t in seller.get("tax_ids", [])):
        raise RatingError("invalid_tax_id")
    return Treatment([])


# ---------------------------------------------------------------- the run (SPEC §8)


@dataclass(slots=True)
class Item:
    kind: str  # entry, expense, milestone
    line: int  # 0 credit, 1 labour, 2 expense, 3 milestone
    index: int
    id: str
    version: int
    contract: Contract
    date: dt.date
    amount: Decimal
    group: tuple[str, str, Decimal] | None


def month_end(date: dt.date) -> dt.date:
    following = date.replace(day=28) + dt.timedelta(days=4)
    return following - dt.timedelta(days=following.day)


def billing_window(schedule: str, date: dt.date, period: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """The window of ``schedule`` holding ``date``, clipped to the period."""
    if schedule == "weekly":
        start = date - dt.timedelta(days=date.weekday())
        window = (start, start + dt.timedelta(days=6))
    elif schedule == "semi_monthly":
        window = (date.replace(day=1), date.replace(day=15)) if date.day <= 15 else (date.replace(day=16), month_end(date))
    elif schedule == "monthly":
        window = (date.replace(day=1), month_end(date))
    else:
        window = period
    return max(window[0], period[0]), min(window[1], period[1])


def dedupe(records: list[dict[str, Any]]) -> list[str | None]:
    """Per record: None to keep it, or why not (a newer version, or an earlier identical copy)."""
    newest: dict[str, int] = {}
    for r in records:
        newest[r["id"]] = max(newest.get(r["id"], 0), r.get("version", 1))
    seen: set[tuple[str, int]] = set()
    out: list[str | None] = []
    for r in records:
        key = (r["id"], r.get("version", 1))
        if newest[r["id"]] > key[1]:
            out.append("superseded")
        elif key in seen:
            out.append("duplicate_record")
        else:
            seen.add(key)
            out.append(None)
    return out


def run(req: dict[str, Any]) -> dict[str, Any]:
    """Run the invoice run over an ``invoice_run`` request dict; returns the invoices and the queue counts."""
    with localcontext(CONTEXT):
        return _run(req)


def _run(req: dict[str, Any]) -> dict[str, Any]:
    policy = req.get("policy") or {}
    if policy.get("grouping", "contract") != "contract" or policy.get("lines", "role_task") != "role_task":
        raise Unsupported("the baseline groups per contract and per (role, task, rate)")
    period = (dt.date.fromisoformat(req["period"]["start"]), dt.date.fromisoformat(req["period"]["end"]))
    invoice_date = dt.datetime.fromisoformat(req["as_of"]).date()
    firm = Firm(req)
    fx_policy = policy.get("fx") or {}
    fx = FxTable(req.get("fx_rates", []), fx_policy.get("allow_inverse", True), fx_policy.get("pivot"))
    fx_date = {"entry_date": None, "invoice_date": invoice_date, "period_end": period[1]}[
        policy.get("fx_date", "period_end")
    ]
    holidays = {dt.date.fromisoformat(d) for d in req.get("holidays", [])}
    ledger = Ledger(req.get("ledger", []))
    eligibility_period = (dt.date.min, period[1]) if policy.get("before_period", "bill") == "bill" else period

    exceptions: list[tuple[int, int, dict[str, Any]]] = []  # (kind order, input index, item)
    deferred: list[tuple[int, int, dict[str, Any]]] = []

    def queue(kind: str, index: int, record_id: str, version: int, reasons: set[str] | list[str],
              held: Decimal | None = None, to: list = exceptions) -> None:  # fmt: skip
        kind_order = ["entry", "expense", "milestone"].index(kind)
        codes = sorted(reasons, key=REASON_ORDER.__getitem__)
        to.append((kind_order, index, {"kind": kind, "id": record_id, "version": version, "reasons": codes,
                                       "held_amount": held}))  # fmt: skip

    # 1. Duplicates.
    kept: dict[str, tuple[list[dict[str, Any]], list[int]]] = {}
    for kind, records in (("entry", req.get("entries", [])), ("expense", req.get("expenses", []))):
        keep = dedupe(records)
        for i, (r, why) in enumerate(zip(records, keep)):
            if why:
                queue(kind, i, r["id"], r.get("version", 1), [why])
        indices = [i for i, why in enumerate(keep) if why is None]
        kept[kind] = ([records[i] for i in indices], indices)

    # 2. Eligibility and rating; what a changed record will credit no longer counts toward its cap.
    invoiced = ledger.invoiced_per_contract()
    for kind, (records, _) in kept.items():
        for r in records:
            for v in ledger.versions(kind, r["id"]) - {r.get("version", 1)}:
                opened = ledger.open_amount(kind, r["id"], v)
                if opened is not None:
                    contract_id = next(
                        line["contract_id"] for line in ledger.by_record[(kind, r["id"])] if line["version"] == v
                    )
                    if contract_id in invoiced:
                        invoiced[contract_id] -= opened[0]
    assessed = assess_entries(firm, *kept["entry"], ledger, eligibility_period, fx, fx_date, holidays)
    assessed += assess_expenses(firm, *kept["expense"], ledger, eligibility_period, fx, fx_date)
    apply_caps(assessed, invoiced)

    items: list[Item] = []
    for a in assessed:
        r = a.record
        version = r.get("version", 1)
        if a.billed is None:
            queue(a.kind, a.index, r["id"], version, a.reasons, a.held,
                  to=deferred if "outside_period" in a.reasons else exceptions)  # fmt: skip
            continue
        assert a.contract is not None
        others = ledger.versions(a.kind, r["id"]) - {version}
        if others:
            opened = ledger.open_amount(a.kind, r["id"], max(others))
            if opened is not None:
                items.append(Item(a.kind, 0, a.index, r["id"], max(others), a.contract, a.date, -opened[0], None))
        line = 1 if a.kind == "entry" else 2
        items.append(Item(a.kind, line, a.index, r["id"], version, a.contract, a.date, a.billed, a.group))
        if a.held:
            queue(a.kind, a.index, r["id"], version, a.reasons, a.held)

    # 3. Milestones: accepted ones are billed once.
    for i, m in enumerate(req.get("milestones", [])):
        version = m.get("version", 1)
        contract = firm.contracts.get(m["contract_id"])
        if contract is None:
            queue("milestone", i, m["id"], version, ["unknown_reference"])
            continue
        reasons = []
        if version in ledger.versions("milestone", m["id"]) or m["status"] == "invoiced":
            reasons.append("already_invoiced")
        customer = firm.customers.get(contract.customer_id)
        if customer is None:
            reasons.append("unknown_reference")
        elif customer["status"] != "active":
            reasons.append("customer_on_hold")
        if m["status"] == "pending":
            reasons.append("not_accepted")
        if reasons:
            queue("milestone", i, m["id"], version, reasons,
                  to=deferred if reasons == ["not_accepted"] else exceptions)  # fmt: skip
            continue
        due = dt.date.fromisoformat(m["due"])
        date = min(max(due, period[0]), period[1])
        others = ledger.versions("milestone", m["id"]) - {version}
        if others:
            opened = ledger.open_amount("milestone", m["id"], max(others))
            if opened is not None:
                items.append(Item("milestone", 0, i, m["id"], max(others), contract, date, -opened[0], None))
        amount = round_to(Decimal(m["amount"]), contract.places, contract.rounding_mode)
        items.append(Item("milestone", 3, i, m["id"], version, contract, date, amount, None))

    # 4. Group into invoices: one per contract and billing window.
    drafts: dict[tuple[str, str, str, dt.date, dt.date], list[Item]] = defaultdict(list)
    for item in items:
        k = item.contract
        anchor = min(max(item.date, period[0]), period[1])
        window = billing_window(k.billing_schedule, anchor, period)
        drafts[(k.customer_id, k.id, k.currency, *window)].append(item)

    # 5. Tax, totals and numbers, in key order.
    numbering = req["numbering"]
    number = numbering["next"]
    invoices = []
    for key in sorted(drafts):
        customer_id, contract_id, currency, start, end = key
        members = drafts[key]
        contract = firm.contracts[contract_id]
        try:
            treatment = determine(req["seller"], firm.customers.get(customer_id), invoice_date, req.get("tax_rules", []))
        except RatingError as err:
            for item in members:
                if item.line != 0:
                    queue(item.kind, item.index, item.id, item.version, [err.code])
            continue
        # Lines: labour per (role, task, hourly rate), expenses per category, the others one each.
        lines: dict[Any, Decimal] = defaultdict(lambda: ZERO)
        for n, item in enumerate(members):
            line_key = (item.line, item.group) if item.group is not None else (item.line, n)
            lines[line_key] += item.amount
        places, mode = contract.places, contract.rounding_mode
        subtotal = sum(lines.values(), ZERO)
        tax = ZERO
        for _, rate in treatment.rules:
            fraction = rate / HUNDRED
            if contract.tax_rounding == "per_line":
                tax += sum((round_magnitude(amount * fraction, places, mode) for amount in lines.values()), ZERO)
            else:
                tax += round_magnitude(sum((amount * fraction for amount in lines.values()), ZERO), places, mode)
        width = numbering.get("width", 4)
        invoices.append({
            "number": f"{numbering.get('prefix', '')}{number:0{width}d}",
            "customer_id": customer_id,
            "contract_id": contract_id,
            "currency": currency,
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "subtotal": str(subtotal.quantize(QUANTUM[places])),
            "tax_total": str(tax.quantize(QUANTUM[places])),
            "total": str((subtotal + tax).quantize(QUANTUM[places])),
        })  # fmt: skip
        number += 1

    exceptions.sort(key=lambda t: (t[0], t[1]))
    deferred.sort(key=lambda t: (t[0], t[1]))

    def by_reason(queued: list[tuple[int, int, dict[str, Any]]]) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for _, _, q in queued:
            for code in q["reasons"]:
                counts[code] += 1
        return dict(sorted(counts.items()))

    return {
        "invoices": invoices,
        "exceptions": [q for _, _, q in exceptions],
        "deferred": [q for _, _, q in deferred],
        "next_number": number,
        "counters": {
            "invoices": len(invoices),
            "exceptions_by_reason": by_reason(exceptions),
            "deferred_by_reason": by_reason(deferred),
        },
    }


# ---------------------------------------------------------------- comparing with billable


def summary(response: dict[str, Any]) -> dict[str, Any]:
    """What the benchmark compares: per invoice (number, customer, contract, window, subtotal, tax, total),
    the invoice count and the exception and deferred counts per reason code. Works on billable's
    ``invoice_run`` response and on this module's ``run`` result alike."""
    return {
        "invoices": [
            (i["number"], i["customer_id"], i["contract_id"], i["period"]["start"], i["period"]["end"],
             i["subtotal"], i["tax_total"], i["total"])  # fmt: skip
            for i in response["invoices"]
        ],
        "invoice_count": response["counters"]["invoices"],
        "exceptions_by_reason": dict(response["counters"]["exceptions_by_reason"]),
        "deferred_by_reason": dict(response["counters"]["deferred_by_reason"]),
    }


def differences(expected: dict[str, Any], actual: dict[str, Any], limit: int = 10) -> list[str]:
    """Human-readable differences between two summaries (empty when they agree)."""
    out = []
    for name in ("invoice_count", "exceptions_by_reason", "deferred_by_reason"):
        if expected[name] != actual[name]:
            out.append(f"{name}: billable {expected[name]} != baseline {actual[name]}")
    a, b = {i[0]: i for i in expected["invoices"]}, {i[0]: i for i in actual["invoices"]}
    for number in sorted(a.keys() | b.keys()):
        if a.get(number) != b.get(number):
            out.append(f"invoice {number}: billable {a.get(number)} != baseline {b.get(number)}")
            if len(out) >= limit:
                break
    return out


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    result = run(request)
    print(json.dumps({"counters": result["counters"], "first_invoices": result["invoices"][:3]}, indent=2))


if __name__ == "__main__":
    main()
