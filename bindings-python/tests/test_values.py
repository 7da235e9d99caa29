"""How Python values enter a document: exact decimals, floats through repr, dates, instants, paths of bad values."""

from __future__ import annotations

import datetime
import math
import types
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

import billable
from billable import _native

UTC = datetime.timezone.utc


def test_decimal_in_decimal_string_out() -> None:
    # 10.005 is a tie at the third place; half_even keeps the even neighbour 10.00.
    out = billable.round({"amount": Decimal("10.005"), "currency": "USD", "mode": "half_even"})
    assert (out["amount"], out["original"], out["difference"]) == ("10.00", "10.005", "-0.005")
    # The typed form gives Decimals with the same scale.
    typed = billable.round_amount(Decimal("10.005"), "USD", billable.RoundingMode.HALF_EVEN)
    assert typed.amount == Decimal("10.00") and str(typed.amount) == "10.00"


def test_decimal_keeps_its_scale_and_exponent() -> None:
    # scale 2 of 1.50 is kept; 1E+2 is 100 read exactly.
    assert billable.round({"amount": Decimal("1.50"), "scale": 2})["original"] == "1.50"
    assert billable.round({"amount": Decimal("1E+2"), "scale": 0})["amount"] == "100"


def test_float_goes_through_repr() -> None:
    # repr(0.1) is '0.1': the request means one tenth, not 0.1000000000000000055511151231257827...
    assert billable.round({"amount": 0.1, "scale": 1})["original"] == "0.1"
    # 1/3 as a float is 0.3333333333333333 (16 threes), its shortest round-trip text.
    assert billable.round({"amount": 1 / 3, "scale": 2})["original"] == repr(1 / 3) == "0.3333333333333333"
    # A float that is a whole number: repr(2.0) is '2.0', scale 1.
    assert billable.round({"amount": 2.0, "scale": 0})["original"] == "2.0"


