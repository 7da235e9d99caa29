"""Rating (SPEC §5): rule selection, duration rounding, overtime."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from baseline.money import DAY, FxTable, ONE, RatingError, ZERO, round_to, round_to_increment
from baseline.master import Contract, Firm, Rule

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
