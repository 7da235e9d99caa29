#!/usr/bin/env python3
"""Generate the demo firm: Northwind Consulting, about 40 workers in DE, GB and US.

Deterministic (seeded); standard library only. Writes three documents next to
this file:

- firm.json      master data and tables: seller, workers, customers, contracts,
                 projects, rate cards, FX rates, tax rules, holidays, milestones
- february.json  February 2026 timesheets and expenses (the first run)
- march.json     March 2026 timesheets and expenses, plus what changed after
                 February was invoiced (the second run)

The data carries the flaws real data has, each on purpose and listed in
FLAWS below so the demo's exception queue can be checked against it.

Run: python3 examples/demo-firm/generate.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
RNG = random.Random(20260301)

SELLER = {
    "name": "Northwind Consulting GmbH",
    "country": "DE",
    "tax_ids": ["DE811907980"],
}

ROLES = ["partner", "principal", "senior_consultant", "consultant", "analyst"]
FIRST = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Klara", "Lukas",
         "Mia", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara", "Uwe", "Vera", "Will", "Xenia",
         "Yusuf", "Zoe", "Amir", "Bea", "Carl", "Dana", "Emil", "Fay", "Gus", "Hana", "Ivan", "June",
         "Kofi", "Lena", "Milo", "Nina"]
LAST = ["Fischer", "Walker", "Schmidt", "Evans", "Meyer", "Brown", "Wagner", "Taylor", "Becker", "Moore",
        "Hoffmann", "Clark", "Koch", "Hall", "Richter", "Young", "Klein", "King", "Wolf", "Wright",
        "Neumann", "Green", "Braun", "Baker", "Zimmer", "Adams", "Krause", "Nelson", "Lange", "Hill",
        "Vogel", "Scott", "Roth", "Lopez", "Berg", "Reed", "Frank", "Ward", "Jung", "Cook"]
SKILLS = ["sap_fi", "salesforce", "data_engineering", "cloud_migration", "change_management", "pricing",
          "supply_chain", "cybersecurity"]

# (country, currency, count, time zone)
OFFICES = [("DE", "EUR", 18, "Europe/Berlin"), ("GB", "GBP", 12, "Europe/London"), ("US", "USD", 10, "America/New_York")]
COST = {"partner": 140, "principal": 110, "senior_consultant": 85, "consultant": 65, "analyst": 45, "intern": 25}

FLAWS: list[str] = []


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def days(start: str, end: str):
    day = d(start)
    while day <= d(end):
        yield day
        day += dt.timedelta(days=1)


def money(amount, currency):
    return {"amount": str(amount), "currency": currency}


def workers():
    out = []
    n = 0
    for country, currency, count, tz in OFFICES:
        for i in range(count):
            role = ROLES[min(i // 3, 4)] if i < 15 else "consultant"
            wid = f"W{n + 1:03d}"
            w = {
                "id": wid,
                "name": f"{FIRST[n]} {LAST[n]}",
                "role": role,
                "cost_rate": money(Decimal(COST[role]) * {"EUR": 1, "GBP": Decimal("0.85"), "USD": Decimal("1.1")}[currency], currency),
                "employment": {"status": "active", "start": "2022-01-01"},
                "skills": [{"name": s, "level": RNG.randint(2, 5)} for s in RNG.sample(SKILLS, 2)],
                "schedule": [{"effective_from": "2022-01-01", "hours": {k: "8" for k in ["mon", "tue", "wed", "thu", "fri"]}}],
                "country": country,
                "time_zone": tz,
                "approver_for": [],
            }
            out.append(w)
            n += 1
    # An intern nobody priced: every billable hour is rate_missing.
    out[17]["role"] = "intern"
    out[17]["cost_rate"] = money("25", "EUR")
    FLAWS.append(f"{out[17]['id']} is an intern; no rate card prices interns (rate_missing)")
    # Someone who left mid-February but kept booking.
    out[29]["employment"] = {"status": "terminated", "start": "2023-05-01", "end": "2026-02-13"}
    FLAWS.append(f"{out[29]['id']} left on 2026-02-13 and still booked time after (worker_not_employed)")
    # A part-timer.
    out[5]["schedule"] = [{"effective_from": "2022-01-01", "hours": {"mon": "6", "tue": "6", "wed": "6", "thu": "6"}}]
    return out


CUSTOMERS = [
    {"id": "C01", "name": "Bergmann Maschinenbau AG", "country": "DE", "tax_id": "DE136695976", "billing_currency": "EUR", "status": "active"},
    {"id": "C02", "name": "Lumiere Retail SA", "country": "FR", "tax_id": "FR40303265045", "billing_currency": "EUR", "status": "active"},
    {"id": "C03", "name": "Thames Analytics Ltd", "country": "GB", "tax_id": "GB980780684", "billing_currency": "GBP", "status": "active"},
    {"id": "C04", "name": "Hudson Freight Inc", "country": "US", "billing_currency": "USD", "status": "active"},
    {"id": "C05", "name": "Stiftung Bildung Berlin", "country": "DE", "tax_exempt": True, "billing_currency": "EUR", "status": "active"},
    {"id": "C06", "name": "Pacific Outdoor LLC", "country": "US", "billing_currency": "USD", "status": "billing_hold"},
    {"id": "C07", "name": "Rotterdam Port Services BV", "country": "NL", "tax_id": "NL004495445B01", "billing_currency": "EUR", "status": "active"},
    {"id": "C08", "name": "Alpen Versicherung AG", "country": "CH", "tax_id": "CHE-116.281.710", "billing_currency": "CHF", "status": "active"},
]


def contract(cid, customer, currency, billing_type, card, schedule="monthly", **extra):
    c = {
        "id": cid,
        "customer_id": customer,
        "currency": currency,
        "billing_type": billing_type,
        "start": "2025-10-01",
        "rate_card_id": card,
        "billing_schedule": schedule,
    }
    c.update(extra)
    return c


CONTRACTS = [
    contract("K01", "C01", "EUR", "time_and_materials", "RC-EUR", expense_policy={"markup_percent": "0", "receipt_required": True}),
    contract("K02", "C01", "EUR", "fixed_fee", "RC-EUR", "milestone"),
    contract("K03", "C02", "EUR", "time_and_materials", "RC-EUR", expense_policy={"markup_percent": "5", "receipt_required": True}),
    contract("K04", "C03", "GBP", "time_and_materials", "RC-GBP"),
    contract("K05", "C03", "GBP", "retainer", "RC-GBP", retainer={"amount": "12000.00", "description": "Analytics advisory retainer"}),
    contract("K06", "C04", "USD", "time_and_materials", "RC-USD", "semi_monthly",
             overtime={"daily_threshold": "8", "daily_multiplier": "1.5", "weekly_threshold": "40", "weekly_multiplier": "1.5",
                       "weekend_multiplier": "2.0", "holiday_multiplier": "2.0"}),
    contract("K07", "C04", "USD", "time_and_materials", "RC-USD", "weekly", not_to_exceed="120000.00"),
    contract("K08", "C05", "EUR", "time_and_materials", "RC-EUR"),
    contract("K09", "C06", "USD", "time_and_materials", "RC-USD"),
    contract("K10", "C07", "EUR", "time_and_materials", "RC-EUR",
             duration_rounding={"increment": "0.25", "mode": "up"},
             expense_policy={"markup_percent": "10", "receipt_required": True}),
    contract("K11", "C08", "CHF", "time_and_materials", "RC-EUR", cash_rounding="0.05", tax_rounding="per_document"),
    contract("K12", "C01", "EUR", "non_billable", "RC-EUR"),
]

PROJECTS = [
    {"id": "P01", "contract_id": "K01", "name": "S/4 finance redesign", "status": "open",
     "tasks": [{"id": "T01", "name": "Design"}, {"id": "T02", "name": "Build"}, {"id": "T03", "name": "Internal sync", "billable": False}]},
    {"id": "P02", "contract_id": "K02", "name": "Plant analytics (fixed fee)", "status": "open", "tasks": []},
    {"id": "P03", "contract_id": "K03", "name": "Store pricing", "status": "open", "tasks": []},
    {"id": "P04", "contract_id": "K04", "name": "Data platform", "status": "open", "tasks": []},
    {"id": "P05", "contract_id": "K04", "name": "Legacy report migration", "status": "closed", "tasks": []},
    {"id": "P06", "contract_id": "K05", "name": "Advisory retainer", "status": "open", "tasks": []},
    {"id": "P07", "contract_id": "K06", "name": "Freight network redesign", "status": "open", "tasks": []},
    {"id": "P08", "contract_id": "K07", "name": "Cyber assessment", "status": "open", "tasks": []},
    {"id": "P09", "contract_id": "K08", "name": "Digital school program", "status": "open", "tasks": []},
    {"id": "P10", "contract_id": "K09", "name": "E-commerce replatform", "status": "open", "tasks": []},
    {"id": "P11", "contract_id": "K10", "name": "Port logistics", "status": "open", "tasks": []},
    {"id": "P12", "contract_id": "K11", "name": "Claims transformation", "status": "open", "tasks": []},
    {"id": "P13", "contract_id": "K12", "name": "Pro-bono workshop", "status": "open", "tasks": []},
]
FLAWS.append("P05 is closed but still received time (project_closed)")
FLAWS.append("C06 is on billing hold (customer_on_hold on every K09 record)")
FLAWS.append("P01 task T03 is non-billable (not_billable)")

# Staffing: which office works on which projects, with weights.
STAFFING = {
    "DE": [("P01", 5), ("P02", 2), ("P03", 3), ("P09", 2), ("P11", 3), ("P12", 3), ("P13", 1)],
    "GB": [("P04", 5), ("P05", 1), ("P06", 2), ("P03", 1)],
    "US": [("P07", 4), ("P08", 3), ("P10", 2)],
}

RATE_BASE = {"partner": 320, "principal": 260, "senior_consultant": 210, "consultant": 165, "analyst": 120}


def rate_cards(ws):
    cards = []
    for card, currency, factor in [("RC-EUR", "EUR", Decimal("1")), ("RC-GBP", "GBP", Decimal("0.86")), ("RC-USD", "USD", Decimal("1.08"))]:
        rules = [{"id": f"{card}-{role}", "rate": str((Decimal(r) * factor).quantize(Decimal("0.01"))), "role": role}
                 for role, r in RATE_BASE.items()]
        cards.append({"id": card, "currency": currency, "rules": rules})
    eur = cards[0]["rules"]
    # Customer, contract, project and worker specific prices: the precedence ladder at work.
    eur.append({"id": "RC-EUR-C02-consultant", "rate": "175.00", "role": "consultant", "customer_id": "C02"})
    eur.append({"id": "RC-EUR-K08-all", "rate": "95.00", "contract_id": "K08"})
    eur.append({"id": "RC-EUR-P01-senior", "rate": "225.00", "role": "senior_consultant", "project_id": "P01"})
    eur.append({"id": "RC-EUR-P01-W001", "rate": "350.00", "worker_id": "W001", "project_id": "P01"})
    eur.append({"id": "RC-EUR-2026-uplift", "rate": "172.00", "role": "consultant", "contract_id": "K10", "effective_from": "2026-03-01"})
    cards[2]["rules"].append({"id": "RC-USD-K06-principal", "rate": "295.00", "role": "principal", "contract_id": "K06"})
    return cards


FX = []
for day in days("2026-01-30", "2026-03-31"):
    if day.weekday() < 5:
        k = (day - d("2026-01-30")).days
        FX.append({"base": "EUR", "quote": "USD", "rate": str(Decimal("1.0800") + Decimal(k % 7) / 1000), "as_of": day.isoformat(), "source": "ECB"})
        FX.append({"base": "EUR", "quote": "GBP", "rate": str(Decimal("0.8600") + Decimal(k % 5) / 1000), "as_of": day.isoformat(), "source": "ECB"})
        FX.append({"base": "EUR", "quote": "CHF", "rate": str(Decimal("0.9400") + Decimal(k % 3) / 1000), "as_of": day.isoformat(), "source": "ECB"})

TAX_RULES = [
    {"id": "DE-VAT-19", "jurisdiction": "DE", "category": "standard", "rate": "19", "name": "USt"},
    {"id": "DE-VAT-7", "jurisdiction": "DE", "category": "reduced", "rate": "7", "name": "USt"},
    {"id": "FR-VAT-20", "jurisdiction": "FR", "category": "standard", "rate": "20", "name": "TVA"},
    {"id": "NL-VAT-21", "jurisdiction": "NL", "category": "standard", "rate": "21", "name": "BTW"},
]

HOLIDAYS = ["2026-02-16"]  # Presidents' Day: the US overtime policy pays a holiday premium

MILESTONES = [
    {"id": "M01", "contract_id": "K02", "name": "Discovery report", "amount": "40000.00", "due": "2026-02-27", "status": "accepted"},
    {"id": "M02", "contract_id": "K02", "name": "Pilot plant live", "amount": "60000.00", "due": "2026-03-27", "status": "accepted"},
    {"id": "M03", "contract_id": "K02", "name": "Rollout", "amount": "80000.00", "due": "2026-05-29", "status": "pending"},
]


def approver(approvers, project, worker):
    """The project's first approver, or its second when the first is the worker (no self-approval)."""
    first, second = approvers[project]
    return second if first == worker else first


