"""The run (SPEC §8): windows, dedupe, grouping, totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from baseline.money import (
    CONTEXT,
    FxTable,
    HUNDRED,
    QUANTUM,
    REASON_ORDER,
    RatingError,
    Unsupported,
    ZERO,
    round_magnitude,
    round_to,
)
from baseline.master import Contract, Firm
from baseline.eligibility import Ledger, apply_caps, assess_entries, assess_expenses
from baseline.tax import determine

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