@pytest.mark.parametrize(
    "amount",
    [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")],
    ids=repr,
)
def test_non_finite_numbers_are_refused(amount: Any) -> None:
    with pytest.raises(billable.ValidationError) as err:
        billable.round({"amount": amount, "currency": "USD"})
    assert (err.value.code, err.value.path) == ("non_finite_number", "amount")


def test_non_finite_deep_in_a_document_names_its_path() -> None:
    with pytest.raises(billable.ValidationError) as err:
        billable.allocate({"amount": "1.00", "currency": "USD", "ratios": [1, 2, math.nan]})
    assert (err.value.code, err.value.path) == ("non_finite_number", "ratios[2]")


def test_integers_are_exact_at_any_size() -> None:
    # 2**70 = 1180591620717411303424, past 64 bits, read exactly.
    assert billable.round({"amount": 2**70, "scale": 0})["original"] == "1180591620717411303424"
    # 10**30 has 31 digits: more than a 96-bit decimal holds, refused rather than rounded.
    with pytest.raises(billable.ValidationError) as err:
        billable.round({"amount": 10**30, "scale": 0})
    assert (err.value.code, err.value.path) == ("amount_out_of_range", "amount")


def test_a_number_subclass_is_read_by_its_value_not_its_str() -> None:
    # A Decimal subclass that shows itself rounded still means 10.005 (a tie: half away from zero gives 10.01),
    # and an int subclass whose str is "1" still means 2**70. Both paths, and the typed layer's encode.
    class Shown(Decimal):
        def __str__(self) -> str:
            return f"{self:.2f}"

    class Small(int):
        def __repr__(self) -> str:
            return "1"

        __str__ = __repr__

    for call in (billable.round, lambda r: _native._call_reference("round", r)):
        assert call({"amount": Shown("10.005"), "currency": "USD"})["amount"] == "10.01"
        assert call({"amount": Small(2**70), "scale": 0})["original"] == "1180591620717411303424"
    assert billable.round_amount(Shown("10.005"), "USD").amount == Decimal("10.01")


def test_a_dict_changed_while_it_is_read_is_read_as_it_was() -> None:
    # to_document() runs Python code while the request is read; here it changes the request dict itself.
    # Iterating a dict that changes size panicked (a PanicException, which `except Exception` misses); the
    # request is now read from a copy taken when its dict is reached, on both paths.
    for call in (billable.round, lambda r: _native._call_reference("round", r)):
        request: dict[str, Any] = {"amount": "1", "currency": "USD"}

        class Changes:
            def to_document(self) -> str:
                request["added"] = 1
                request.pop("currency", None)
                return "x"

        request["note"] = Changes()
        out = call(request)
        assert (out["amount"], out["currency"]) == ("1.00", "USD")


def test_bool_is_not_an_amount() -> None:
    with pytest.raises(billable.ValidationError) as err:
        billable.round({"amount": True, "currency": "USD"})
    assert (err.value.code, err.value.path) == ("invalid_type", "amount")


def test_tuples_are_lists() -> None:
    # 11.00 by 1:1:1 is 1100 cents / 3 = 366 r 2: two leftover cents to the first two shares.
    out = billable.allocate({"amount": "11.00", "currency": "USD", "ratios": (1, 1, 1)})
    assert out["shares"] == ["3.67", "3.67", "3.66"]


def test_date_is_iso() -> None:
    rates = [{"base": "EUR", "quote": "USD", "rate": "1.0850", "as_of": datetime.date(2026, 1, 2)}]
    request = {
        "amount": {"amount": Decimal("100"), "currency": "EUR"},
        "to": "USD",
        "date": datetime.date(2026, 1, 5),
        "rates": rates,
    }
    out = billable.convert(request)
    # 100 x 1.0850 = 108.5000, rounded to cents 108.50; the rate of 2026-01-02 is the latest on or before 01-05.
    assert (out["converted"], out["as_of"]) == ({"amount": "108.50", "currency": "USD"}, "2026-01-02")


def test_aware_datetime_is_rfc3339() -> None:
    # The converted text shows in the error's message: the currency field echoes what it was given.
    instant = datetime.datetime(2026, 3, 31, 17, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    with pytest.raises(billable.CurrencyError) as err:
        billable.round({"amount": "1", "currency": instant})
    assert "2026-03-31T17:00:00+02:00" in err.value.message


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(billable.ValidationError) as err:
        billable.validate({"workers": [{"id": "w1", "hired_at": datetime.datetime(2026, 1, 1, 9, 0)}]})
    assert (err.value.code, err.value.path) == ("invalid_instant", "workers[0].hired_at")


def test_values_a_document_cannot_hold_are_invalid_type_with_their_path() -> None:
    with pytest.raises(billable.ValidationError) as err:
        billable.allocate({"amount": "1", "currency": "USD", "ratios": [1, {1, 2}]})
    assert (err.value.code, err.value.path) == ("invalid_type", "ratios[1]")
    assert "set" in err.value.message
    with pytest.raises(billable.ValidationError) as err:
        billable.validate({"workers": [{1: "int key"}]})
    assert (err.value.code, err.value.path) == ("invalid_type", "workers[0]")


class _Record(Mapping[str, Any]):
    """A caller's read-only record type: a Mapping, not a dict."""

    def __init__(self, **fields: Any) -> None:
        self._fields = fields

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


def test_any_mapping_is_read_as_its_dict() -> None:
    # The stub promises Mapping[str, Any]: a read-only view and a caller's Mapping class are read as their items,
    # at the top and nested, on the direct path and the reference path alike.
    request = types.MappingProxyType({"amount": "1.00", "currency": "USD", "ratios": [1, 2]})
    expected = billable.allocate(dict(request))
    assert expected["shares"] == ["0.33", "0.67"]
    assert billable.allocate(request) == expected
    assert _native._call_direct("allocate", request) == expected
    assert _native._call_reference("allocate", request) == expected
    inner = {"workers": [_Record(id="w1", name="Ada", role="consultant",
                                 employment=_Record(status="active", start="2025-01-06"))]}
    assert billable.validate(inner) == billable.validate({"workers": [{
        "id": "w1", "name": "Ada", "role": "consultant", "employment": {"status": "active", "start": "2025-01-06"}}]})
    # Its keys are held to the dict rule: str only, the path names the record.
    with pytest.raises(billable.ValidationError) as err:
        billable.validate({"workers": [types.MappingProxyType({1: "int key"})]})
    assert (err.value.code, err.value.path) == ("invalid_type", "workers[0]")


def test_json_text_as_str_and_bytes() -> None:
    text = '{"amount": 10.005, "currency": "USD", "mode": "half_even"}'
    assert billable.round(text)["amount"] == "10.00"
    assert billable.round(text.encode())["amount"] == "10.00"
    with pytest.raises(billable.ValidationError) as err:
        billable.round('{"amount": NaN, "currency": "USD"}')
    assert (err.value.code, err.value.path) == ("non_finite_number", "amount")
    with pytest.raises(billable.ValidationError) as err:
        billable.round('{"amount": ')
    assert err.value.code == "invalid_json"
    with pytest.raises(billable.ValidationError) as err:
        billable.round(b"\xff")
    assert err.value.code == "invalid_json"


def test_typed_records_inside_a_document() -> None:
    worker = billable.Worker(
        id="w1",
        name="Ada",
        role="consultant",
        employment=billable.Employment(status=billable.EmploymentStatus.ACTIVE, start=datetime.date(2025, 1, 6)),
    )
    out = billable.validate({"workers": [worker, worker.to_document()]})
    # The same id twice: one duplicate_id problem at the second record.
    assert out["counts"] == {"workers": 2}
    assert [(p["code"], p["path"]) for p in out["problems"]] == [("duplicate_id", "workers[1].id")]


def test_response_values_are_plain() -> None:
    out = billable.allocate({"amount": "11.00", "currency": "USD", "ratios": [1, 1, 1]})
    assert type(out) is dict and type(out["shares"]) is list and type(out["shares"][0]) is str
    assert type(out["leftover_to"][0]) is int
    assert list(out)[0] == "api_version" and out["api_version"] == billable.API_VERSION


def test_nesting_is_bounded() -> None:
    # A list that contains itself would recurse forever; past 128 levels the document is refused.
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(billable.ValidationError) as err:
        billable.allocate({"amount": "1", "currency": "USD", "ratios": loop})
    assert err.value.code == "invalid_value"
    assert err.value.path.startswith("ratios[1][1][1]")
    deep: Any = "1"
    for _ in range(200):
        deep = {"x": deep}
    with pytest.raises(billable.ValidationError) as err:
        billable.validate({"workers": [deep]})
    assert err.value.code == "invalid_value"


EVENT = {
    "specversion": "1.0",
    "id": "e1",
    "source": "psa://acme",
    "type": "timesheet.submitted",
    "subject": "ts-1",
    "time": "2026-03-02T09:00:00+01:00",
    "data": {"worker_id": "w1", "project_id": "p1", "hours": 1.5, "big": 2**70, "rate": Decimal("100.50")},
}
EVENT_TEXT = (
    '{"specversion":"1.0","id":"e1","source":"psa://acme","type":"timesheet.submitted","subject":"ts-1",'
    '"time":"2026-03-02T09:00:00+01:00","data":{"worker_id":"w1","project_id":"p1","hours":1.5,'
    '"big":1180591620717411303424,"rate":100.50}}'
)


@pytest.mark.parametrize("call", [billable.apply_events, lambda doc: _native._call_reference("apply_events", doc)])
def test_numbers_in_free_form_fields_stay_numbers(call: Any) -> None:
    """An event redelivered as a dict after arriving as text is a duplicate, not a conflict: 1.5, 2**70 and
    Decimal("100.50") are the numbers the text holds, so the fingerprint is the same."""
    first = billable.call("apply_events", '{"events": [' + EVENT_TEXT + "]}")
    again = call({"events": [EVENT], "records": first["records"], "seen": first["seen"]})
    assert again["outcomes"][0]["outcome"] == "duplicate"
    assert again["seen"] == first["seen"]


@pytest.mark.parametrize("number", [Decimal("5"), 5.0, 2**70])
def test_a_number_where_a_string_is_required_is_refused(number: Any) -> None:
    """As JSON text refuses {"id": 5}: a number is not an id, whatever Python type carries it."""
    worker = {"id": number, "name": "W", "role": "consultant", "employment": {"status": "active", "start": "2020-01-01"}}
    response = billable.validate({"workers": [worker]})
    assert [(p["code"], p["path"]) for p in response["problems"]] == [("invalid_type", "workers[0].id")]


@pytest.mark.parametrize("amount", [Decimal("sNaN"), Decimal("NaN"), Decimal("-Infinity")])
def test_non_finite_decimals_are_refused_alike_by_the_typed_functions(amount: Decimal) -> None:
    with pytest.raises(billable.ValidationError) as typed:
        billable.round_amount(amount, "USD")
    with pytest.raises(billable.ValidationError) as plain:
        billable.round({"amount": amount, "currency": "USD"})
    assert typed.value.code == plain.value.code == "non_finite_number"


class _Raises:
    """A typed value whose ``to_document()`` raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def to_document(self) -> Any:
        raise self.error


class _RaisingOffset(datetime.tzinfo):
    """A tzinfo whose ``utcoffset`` raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def utcoffset(self, dt: datetime.datetime | None) -> datetime.timedelta:
        raise self.error

    def dst(self, dt: datetime.datetime | None) -> datetime.timedelta:
        return datetime.timedelta(0)

    def tzname(self, dt: datetime.datetime | None) -> str:
        return "raising"


class _RaisingMapping(Mapping[str, Any]):
    """A caller's mapping whose items raise ``error`` when read."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __getitem__(self, key: str) -> Any:
        raise self.error

    def __iter__(self) -> Iterator[str]:
        return iter(["amount"])

    def __len__(self) -> int:
        return 1


class _RaisingClass:
    """An object whose ``__class__`` raises ``error``: ``isinstance`` checks run it."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        raise self.error


# Both paths: the call (the direct reader first) and the reference path alone.
PATHS = [billable.round, lambda r: _native._call_reference("round", r)]


@pytest.mark.parametrize(
    "call",
    [*PATHS, lambda r: _native._call_direct("round", r)],
    ids=["call", "reference", "direct"],
)
@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(3), MemoryError("out of memory")])
@pytest.mark.parametrize("where", ["to_document", "tzinfo", "mapping", "isinstance"])
def test_an_interrupt_raised_while_a_request_is_read_goes_on_as_it_is(call: Any, error: BaseException, where: str) -> None:
    # Ctrl-C (or sys.exit, or running out of memory) inside the caller's own code that the conversion runs is not
    # the document's fault: it reaches the caller unchanged, never as a ValidationError that an
    # `except billable.BillableError` would take for bad data.
    value: Any = {
        "to_document": _Raises(error),
        "tzinfo": datetime.datetime(2026, 1, 1, tzinfo=_RaisingOffset(error)),
        "mapping": _RaisingMapping(error),
        "isinstance": _RaisingClass(error),
    }[where]
    with pytest.raises(type(error)) as raised:
        call({"amount": "1", "currency": "USD", "note": value})
    assert raised.value is error