def timesheets(ws, month_start, month_end, tag):
    entries, expenses = [], []
    # Two approvers per project: the first two partners or principals of the staffing office.
    approvers: dict[str, list[str]] = {}
    for w in ws:
        if w["role"] in ("partner", "principal"):
            for project, _ in STAFFING[w["country"]]:
                if len(approvers.setdefault(project, [])) < 2:
                    approvers[project].append(w["id"])
    for w in ws:
        w["approver_for"] = sorted(p for p, ids in approvers.items() if w["id"] in ids)
    n = 0
    for w in ws:
        office = w["country"]
        projects = [p for p, _ in STAFFING[office]]
        weights = [wt for _, wt in STAFFING[office]]
        home = RNG.choices(projects, weights)[0]
        for day in days(month_start, month_end):
            if day.weekday() >= 5 and not (home == "P07" and day.weekday() == 5 and day.day % 3 == 0):
                continue
            parts = [home] if RNG.random() < 0.7 else [home, RNG.choices(projects, weights)[0]]
            total = Decimal(RNG.choice(["7.5", "8", "8", "8.5", "9", "7.55", "10"]))
            if w["id"] == "W006":
                total = Decimal("6")
            split = [total] if len(parts) == 1 else [total - Decimal("2"), Decimal("2")]
            for project, hours in zip(parts, split):
                n += 1
                e = {
                    "id": f"E-{tag}-{n:05d}",
                    "version": 1,
                    "worker_id": w["id"],
                    "project_id": project,
                    "date": day.isoformat(),
                    "hours": str(hours),
                    "billable": True,
                    "status": "approved",
                    "approved_by": approver(approvers, project, w["id"]),
                }
                if project == "P01":
                    e["task_id"] = RNG.choice(["T01", "T02", "T02", "T03"])
                entries.append(e)
            if RNG.random() < 0.04:
                category = RNG.choice(["travel", "lodging", "meals"])
                amount = Decimal(RNG.randint(2000, 60000)) / 100
                currency = {"DE": "EUR", "GB": "GBP", "US": "USD"}[office]
                expenses.append({
                    "id": f"X-{tag}-{len(expenses) + 1:04d}",
                    "version": 1,
                    "worker_id": w["id"],
                    "project_id": home,
                    "date": day.isoformat(),
                    "amount": money(amount, currency),
                    "category": category,
                    "billable": True,
                    "status": "approved",
                    "approved_by": approver(approvers, home, w["id"]),
                    "receipt": RNG.random() > 0.1,
                })
    return entries, expenses, approvers


