"""billable's invoice run against the pure-Python baseline of the Python benchmark.

The benchmark (``benches/python/bench_invoice.py``) times both on 100,000
generated entries; here both run on a 5,000-entry request of the same
generator and must agree exactly: every invoice's number, customer, contract,
window, subtotal, tax and total, the invoice count, and the exception and
deferred counts per reason code. A disagreement names the invoices that
differ. (Timing is for the benchmark only, never here.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import billable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "python"))

import baseline  # noqa: E402


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    """The benchmark firm with 5,000 entries (250 expenses, 10 milestones), from the Rust generator."""
    if shutil.which("cargo") is None:
        pytest.skip("cargo is needed to generate the request")
    # A debug build: `cargo test --workspace` has compiled the example already.
    out = subprocess.run(
        ["cargo", "run", "--quiet", "-p", "billable-benches", "--example", "gen_invoice_request", "--",
         "--entries", "5000"],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        check=True,
        env=os.environ.copy(),
    )
    request: dict[str, Any] = json.loads(out.stdout, parse_float=Decimal)
    return request


def test_baseline_gives_billables_totals(generated: dict[str, Any]) -> None:
    expected = baseline.summary(billable.invoice_run(generated))
    actual = baseline.summary(baseline.run(generated))
    assert baseline.differences(expected, actual) == []
    assert expected == actual
    # The firm exercises the three tax regimes and the main reasons (a guard against a degenerate request).
    taxes = {Decimal(i[6]) > 0 for i in expected["invoices"]}
    assert taxes == {True, False}
    assert {"not_approved", "self_approved", "contract_not_hourly", "already_invoiced"} <= set(
        expected["exceptions_by_reason"]
    )


def small_firm(**changes: Any) -> dict[str, Any]:
    """One DE-seller firm, one contract, a few entries: for the rules the generated firm does not reach."""
    request: dict[str, Any] = {
        "period": {"start": "2026-03-01", "end": "2026-03-31"},
        "as_of": "2026-04-01T09:00:00+02:00",
        "seller": {"country": "DE", "tax_ids": ["DE811907980"]},
        "workers": [
            {"id": "w1", "name": "Ada", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"}},
            {"id": "boss", "name": "Bo", "role": "manager", "employment": {"status": "active", "start": "2020-01-01"},
             "approver_for": ["p1"]},
        ],
        "customers": [{"id": "c1", "name": "Kunde", "country": "DE", "tax_id": "DE136695976",
                       "billing_currency": "EUR", "status": "active"}],
        "contracts": [{"id": "k1", "customer_id": "c1", "currency": "EUR", "billing_type": "time_and_materials",
                       "start": "2026-01-01", "rate_card_id": "rc", "billing_schedule": "semi_monthly",
                       "not_to_exceed": "2000.00", "tax_rounding": "per_document",
                       "duration_rounding": {"increment": "0.5", "mode": "nearest", "minimum": "1"},
                       "overtime": {"daily_threshold": "8", "daily_multiplier": "1.5", "weekly_threshold": "40",
                                    "weekly_multiplier": "1.25", "weekend_multiplier": "2",
                                    "holiday_multiplier": "2.5"},
                       "expense_policy": {"markup_percent": "10", "receipt_required": True}}],
        "projects": [{"id": "p1", "contract_id": "k1", "status": "open", "tasks": [{"id": "t1"}]}],
        "rate_cards": [{"id": "rc", "currency": "USD", "rules": [
            {"id": "day", "rate": "800.00", "unit": "day"},
            {"id": "ada", "rate": "120.00", "worker_id": "w1", "project_id": "p1", "effective_to": "2026-03-15"},
            {"id": "t1-a", "rate": "130.00", "task_id": "t1", "effective_from": "2026-03-20"},
            {"id": "t1-b", "rate": "131.00", "task_id": "t1", "effective_from": "2026-03-25"},
        ]}],
        "entries": [
            {"id": "e1", "worker_id": "w1", "project_id": "p1", "date": "2026-03-02", "hours": "6.3",
             "status": "approved", "approved_by": "boss"},
            {"id": "e2", "worker_id": "w1", "project_id": "p1", "date": "2026-03-02", "hours": "4",
             "status": "approved", "approved_by": "boss", "adjustment": {"billable_hours": "3", "reason": "training"}},
            {"id": "e3", "worker_id": "w1", "project_id": "p1", "date": "2026-03-07", "hours": "5",
             "status": "approved", "approved_by": "boss"},
            {"id": "e4", "worker_id": "w1", "project_id": "p1", "date": "2026-03-16", "hours": "9",
             "status": "approved", "approved_by": "boss"},
            {"id": "e5", "worker_id": "w1", "project_id": "p1", "task_id": "t1", "date": "2026-03-26", "hours": "2",
             "status": "approved", "approved_by": "boss"},
            {"id": "e6", "worker_id": "w1", "project_id": "p1", "task_id": "t1", "date": "2026-03-21", "hours": "2",
             "status": "approved", "approved_by": "boss"},
            {"id": "e7", "worker_id": "w1", "project_id": "p1", "date": "2026-04-02", "hours": "2",
             "status": "approved", "approved_by": "boss"},
            {"id": "e8", "worker_id": "w1", "project_id": "p1", "date": "2026-03-03", "hours": "25",
             "status": "approved", "approved_by": "w1"},
            {"id": "e9", "worker_id": "w1", "project_id": "p1", "date": "2026-03-18", "hours": "8",
             "status": "approved", "approved_by": "boss"},
        ],
        "expenses": [
            {"id": "x1", "worker_id": "w1", "project_id": "p1", "date": "2026-03-05",
             "amount": {"amount": "100.00", "currency": "USD"}, "category": "travel", "status": "approved",
             "approved_by": "boss", "receipt": True},
            {"id": "x2", "worker_id": "w1", "project_id": "p1", "date": "2026-03-05",
             "amount": {"amount": "10.00", "currency": "EUR"}, "category": "meals", "status": "approved",
             "approved_by": "boss"},
        ],
        "fx_rates": [{"base": "EUR", "quote": "USD", "rate": "1.0800", "as_of": "2026-03-01"},
                     {"base": "EUR", "quote": "USD", "rate": "1.1000", "as_of": "2026-03-20"}],
        "tax_rules": [{"id": "DE-19", "jurisdiction": "DE", "category": "standard", "rate": "19"}],
        "holidays": ["2026-03-16"],
        "numbering": {"prefix": "T-", "next": 7},
        "policy": {"fx_date": "entry_date"},
    }  # fmt: skip
    request.update(changes)
    return request


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"customers": [{"id": "c1", "name": "Client", "country": "FR", "tax_id": "FR40303265045",
                        "billing_currency": "EUR", "status": "active"}]},  # fmt: skip
        {"customers": [{"id": "c1", "name": "Client", "country": "FR", "tax_id": "FR00303265045",
                        "billing_currency": "EUR", "status": "active"}]},  # fmt: skip
        {"customers": [{"id": "c1", "name": "Client", "country": "US", "billing_currency": "EUR",
                        "status": "active"}]},  # fmt: skip
        {"tax_rules": []},
        {"ledger": [{"kind": "entry", "id": "e1", "version": 0, "contract_id": "k1", "invoice_number": "T-1",
                     "amount": "500.00", "currency": "EUR", "hours": "5"}]},  # fmt: skip
    ],
    ids=["domestic", "reverse-charge", "invalid-vat-number", "out-of-scope", "no-tax-rule", "credit"],
)
def test_baseline_on_rules_the_generated_firm_does_not_reach(changes: dict[str, Any]) -> None:
    # Day rates with FX at each entry date, effective dates and a tie, rounding with a minimum, an adjustment,
    # daily/weekend/holiday overtime, the cap split, expenses with markup and FX, per-document tax, a credit.
    request = small_firm(**changes)
    expected = baseline.summary(billable.invoice_run(request))
    assert baseline.summary(baseline.run(request)) == expected
