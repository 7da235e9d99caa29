"""Batches from many threads: the GIL is released around large calls, and results equal the serial ones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import billable


def batch(n: int, seed: int) -> dict[str, Any]:
    """``n`` timesheet entries; every seventh has 25 hours (invalid_hours), every eleventh repeats an id."""
    entries = []
    for i in range(n):
        entries.append(
            {
                "id": f"e{seed}-{i - 1 if i % 11 == 10 else i}",
                "worker_id": f"w{i % 5}",
                "project_id": f"p{i % 3}",
                "date": f"2026-01-{1 + i % 28:02d}",
                "hours": "25" if i % 7 == 6 else f"{1 + i % 8}.{i % 4 * 25:02d}",
                "status": "approved",
            }
        )
    return {"entries": entries}


def test_parallel_validate_equals_serial() -> None:
    requests = [batch(200, seed) for seed in range(32)]
    assert len(requests[0]["entries"]) * 6 >= billable._native.DETACH_AT  # large enough to release the GIL
    serial = [billable.validate(r) for r in requests]
    # 200 entries: 28 with 25 hours (i % 7 == 6) and 18 repeated ids (i % 11 == 10).
    codes = [p["code"] for p in serial[0]["problems"]]
    assert (codes.count("invalid_hours"), codes.count("duplicate_id")) == (28, 18)
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(billable.validate, requests))
    assert parallel == serial

