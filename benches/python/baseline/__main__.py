"""`python -m baseline request.json`: run the baseline and print a summary."""

import json
import sys

from baseline import run


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    result = run(request)
    print(json.dumps({"counters": result["counters"], "first_invoices": result["invoices"][:3]}, indent=2))


main()
