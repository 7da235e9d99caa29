"""The invoice run from Python: billable against a pure-Python baseline (issue 8).

Run from the repository root after building the binding into the virtualenv
(``./scripts/test`` does that)::

    bindings-python/.venv/bin/python benches/python/bench_invoice.py [--entries 100000] [--request FILE]

Without ``--request`` it generates the benchmark firm
(``billable_benches::invoice::request(42, entries)``) into a temporary
directory with ``cargo run --release -p billable-benches --example
gen_invoice_request``. The request is loaded with ``json.load(...,
parse_float=Decimal)`` (its decimals are strings already) and passed as a
dict to both sides:

* ``billable.invoice_run(request)``: best of ``--rounds`` (3);
* ``baseline.run(request)`` (``benches/python/baseline/``): once, it is slow;

their invoices (number, subtotal, tax, total), the invoice count and the
exception counts per reason must agree exactly. Prints the times and the
speed-up, the floor under the dict path (a pure-Python walk touching every
request value; the binding's phases: reading the dicts into the typed request,
the core's run, writing the typed response to Python values; ``json.loads`` of
the response text for scale) against baseline / 50, then the cost of one ``billable.rate`` call on a single entry from
dicts (``timeit``, best of several rounds) beside the JSON-text forms. Compare
that with the Rust-only figure of ``cargo bench -p billable-benches --bench
rate_call`` (same request): the difference is the binding's overhead.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import timeit
from decimal import Decimal
from pathlib import Path
from typing import Any

import billable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import baseline  # noqa: E402


def generate(entries: int, folder: Path, seed: int = 42) -> Path:
    """Write the generated firm's request into ``folder`` (cargo builds the generator once)."""
    path = folder / f"invoice-request-{entries}.json"
    with path.open("wb") as out:
        subprocess.run(
            ["cargo", "run", "--quiet", "--release", "-p", "billable-benches", "--example", "gen_invoice_request",
             "--", "--entries", str(entries), "--seed", str(seed)],  # fmt: skip
            cwd=ROOT,
            stdout=out,
            check=True,
        )
    return path


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        request: dict[str, Any] = json.load(f, parse_float=Decimal)
    return request


def best_of(rounds: int, fn: Any) -> tuple[float, Any]:
    """The fastest of ``rounds`` runs (seconds) and the last result; the collector is off while timing."""
    best, result = float("inf"), None
    for _ in range(rounds):
        result = None
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best, result


def bench_run(request: dict[str, Any], text: str, rounds: int, baseline_rounds: int) -> dict[str, float]:
    entries = len(request["entries"])
    print(f"invoice_run: {entries:,} entries, {len(request['expenses']):,} expenses, "
          f"{len(request['milestones']):,} milestones, "
          f"{sum(len(c['rules']) for c in request['rate_cards']):,} rate rules")  # fmt: skip
    t_dict, response = best_of(rounds, lambda: billable.invoice_run(request))
    print(f"  billable.invoice_run(dict)             {t_dict:8.3f} s  (best of {rounds})")
    t_json, _ = best_of(rounds, lambda: billable.call_json("invoice_run", text))
    print(f"  billable.call_json(str) -> str         {t_json:8.3f} s  (best of {rounds}; JSON text both ways)")
    t_base, result = best_of(baseline_rounds, lambda: baseline.run(request))
    print(f"  baseline.run(dict), pure Python        {t_base:8.3f} s  (best of {baseline_rounds})")

    expected, actual = baseline.summary(response), baseline.summary(result)
    problems = baseline.differences(expected, actual)
    assert not problems, "billable and the baseline disagree:\n" + "\n".join(problems)
    print(f"  equal totals: {expected['invoice_count']:,} invoices, subtotal/tax/total per invoice, "
          f"exceptions by reason {expected['exceptions_by_reason']}")  # fmt: skip
    print(f"  speed-up: {t_base / t_dict:.1f}x (dict), {t_base / t_json:.1f}x (JSON text); target >= 50x")
    bench_floor(request, text, rounds, t_base)
    return {"dict": t_dict, "json": t_json, "baseline": t_base}


def walk(value: Any) -> int:
    """Touch every value of a document, as any Python consumer of it must at least; returns how many."""
    count = 1
    if isinstance(value, dict):
        for item in value.values():
            count += walk(item)
    elif isinstance(value, list):
        for item in value:
            count += walk(item)
    return count


def bench_floor(request: dict[str, Any], request_text: str, rounds: int, t_base: float) -> None:
    """What the dict path cannot go below, beside the 50x budget (baseline / 50)."""
    t_walk, values = best_of(rounds, lambda: walk(request))
    phases = [best_of(1, lambda: billable._native._phases("invoice_run", request))[1] for _ in range(rounds)]
    read, run, write = (min(p[k] for p in phases) for k in ("read", "run", "write"))
    text = billable.call_json("invoice_run", request_text)
    t_loads, _ = best_of(rounds, lambda: json.loads(text))
    print(f"  floor (best of {rounds}; budget for 50x: baseline / 50 = {t_base / 50 * 1e3:.0f} ms):")
    print(f"    pure-Python walk of the request        {t_walk * 1e3:8.0f} ms  ({values:,} values)")
    print(f"    read: dicts -> typed request (Rust)    {read * 1e3:8.0f} ms")
    print(f"    run: the core                          {run * 1e3:8.0f} ms")
    print(f"    write: typed response -> Python        {write * 1e3:8.0f} ms  ({len(text) / 1e6:.0f} MB as JSON)")
    print(f"    json.loads of the response text        {t_loads * 1e3:8.0f} ms")


def bench_rate_call(number: int = 20_000, rounds: int = 9) -> dict[str, float]:
    """Microseconds per ``billable.rate`` call on one entry, best of ``rounds``, the cases interleaved."""
    text = (HERE / "rate_one_entry.json").read_text(encoding="utf-8")
    request = json.loads(text, parse_float=Decimal)
    line = billable.rate(request)["results"][0]["line"]
    assert (line["rule"]["rule_id"], line["amount"]) == ("consultants-on-p1", "1162.50"), line  # 7.75 h × 150.00
    cases = {
        "billable.rate(dict) -> dict": lambda: billable.rate(request),
        "billable.rate(json str) -> dict": lambda: billable.rate(text),
        "billable.call_json('rate', str) -> str": lambda: billable.call_json("rate", text),
    }
    best = {name: float("inf") for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            best[name] = min(best[name], timeit.timeit(fn, number=number) / number * 1e6)
    print(f"rate, one entry from dicts ({number:,} calls per round, best of {rounds}):")
    for name, us in best.items():
        print(f"  {name:42s} {us:7.2f} us/call")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--request", type=Path, help="an invoice_run request file (default: generate one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-rounds", type=int, default=1)
    parser.add_argument("--skip-run", action="store_true", help="only the single-entry rate call")
    args = parser.parse_args()

    load_avg = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"billable {billable.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {load_avg}")  # fmt: skip
    if not args.skip_run:
        with tempfile.TemporaryDirectory(prefix="billable-bench-") as tmp:
            path = args.request or generate(args.entries, Path(tmp))
            text = path.read_text(encoding="utf-8")
            request = load(path)
        bench_run(request, text, args.rounds, args.baseline_rounds)
    bench_rate_call()
    print(f"load average after: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