def test_an_interrupt_stops_the_call_without_reading_the_request_again() -> None:
    # The direct reader meets it first and raises it: the reference path does not run the caller's code a second time.
    calls = []

    class Interrupted:
        def to_document(self) -> Any:
            calls.append(1)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        billable.round({"amount": "1", "currency": "USD", "note": Interrupted()})
    assert len(calls) == 1


@pytest.mark.parametrize("call", PATHS, ids=["call", "reference"])
def test_an_ordinary_exception_in_to_document_is_the_documents_error(call: Any) -> None:
    with pytest.raises(billable.ValidationError) as err:
        call({"amount": "1", "currency": "USD", "note": _Raises(ValueError("no such record"))})
    assert (err.value.code, err.value.path) == ("invalid_value", "note")
    assert "no such record" in err.value.message


@pytest.mark.parametrize("call", PATHS, ids=["call", "reference"])
def test_a_to_document_attribute_that_fails_to_load_says_why(call: Any) -> None:
    # Looking `to_document` up ran the caller's code, which failed: its message, not "cannot be part of a document".
    class Lazy:
        @property
        def to_document(self) -> Any:
            raise LookupError("record 42 was not loaded")

    class NoMethod:
        def __getattr__(self, name: str) -> Any:
            raise AttributeError(name)

    with pytest.raises(billable.ValidationError) as err:
        call({"amount": "1", "currency": "USD", "note": Lazy()})
    assert (err.value.code, err.value.path) == ("invalid_value", "note")
    assert "record 42 was not loaded" in err.value.message
    with pytest.raises(billable.ValidationError) as err:
        call({"amount": "1", "currency": "USD", "note": NoMethod()})
    assert (err.value.code, err.value.path) == ("invalid_type", "note")


