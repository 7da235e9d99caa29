"""Exceptions: one class per category under BillableError, carrying code, message, path and details."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest

import billable

CLASSES = {
    "validation": billable.ValidationError,
    "configuration": billable.ConfigurationError,
    "currency": billable.CurrencyError,
    "tax": billable.TaxError,
    "state": billable.StateError,
    "idempotency": billable.IdempotencyConflictError,
    "webhook": billable.WebhookVerificationError,
}


def test_unknown_currency() -> None:
    with pytest.raises(billable.CurrencyError) as info:
        billable.round({"amount": "1", "currency": "XYZ"})
    err = info.value
    assert isinstance(err, billable.BillableError) and isinstance(err, Exception)
    assert (err.code, err.path, err.details) == ("unknown_currency", "currency", None)
    assert "XYZ" in err.message
    # str() is the error's display: code, message and path, ready for a log line.
    assert str(err) == f"unknown_currency: {err.message} (at currency)"
    assert type(err).__module__ == "billable" and type(err).__qualname__ == "CurrencyError"


def test_details_are_a_dict() -> None:
    with pytest.raises(billable.ValidationError) as info:
        billable.call("bill_everything", {})
    err = info.value
    assert (err.code, err.path) == ("unknown_operation", "")
    assert err.details == {"operations": list(billable.OPERATIONS)}


def test_configuration_category() -> None:
    # Two different EUR/USD rates for one date and source: the table does not determine an answer.
    rates = [
        {"base": "EUR", "quote": "USD", "rate": "1.08", "as_of": "2026-01-02", "source": "ecb"},
        {"base": "EUR", "quote": "USD", "rate": "1.09", "as_of": "2026-01-02", "source": "ecb"},
    ]
    request = {"amount": {"amount": "1", "currency": "EUR"}, "to": "USD", "date": "2026-01-05", "rates": rates}
    with pytest.raises(billable.ConfigurationError) as info:
        billable.convert(request)
    assert info.value.code == "ambiguous_fx_rate"
    assert info.value.path.startswith("rates")


def test_call_json_raises_the_same_exception() -> None:
    with pytest.raises(billable.CurrencyError) as info:
        billable.call_json("round", json.dumps({"amount": "1", "currency": "XYZ"}))
    assert (info.value.code, info.value.path) == ("unknown_currency", "currency")


def test_every_category_of_the_catalogue_has_its_class() -> None:
    catalogue = (Path(__file__).resolve().parents[2] / "docs" / "errors.md").read_text(encoding="utf-8")
    categories = set(re.findall(r"^\| `[a-z_]+` \| ([a-z_]+) \|", catalogue, flags=re.MULTILINE))
    assert categories == set(CLASSES), "a category without an exception class (bindings-python/src/errors.rs)"
    for cls in CLASSES.values():
        assert issubclass(cls, billable.BillableError)
    assert issubclass(billable.BillableError, Exception)
    assert len(set(CLASSES.values())) == len(CLASSES)


def test_exceptions_pickle_with_their_attributes() -> None:
    # Worker processes (multiprocessing, Celery) send exceptions back pickled.
    with pytest.raises(billable.CurrencyError) as info:
        billable.round({"amount": "1", "currency": "XYZ"})
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is billable.CurrencyError
    assert (again.code, again.path, again.message, again.details) == (
        info.value.code,
        info.value.path,
        info.value.message,
        None,
    )


def test_wrong_argument_types_are_type_errors() -> None:
    # The operation name is an argument of the Python API, not part of a document.
    with pytest.raises(TypeError):
        billable.call(42, {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        billable.call_json("round", {"amount": "1"})  # type: ignore[arg-type]
