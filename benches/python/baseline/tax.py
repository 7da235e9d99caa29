"""Tax (SPEC §7): VAT numbers and the determination."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baseline.money import EU, RatingError, Unsupported

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
