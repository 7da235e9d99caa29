"""Run every JSON document in a folder through billable and print the results.

Each file holds ``{"operation": "<name>", "request": {...}}``. A refused
request is caught by its category (the exception class), the way an
integration routes records: bad input to the sender, missing master data to
the finance team, everything else to an exception queue.

    python examples/python/run_documents.py [FOLDER]

(FOLDER defaults to ``examples/python/documents``.) Needs the package:
``pip install ./bindings-python``.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import billable


def run(path: Path) -> str:
    # parse_float=Decimal: a JSON number like 10.005 stays exactly 10.005.
    document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    operation, request = document["operation"], document["request"]
    try:
        response = billable.call(operation, request)
    except billable.ValidationError as err:
        return f"REJECTED (fix the input) {err.code} at `{err.path}`: {err.message}"
    except (billable.ConfigurationError, billable.CurrencyError) as err:
        return f"HELD (master data, currency or FX table) {err.code} at `{err.path}`: {err.message}"
    except billable.BillableError as err:
        return f"EXCEPTION QUEUE {type(err).__name__} {err.code}: {err.message}"
    if operation == "validate" and not response["valid"]:
        problems = "; ".join(f"{p['code']} at `{p['path']}`" for p in response["problems"])
        return f"INVALID RECORDS {problems}"
    return "OK " + json.dumps(response, separators=(",", ":"))


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("documents")
    for path in sorted(folder.glob("*.json")):
        print(f"{path.name}: {run(path)}")


if __name__ == "__main__":
    main()
