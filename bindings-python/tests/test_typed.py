"""The typed classes: Decimal and date fields, conversion only, and a mirror of the Rust model."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from decimal import Decimal
from typing import Any

import pytest

import billable
from billable import _native
from billable._documents import Record

D = Decimal
JAN_5 = datetime.date(2026, 1, 5)

# Each typed class and the Rust type it mirrors (core/src/model/*.rs, core/src/money/).
MIRRORS: list[type[Record]] = [
    billable.Money,
    billable.FxRate,
    billable.FxPolicy,
    billable.Worker,
    billable.Employment,
    billable.Skill,
    billable.ScheduleVersion,
    billable.WeekHours,
    billable.Customer,
    billable.Contract,
    billable.DurationRounding,
    billable.OvertimePolicy,
    billable.ExpensePolicy,
    billable.Retainer,
    billable.Project,
    billable.Task,
    billable.Milestone,
    billable.RateCard,
    billable.RateRule,
    billable.TimesheetEntry,
    billable.Adjustment,
    billable.Expense,
    billable.TaxRule,
    billable.Opportunity,
    billable.DemandLine,
    billable.Allocation,
]


def test_round_amount() -> None:
    # 10.005 half_even -> 10.00 (0 is even); half_away_from_zero (the default) -> 10.01.
    r = billable.round_amount(D("10.005"), "USD", billable.RoundingMode.HALF_EVEN)
    assert (r.amount, r.currency, r.scale, r.mode, r.original, r.difference) == (
        D("10.00"),
        "USD",
        2,
        billable.RoundingMode.HALF_EVEN,
        D("10.005"),
        D("-0.005"),
    )
    assert billable.round_amount(D("10.005"), "USD").amount == D("10.01")
    # CHF cash rounding to 0.05: 2.02 -> 2.00, difference -0.02.
    cash = billable.round_amount(D("2.02"), "CHF", increment=D("0.05"))
    assert (cash.amount, cash.difference, cash.increment) == (D("2.00"), D("-0.02"), D("0.05"))
    assert billable.round_amount("1.25", scale=1, mode=billable.RoundingMode.DOWN).amount == D("1.2")


def test_allocate_amount() -> None:
    # 11.00 = 1100 cents; by 1:1:1 each gets 366 r 2, the 2 leftover cents go to shares 0 and 1.
    a = billable.allocate_amount(D("11.00"), [1, 1, 1], "USD")
    assert a.shares == (D("3.67"), D("3.67"), D("3.66"))
    assert (a.minor_units, a.leftover_units, a.leftover_to, a.currency) == (D("1100"), D("2"), (0, 1), "USD")


def test_convert_money() -> None:
    rates = [billable.FxRate(base="USD", quote="EUR", rate=D("0.9200"), as_of=datetime.date(2026, 1, 2))]
    policy = billable.FxPolicy(allow_inverse=True)
    c = billable.convert_money(billable.Money(D("92.00"), "EUR"), "USD", JAN_5, rates, policy)
    # No EUR->USD row; the inverse of USD->EUR 0.92 is allowed: 92.00 / 0.92 = 100.00.
    assert c.converted == billable.Money(D("100.00"), "USD")
    assert (c.method, c.as_of) == ("inverse", datetime.date(2026, 1, 2))
    (leg,) = c.path
    assert (leg.from_, leg.to, leg.table_rate, leg.inverted) == ("EUR", "USD", D("0.9200"), True)
    assert leg.to_document()["from"] == "EUR"


def test_validate_records() -> None:
    entry = billable.TimesheetEntry(
        id="e1",
        worker_id="w1",
        project_id="p1",
        date=JAN_5,
        hours=D("25"),
        status=billable.ApprovalStatus.APPROVED,
    )
    report = billable.validate_records(entries=[entry])
    assert not report.valid and report.counts == {"entries": 1}
    # 25 hours in one day is more than 24.
    assert [(p.code, p.path) for p in report.problems] == [("invalid_hours", "entries[0].hours")]
    ok = billable.validate_records(entries=[dataclasses.replace(entry, hours=D("7.5"))])
    assert ok.valid and ok.problems == ()


def test_failures_raise_the_category() -> None:
    with pytest.raises(billable.CurrencyError) as err:
        billable.round_amount(D("1"), "XYZ")
    assert (err.value.code, err.value.path) == ("unknown_currency", "currency")


def test_documents_round_trip() -> None:
    contract = billable.Contract(
        id="c1",
        customer_id="k1",
        currency="EUR",
        billing_type=billable.BillingType.TIME_AND_MATERIALS,
        start=datetime.date(2026, 1, 1),
        rate_card_id="rc1",
        billing_schedule=billable.BillingSchedule.MONTHLY,
        duration_rounding=billable.DurationRounding(increment=D("0.25"), mode=billable.DurationRoundingMode.UP),
        cash_rounding=D("0.05"),
    )
    doc = contract.to_document()
    assert doc["start"] == "2026-01-01" and doc["hours_per_day"] == "8" and doc["cash_rounding"] == "0.05"
    assert doc["duration_rounding"] == {"increment": "0.25", "mode": "up"}
    assert "end" not in doc  # None is left out, as the Rust type skips it
    assert billable.Contract.from_document(doc) == contract
    assert billable.validate_records(contracts=[contract]).valid


def test_from_document_reports_paths() -> None:
    with pytest.raises(billable.ValidationError) as err:
        billable.RateCard.from_document({"id": "rc", "currency": "EUR", "rules": [{"id": "r1"}]})
    assert (err.value.code, err.value.path) == ("missing_field", "rules[0].rate")
    with pytest.raises(billable.ValidationError) as err:
        billable.Employment.from_document({"status": "retired", "start": "2026-01-01"})
    assert (err.value.code, err.value.path) == ("invalid_value", "status")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return root["$defs"][ref.rsplit("/", 1)[1]] if ref else schema


def _enum_values(schema: dict[str, Any]) -> set[str] | None:
    if "oneOf" in schema and all("const" in s for s in schema["oneOf"]):
        return {s["const"] for s in schema["oneOf"]}
    if "enum" in schema:
        return set(schema["enum"])
    return None


def _enum_of(hint: Any) -> type[enum.Enum] | None:
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


@pytest.mark.parametrize("cls", MIRRORS, ids=lambda c: c.__name__)
def test_typed_class_mirrors_the_rust_type(cls: type[Record]) -> None:
    """Field names, required fields, defaults and enum values equal the Rust type's JSON Schema."""
    schema = _native._model_schema(cls.__name__)
    properties: dict[str, Any] = schema["properties"]
    fields = {f.metadata.get("key", f.name): f for f in dataclasses.fields(cls)}
    assert list(fields) == list(properties), "fields, in the Rust order"
    required = {
        k for k, f in fields.items() if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    assert required == set(schema.get("required", [])), "required fields"
    hints = typing.get_type_hints(cls)
    for key, f in fields.items():
        prop = _resolve(properties[key], schema)
        if "default" in properties[key]:
            default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
            assert billable._documents.encode(default) == properties[key]["default"], f"default of {key}"
        enum_type = _enum_of(hints[f.name])
        values = _enum_values(prop) or next(
            (_enum_values(_resolve(s, schema)) for s in prop.get("anyOf", []) if _enum_values(_resolve(s, schema))),
            None,
        )
        if enum_type is not None or values is not None:
            assert enum_type is not None and values is not None, f"{key}: enum on one side only"
            assert {m.value for m in enum_type} == values, f"values of {enum_type.__name__}"


def test_model_schema_refuses_unknown_names() -> None:
    with pytest.raises(KeyError):
        _native._model_schema("Invoice")
