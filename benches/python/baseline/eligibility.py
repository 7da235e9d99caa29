"""Eligibility (SPEC §6): checks, ledger, the not-to-exceed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from baseline.money import DAY, FxTable, HUNDRED, ONE, RatingError, ZERO, round_to
from baseline.master import Contract, Firm
from baseline.rating import rate_entries

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