def sprinkle_flaws(entries, expenses, tag):
    """Put the flaws real data has into a month's records, deterministically."""
    picks = [e for e in entries if e["project_id"] not in ("P05", "P10", "P13") and e["worker_id"] not in ("W018", "W030")]
    unapproved = picks[11]
    unapproved["status"] = "submitted"
    unapproved.pop("approved_by")
    self_approved = picks[23]
    self_approved["approved_by"] = self_approved["worker_id"]
    triple = picks[37]
    triple["status"] = "submitted"
    triple["approved_by"] = triple["worker_id"]
    triple["project_id"] = "P05"
    triple.pop("task_id", None)
    unauthorized = picks[51]
    unauthorized["approved_by"] = "W040" if unauthorized["worker_id"] != "W040" else "W039"
    too_long = picks[64]
    too_long["hours"] = "26"
    writedown = picks[77]
    writedown["adjustment"] = {"billable_hours": str(Decimal(writedown["hours"]) - 1), "reason": "Onboarding time written down"}
    FLAWS.append(f"{tag}: {unapproved['id']} is still submitted (not_approved)")
    FLAWS.append(f"{tag}: {self_approved['id']} was approved by its own worker (self_approved)")
    FLAWS.append(f"{tag}: {triple['id']} is unapproved, self-approved and on closed P05: three reasons at once")
    FLAWS.append(f"{tag}: {unauthorized['id']} was approved by someone not authorized for the project (approver_not_authorized)")
    FLAWS.append(f"{tag}: {too_long['id']} books 26 hours in one entry (invalid_hours)")
    FLAWS.append(f"{tag}: {writedown['id']} carries a write-down with its reason")
    contract_of = {p["id"]: p["contract_id"] for p in PROJECTS}
    requires = {k["id"] for k in CONTRACTS if k.get("expense_policy", {}).get("receipt_required")}
    no_receipt = [x["id"] for x in expenses if not x["receipt"] and contract_of[x["project_id"]] in requires]
    if no_receipt:
        FLAWS.append(f"{tag}: {', '.join(no_receipt)} {'lacks' if len(no_receipt) == 1 else 'lack'} a receipt where the contract requires one (receipt_missing)")


