"""Checking canonical records as typed classes: ``validate_records`` over ``billable.validate``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from billable import _native
from billable._documents import Record, document

_Records = Sequence[Record | Mapping[str, Any]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem(Record):
    """One problem in the records: its stable code, a message and the path of the field at fault."""

    code: str
    message: str
    path: str = ""
    details: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ValidationReport(Record):
    """Every problem found; ``valid`` when there is none. ``counts``: records received per kind."""

    valid: bool
    counts: dict[str, int]
    problems: tuple[Problem, ...]


def validate_records(
    *,
    workers: _Records | None = None,
    customers: _Records | None = None,
    contracts: _Records | None = None,
    projects: _Records | None = None,
    rate_cards: _Records | None = None,
    entries: _Records | None = None,
    expenses: _Records | None = None,
    milestones: _Records | None = None,
    fx_rates: _Records | None = None,
    tax_rules: _Records | None = None,
    opportunities: _Records | None = None,
    allocations: _Records | None = None,
) -> ValidationReport:
    """Check records of any kinds together (ids unique, references resolve, ranges hold).

    Each kind takes typed records (``billable.Worker``, ...) or plain dicts as
    they arrive from another system; a kind left out is not checked, nor are
    references into it.
    """
    request = document(
        workers=workers,
        customers=customers,
        contracts=contracts,
        projects=projects,
        rate_cards=rate_cards,
        entries=entries,
        expenses=expenses,
        milestones=milestones,
        fx_rates=fx_rates,
        tax_rules=tax_rules,
        opportunities=opportunities,
        allocations=allocations,
    )
    return ValidationReport.from_document(_native.validate(request))
