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

    python -m baseline request.json   # from benches/python     # prints a summary
"""

from __future__ import annotations

from baseline.compare import differences, summary
from baseline.money import RatingError, Unsupported
from baseline.run import run

__all__ = ["RatingError", "Unsupported", "differences", "run", "summary"]
