"""Reading the shared golden vectors (``tests/vectors/**/*.json``) the way every language's runner does.

Files are found when pytest collects, so a new vector folder is picked up
without touching this suite. The subset rule is ``core/tests/vectors.rs``'s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2] / "tests" / "vectors"


class JsonNumber(str):
    """A JSON number with a fraction or an exponent, kept as its exact text."""


@dataclass(frozen=True)
class Case:
    """One vector case."""

    id: str
    operation: str
    request: dict[str, Any] | None
    """The request as a careful Python caller holds it: JSON numbers with a fraction as ``Decimal``.
    ``None`` for a case given only as text (``request_text``: a key twice in one object, which no dict holds)."""
    request_json: str
    """The request as compact JSON text with every number's text unchanged (what the Rust runner sends)."""
    expect: dict[str, Any]
    source: str


def cases() -> Iterator[Case]:
    """Every case; one given only as ``request_text`` has no dict form (``request`` is ``None``)."""
    files = sorted(ROOT.rglob("*.json"))
    assert files, f"no vectors under {ROOT}"
    for file in files:
        text = file.read_text(encoding="utf-8")
        exact = json.loads(text, parse_float=Decimal)
        raw = json.loads(text, parse_float=JsonNumber)
        for i, (case, raw_case) in enumerate(zip(exact["cases"], raw["cases"], strict=True)):
            yield Case(
                id=f"{file.relative_to(ROOT).as_posix()}::{case.get('name', i)}",
                operation=case["operation"],
                request=case.get("request"),
                request_json=raw_case["request_text"] if "request_text" in raw_case else compact(raw_case["request"]),
                expect=case["expect"],
                source=case.get("source", ""),
            )


def compact(value: Any) -> str:
    """Compact JSON text, key order kept, numbers written as read (``serde_json::to_string``'s form)."""
    if isinstance(value, JsonNumber):
        return str.__str__(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(compact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def subset(expected: Any, actual: Any, path: str = "") -> str | None:
    """Why ``expected`` is not a subset of ``actual``, or ``None`` when it is.

    Objects: every key given must be present and match; arrays: same length,
    element by element; anything else: equal (strings exactly, ``"10.00"`` is
    not ``"10.0"``).
    """
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                return f"{path}.{key}: missing"
            why = subset(value, actual[key], f"{path}.{key}")
            if why:
                return why
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items expected, {len(actual)} found"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            why = subset(e, a, f"{path}[{i}]")
            if why:
                return why
        return None
    if type(expected) is type(actual) and expected == actual:
        return None
    return f"{path}: expected {expected!r}, found {actual!r}"
