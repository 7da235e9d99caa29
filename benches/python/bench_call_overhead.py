"""Per-call overhead of the Python binding, on the smallest operation (``round`` on one amount).

Run from the repository root after building the binding into the virtualenv
(``./scripts/test`` does that)::

    bindings-python/.venv/bin/python benches/python/bench_call_overhead.py

Prints microseconds per call (best of several repeats, so scheduler noise is
left out) for each way in, beside a plain Python function call for scale.
Compare with the Rust-only cost of the same request in ``docs/performance.md``
(criterion ``call_json round``): the difference is what the binding adds.
"""

from __future__ import annotations

import json
import platform
import timeit
from decimal import Decimal

import billable

REQUEST = {"amount": "10.005", "currency": "USD", "mode": "half_even"}
REQUEST_DECIMAL = {"amount": Decimal("10.005"), "currency": "USD", "mode": "half_even"}
REQUEST_JSON = json.dumps(REQUEST)


def noop(request: object) -> object:
    return request


CASES = {
    "python function call (baseline)": lambda: noop(REQUEST),
    "billable.round(dict)": lambda: billable.round(REQUEST),
    "billable.round(dict with Decimal)": lambda: billable.round(REQUEST_DECIMAL),
    "billable.call('round', dict)": lambda: billable.call("round", REQUEST),
    "billable.round(json str) -> dict": lambda: billable.round(REQUEST_JSON),
    "billable.call_json('round', str) -> str": lambda: billable.call_json("round", REQUEST_JSON),
    "billable.round_amount(Decimal) typed": lambda: billable.round_amount(
        Decimal("10.005"), "USD", billable.RoundingMode.HALF_EVEN
    ),
}


def measure(number: int = 20_000, rounds: int = 9) -> dict[str, float]:
    """Microseconds per call for each case: the best of ``rounds``, the cases interleaved so drift hits all alike."""
    best = {name: float("inf") for name in CASES}
    for _ in range(rounds):
        for name, fn in CASES.items():
            best[name] = min(best[name], timeit.timeit(fn, number=number) / number * 1e6)
    return best


def main() -> None:
    print(f"billable {billable.__version__}, Python {platform.python_version()}, {platform.machine()}")
    for name, us in measure().items():
        print(f"{name:45s} {us:7.2f} us/call")


if __name__ == "__main__":
    main()