@pytest.mark.parametrize("call", PATHS, ids=["call", "reference"])
def test_a_mapping_whose_getattr_reads_its_items_is_still_read_as_a_mapping(call: Any) -> None:
    # The usual attribute-dict: `__getattr__` reads an item, so looking `to_document` up raises KeyError.
    class AttrMap(_Record):
        def __getattr__(self, name: str) -> Any:
            return self[name]

    out = call(AttrMap(amount="1.005", currency="USD"))
    assert (out["amount"], out["currency"]) == ("1.01", "USD")


@pytest.mark.parametrize("call", [*PATHS, lambda r: _native._call_direct("round", r)], ids=["call", "reference", "direct"])
def test_an_interrupt_in_the_mapping_check_goes_on_as_it_is(call: Any) -> None:
    # `isinstance(x, Mapping)` runs the subclass hooks of Mapping's subclasses: Ctrl-C there is the caller's, as
    # anywhere else (pyo3's mapping cast printed it as "Exception ignored" and went on).
    armed, error = [True], KeyboardInterrupt()

    class Hooked(Mapping[str, Any]):
        @classmethod
        def __subclasshook__(cls, other: type) -> Any:
            if armed:
                raise error
            return NotImplemented

        def __getitem__(self, key: str) -> Any:
            raise KeyError(key)

        def __iter__(self) -> Iterator[str]:
            return iter(())

        def __len__(self) -> int:
            return 0

    class Plain:  # a fresh class, so no isinstance answer about it is cached
        pass

    try:
        with pytest.raises(KeyboardInterrupt) as raised:
            call({"amount": "1", "currency": "USD", "note": Plain()})
        assert raised.value is error
    finally:
        armed.clear()


