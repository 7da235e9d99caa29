"""Every shared golden vector, through every way into the Python binding."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vectors import Case, cases, subset

import billable

CASES = [pytest.param(case, id=case.id) for case in cases()]
DICT_CASES = [pytest.param(case, id=case.id) for case in cases() if case.request is not None]


def error_document(err: billable.BillableError) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": err.code, "message": err.message, "path": err.path}
    if err.details is not None:
        doc["details"] = err.details
    return doc


def check(case: Case, run: Any) -> None:
    assert case.source, f"{case.id}: every case says where its numbers come from"
    expected_response, expected_error = case.expect.get("response"), case.expect.get("error")
    assert expected_response is not None or expected_error is not None, "expect has neither response nor error"
    try:
        response = run()
    except billable.BillableError as err:
        if expected_error is None:
            pytest.fail(f"expected a response, got error {err}")
        why = subset(expected_error, error_document(err), "error")
        assert why is None, why
        return
    if expected_error is not None:
        pytest.fail(f"expected an error, got {response}")
    why = subset(expected_response, response, "response")
    assert why is None, why


@pytest.mark.parametrize("case", DICT_CASES)
def test_dict(case: Case) -> None:
    """The operation's own function with a dict (JSON numbers with a fraction as ``Decimal``).

    A name without a function (a vector of ``unknown_operation``, or an operation merged into the core before
    its line in ``operations!``, which ``test_operations.py`` reports) goes through ``billable.call``.
    """
    function = getattr(billable, case.operation, None) if case.operation in billable.OPERATIONS else None
    if function is not None:
        check(case, lambda: function(case.request))
    else:
        check(case, lambda: billable.call(case.operation, case.request))


@pytest.mark.parametrize("case", CASES)
def test_call_json_text(case: Case) -> None:
    """The generic call with the request's JSON text, as str and as bytes."""
    check(case, lambda: billable.call(case.operation, case.request_json))
    check(case, lambda: billable.call(case.operation, case.request_json.encode()))
    check(case, lambda: json.loads(billable.call_json(case.operation, case.request_json)))


@pytest.mark.parametrize("case", DICT_CASES)
def test_dict_response_is_the_json_form_byte_for_byte(case: Case) -> None:
    """``json.dumps`` of the dict response is ``call_json``'s text (the CLI's output) byte for byte."""
    try:
        expected = billable.call_json(case.operation, case.request_json)
    except billable.BillableError as text_err:
        with pytest.raises(billable.BillableError) as dict_err:
            billable.call(case.operation, case.request)
        assert (type(dict_err.value), dict_err.value.code, dict_err.value.path) == (
            type(text_err),
            text_err.code,
            text_err.path,
        )
        return
    response = billable.call(case.operation, case.request)
    assert json.dumps(response, separators=(",", ":"), ensure_ascii=False) == expected
