"""The direct path (Python values read straight into the typed request, the typed response written straight to
Python values) against the reference path (Python values → JSON document → the core's document form → Python).

Every call goes direct first and hands the request to the reference path when the direct reader refuses it,
so the reference path decides every error. These tests check the two paths agree wherever the direct one
answers, and that it does answer every well-formed request (a silent fallback would only cost speed, so it is
checked here rather than noticed in a benchmark).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from vectors import Case, cases

import billable
from billable import _native

CASES = [pytest.param(case, id=case.id) for case in cases()]
DICT_CASES = [pytest.param(case, id=case.id) for case in cases() if case.request is not None]
UTC = datetime.timezone.utc


def dumps(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def outcome(run: Any) -> tuple[str, Any]:
    try:
        return "response", run()
    except billable.BillableError as err:
        return "error", (type(err), err.code, err.message, err.path, err.details)


@pytest.mark.parametrize("case", DICT_CASES)
def test_every_vector_answers_directly_as_the_reference_does(case: Case) -> None:
    reference = outcome(lambda: _native._call_reference(case.operation, case.request))
    direct = outcome(lambda: _native._call_direct(case.operation, case.request))
    if reference[0] == "error":
        # A malformed request: the direct reader refuses it (None, the reference path then decides), or it is
        # well-formed and the core's run raised the same error on both paths.
        assert direct == ("response", None) or direct == reference
        assert outcome(lambda: billable.call(case.operation, case.request)) == reference
        return
    assert direct[1] is not None, "the direct path refused a request the reference path reads"
    assert direct == reference
    assert dumps(direct[1]) == dumps(reference[1]) == billable.call_json(case.operation, case.request_json)


@pytest.mark.parametrize("case", CASES)
def test_json_text_answers_directly(case: Case) -> None:
    reference = outcome(lambda: _native._call_reference(case.operation, case.request_json))
    direct = outcome(lambda: _native._call_direct(case.operation, case.request_json))
    assert direct == reference


class Amount:
    """A typed value: anything with ``to_document()``."""

    def __init__(self, amount: Decimal, currency: str) -> None:
        self.amount, self.currency = amount, currency

    def to_document(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}


GOOD: list[tuple[str, Any]] = [
    ("round", {"amount": Decimal("10.005"), "currency": "USD", "mode": "half_even"}),
    ("round", {"amount": 0.1, "scale": 1}),  # float through repr: "0.1"
    ("round", {"amount": 2**70, "scale": 0}),  # past 64 bits: its exact text
    ("round", {"amount": -7, "scale": 0}),  # a negative int
    ("round", {"amount": True and 3, "scale": 2}),
    ("allocate", {"amount": "1.00", "currency": "USD", "ratios": (1, 2, Decimal("0.5"))}),  # a tuple
    ("convert", {"amount": Amount(Decimal("100.00"), "EUR"), "to": "USD", "date": datetime.date(2026, 3, 31),
                 "rates": [{"base": "EUR", "quote": "USD", "rate": Decimal("1.0850"),
                            "as_of": datetime.date(2026, 3, 30), "source": "ECB"}]}),  # fmt: skip
    ("verify_webhook", {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        "headers": {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                    "webhook-timestamp": "1614265330",
                                    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
                        "payload": '{"test": 2432232314}',
                        "now": datetime.datetime(2021, 2, 25, 15, 2, 10, tzinfo=UTC)}),  # fmt: skip
    ("round", {"amount": "1.5", "scale": 0, "ignored": {"deep": [1, (2, 3), None, datetime.date(2026, 1, 1)]}}),
]


@pytest.mark.parametrize(("operation", "request_"), GOOD, ids=[f"{op}-{i}" for i, (op, _) in enumerate(GOOD)])
def test_python_values_read_directly_as_the_reference_reads_them(operation: str, request_: Any) -> None:
    reference = outcome(lambda: _native._call_reference(operation, request_))
    direct = outcome(lambda: _native._call_direct(operation, request_))
    assert reference[0] == "response", reference
    assert direct[1] is not None, "the direct path refused a request the reference path reads"
    assert direct == reference


BAD: list[tuple[str, Any]] = [
    ("round", {"amount": float("nan"), "currency": "USD"}),
    ("round", {"amount": Decimal("sNaN"), "currency": "USD"}),
    ("round", {"amount": "1.00", "currency": "USD", "unknown": object()}),  # an ignored value of no document type
    ("round", {"amount": object(), "currency": "XYZ"}),  # two problems: the reference path's first one wins
    ("round", {"amount": "abc", "currency": "USD", "mode": {1: 2}}),  # a key that is not a str
    ("verify_webhook", {"secret": "s", "headers": {}, "payload": "", "now": datetime.datetime(2026, 1, 1)}),  # naive
]


@pytest.mark.parametrize(("operation", "request_"), BAD, ids=[f"{op}-{i}" for i, (op, _) in enumerate(BAD)])
def test_malformed_values_get_the_reference_error(operation: str, request_: Any) -> None:
    reference = outcome(lambda: _native._call_reference(operation, request_))
    assert reference[0] == "error"
    assert _native._call_direct(operation, request_) is None
    assert outcome(lambda: billable.call(operation, request_)) == reference


def test_nesting_past_the_limit_is_refused_by_both() -> None:
    deep: list[Any] = []
    for _ in range(200):
        deep = [deep]
    request = {"amount": "1", "scale": 0, "deep": deep}
    assert _native._call_direct("round", request) is None
    with pytest.raises(billable.ValidationError) as err:
        billable.round(request)
    assert err.value.code == "invalid_value"
