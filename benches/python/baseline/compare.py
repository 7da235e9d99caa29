"""Comparing a response with billable's: summary and differences."""

from __future__ import annotations

from typing import Any


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
