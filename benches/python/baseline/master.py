"""Master data: rate rules, cards, contracts and the indexed firm."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baseline.money import MINOR_UNITS, Unsupported

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