def write(name, doc):
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    (HERE / name).write_text(text, encoding="utf-8")


def main():
    ws = workers()
    feb_entries, feb_expenses, _ = timesheets(ws, "2026-02-01", "2026-02-28", "FEB")
    mar_entries, mar_expenses, _ = timesheets(ws, "2026-03-01", "2026-03-31", "MAR")
    sprinkle_flaws(feb_entries, feb_expenses, "february")
    sprinkle_flaws(mar_entries, mar_expenses, "march")

    # After February was invoiced: two entries were corrected (version 2, other
    # hours: a credit and a new line), and the PSA re-sent one unchanged entry
    # (a duplicate: already_invoiced, billed nothing).
    billed_feb = [e for e in feb_entries if e["status"] == "approved" and e["project_id"] in ("P01", "P04")
                  and e.get("task_id") != "T03" and "adjustment" not in e and e["worker_id"] not in ("W018", "W030")
                  and e["approved_by"] != e["worker_id"] and Decimal(e["hours"]) <= 8]
    changed = []
    for e, new_hours in [(billed_feb[3], "6"), (billed_feb[40], "9.5")]:
        if Decimal(new_hours) == Decimal(e["hours"]):
            new_hours = str(Decimal(new_hours) - 1)
        c = dict(e, version=2, hours=new_hours, notes="corrected after invoicing")
        changed.append(c)
        FLAWS.append(f"march: {c['id']} changed after invoicing ({e['hours']} h -> {new_hours} h): a credit and a new line")
    duplicate = dict(billed_feb[60])
    FLAWS.append(f"march: {duplicate['id']} re-sent unchanged after invoicing (already_invoiced)")
    # A day that adds up to more than 24 hours for one worker in March.
    late = dict(mar_entries[5], id="E-MAR-LATE1", hours="20")
    mar_entries.append(late)
    FLAWS.append(f"march: {late['id']} makes {late['worker_id']}'s {late['date']} add up past 24 hours (invalid_hours)")
    # The PSA sends one March entry twice, same id and version.
    twice = dict(mar_entries[12])
    mar_entries.append(twice)
    FLAWS.append(f"march: {twice['id']} arrives twice with the same version (duplicate_record: the first copy is used)")
    # An entry dated in April arrives early: not due yet.
    early = dict(mar_entries[8], id="E-APR-00001", date="2026-04-01")
    mar_entries.append(early)
    FLAWS.append(f"march: {early['id']} is dated 2026-04-01, after the period (deferred)")

    firm = {
        "seller": SELLER,
        "workers": ws,
        "customers": CUSTOMERS,
        "contracts": CONTRACTS,
        "projects": PROJECTS,
        "rate_cards": rate_cards(ws),
        "milestones": MILESTONES,
        "fx_rates": FX,
        "tax_rules": TAX_RULES,
        "holidays": HOLIDAYS,
        "flaws": FLAWS,
    }
    write("firm.json", firm)
    write("february.json", {"period": {"start": "2026-02-01", "end": "2026-02-28"}, "as_of": "2026-03-02T09:00:00+01:00",
                            "numbering": {"prefix": "NW-2026-", "next": 1},
                            "entries": feb_entries, "expenses": feb_expenses})
    write("march.json", {"period": {"start": "2026-03-01", "end": "2026-03-31"}, "as_of": "2026-04-01T09:00:00+02:00",
                         "entries": mar_entries + changed + [duplicate], "expenses": mar_expenses})
    print(f"{len(ws)} workers, {len(feb_entries)} + {len(mar_entries) + len(changed) + 1} entries, "
          f"{len(feb_expenses)} + {len(mar_expenses)} expenses, {len(FLAWS)} flaws")


if __name__ == "__main__":
    main()
