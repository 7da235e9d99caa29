"""Typed classes and JSON documents: the one place they are converted.

Every typed class (``Money``, ``Worker``, ``RoundResult``, ...) is a frozen
dataclass deriving from :class:`Record`. Its field names are the document's
keys (``snake_case``; a field whose key is a Python keyword, like ``from``,
names its key in ``field(metadata={"key": "from"})``). The conversion is by
type only:

* ``to_document()``: ``Decimal`` -> decimal string (scale kept), ``date`` ->
  ``YYYY-MM-DD``, ``datetime`` -> ISO 8601 text, enums -> their value, nested
  records -> documents, tuples -> lists; fields that are ``None`` are left out
  (as the Rust types skip them).
* ``from_document(doc)``: the reverse, driven by the field annotations;
  unknown keys (``api_version``) are ignored, absent keys take the field's
  default.

No rule lives here: every check and every computation is the core's.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

from billable import _native

Decoder = Callable[[Any, str], Any]


class Record:
    """Base of every typed class: conversion to and from its document."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def to_document(self) -> dict[str, Any]:
        """The JSON document of this value (plain ``dict``/``list``/``str``/``int``/``bool``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.metadata.get("key", f.name)] = encode(value)
        return out

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Self:
        """Build the typed value from its document (as the core returns it)."""
        return typing.cast(Self, _decode_record(cls, document, ""))


def encode(value: Any) -> Any:
    """A Python value as plain document values (see the module docstring)."""
    if isinstance(value, Record):
        return value.to_document()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            # NaN, sNaN and the infinities stay Decimals: the binding refuses them as
            # non_finite_number, as it does in a dict (their text would be invalid_decimal).
            return value
        # Decimal's own text, not a subclass's __str__ (which may show it rounded).
        return decimal.Decimal.__str__(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: encode(v) for k, v in value.items()}
    return value


def document(**fields: Any) -> dict[str, Any]:
    """A request document from keyword fields, leaving out those that are ``None``."""
    return {k: encode(v) for k, v in fields.items() if v is not None}


def _error(code: str, message: str, path: str) -> _native.ValidationError:
    err = _native.ValidationError(f"{code}: {message}" + (f" (at {path})" if path else ""))
    err.code, err.message, err.path, err.details = code, message, path, None
    return err


def _join(parent: str, child: str) -> str:
    if not parent:
        return child
    return f"{parent}{child}" if child.startswith("[") else f"{parent}.{child}"


def _decode_record(cls: type[Record], doc: Any, path: str) -> Record:
    if not isinstance(doc, Mapping):
        raise _error("invalid_type", f"expected an object for {cls.__name__}, found {type(doc).__name__}", path)
    values: dict[str, Any] = {}
    for name, key, decoder, required in _plan(cls):
        if key in doc:
            values[name] = decoder(doc[key], _join(path, key))
        elif required:
            raise _error("missing_field", f"`{_join(path, key)}` is required", _join(path, key))
    return cls(**values)


_PLANS: dict[type[Record], tuple[tuple[str, str, Decoder, bool], ...]] = {}


def _plan(cls: type[Record]) -> tuple[tuple[str, str, Decoder, bool], ...]:
    """For each field: its name, document key, decoder and whether it is required (computed once per class)."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _make_plan(cls)
    return plan


def _make_plan(cls: type[Record]) -> tuple[tuple[str, str, Decoder, bool], ...]:
    hints = typing.get_type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        plan.append((f.name, f.metadata.get("key", f.name), _decoder(hints[f.name]), required))
    return tuple(plan)


def _decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda v, p: None if v is None else inner(v, p)
    if origin is tuple:
        item = _decoder(args[0])
        return lambda v, p: tuple(item(x, f"{p}[{i}]") for i, x in enumerate(_sequence(v, p)))
    if origin is dict:
        item = _decoder(args[1])
        return lambda v, p: {k: item(x, _join(p, k)) for k, x in _mapping(v, p).items()}
    if hint is decimal.Decimal:
        return _decimal
    if hint is datetime.datetime:
        return _datetime
    if hint is datetime.date:
        return _date
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        enum_type = hint
        return lambda v, p: _enum(enum_type, v, p)
    if isinstance(hint, type) and issubclass(hint, Record):
        record_type = hint
        return lambda v, p: _decode_record(record_type, v, p)
    return lambda v, p: v


def _sequence(value: Any, path: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, (list, tuple)):
        raise _error("invalid_type", f"expected a list, found {type(value).__name__}", path)
    return value


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _error("invalid_type", f"expected an object, found {type(value).__name__}", path)
    return value


def _decimal(value: Any, path: str) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            return decimal.Decimal(value)
        except decimal.InvalidOperation:
            pass
    raise _error("invalid_decimal", f"`{value!r}` is not a decimal number", path)


def _date(value: Any, path: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _error("invalid_date", f"`{value!r}` is not a date of the form YYYY-MM-DD", path)


def _datetime(value: Any, path: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise _error("invalid_instant", f"`{value!r}` is not an RFC 3339 instant", path)


def _enum(enum_type: type[enum.Enum], value: Any, path: str) -> enum.Enum:
    try:
        return enum_type(value)
    except ValueError:
        known = ", ".join(str(m.value) for m in enum_type)
        raise _error("invalid_value", f"`{value}` is not a {enum_type.__name__} (one of {known})", path) from None