@pytest.mark.parametrize("call", PATHS, ids=["call", "reference"])
def test_a_mapping_whose_to_document_fails_says_why(call: Any) -> None:
    # Only KeyError (an attribute-dict reading an item) makes a mapping fall back to its items.
    class Broken(_Record):
        @property
        def to_document(self) -> Any:
            raise RuntimeError("broken record")

    with pytest.raises(billable.ValidationError) as err:
        call({"amount": "1", "currency": "USD", "note": Broken(a=1)})
    assert (err.value.code, err.value.path) == ("invalid_value", "note")
    assert "broken record" in err.value.message


@pytest.mark.parametrize("call", PATHS, ids=["call", "reference"])
def test_a_registered_mapping_without_keys_is_refused_not_read_as_pairs(call: Any) -> None:
    # A mapping is read through keys() and an item per key; one registered with the ABC that has no keys() is
    # refused, never read as a sequence of pairs ({"id": "x"} would have become {"i": "d"}).
    # `_Record`'s methods, but not a `Mapping` subclass, so no `keys()` mixin.
    class Bare:
        __init__ = _Record.__init__
        __getitem__ = _Record.__getitem__
        __iter__ = _Record.__iter__
        __len__ = _Record.__len__

    Mapping.register(Bare)
    with pytest.raises(billable.ValidationError) as err:
        call({"amount": "1", "currency": "USD", "note": Bare(id="x")})
    assert (err.value.code, err.value.path) == ("invalid_value", "note")
    assert "keys" in err.value.message
