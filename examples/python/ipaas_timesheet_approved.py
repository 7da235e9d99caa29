"""An iPaaS step: a timesheet was approved in the PSA; validate, rate, check and move it on.

What an integration platform (a Zapier/Workato/Make step, a Lambda behind an
event bus) would run on each ``timesheet.approved`` CloudEvent, with billable
doing the rules:

1. ``billable.validate`` checks the entry the event carries (``data.entry``);
2. ``billable.rate`` prices it against the firm's rate cards;
3. ``billable.eligibility`` decides whether it can be billed in its month;
4. ``billable.apply_events`` moves the record through the sync-state machine
   (SPEC §9, ``docs/sync.md``): the incoming approval (segregation of duties
   is checked there), then this step's own ``record.enriched`` and
   ``record.validated`` events, or ``record.failed`` with the reasons;
5. the last event this step applied is written to stdout as JSON, with the
   rated amount and eligibility in its ``data``: the next step (posting to
   the ERP) subscribes to it. An approval that fails segregation of duties
   is exceptioned by the state machine itself; the step then emits a
   ``billable.record.exceptioned`` notice for the exception queue's owner.

The record's sync state (``records`` and the ``seen`` ledger that makes
redelivery harmless) lives in ``--state FILE`` between calls, as an iPaaS data
store would keep it. A ``timesheet.submitted`` event only updates that state,
so a flow can be replayed from the PSA's first event::

    python examples/python/ipaas_timesheet_approved.py --state /tmp/state.json \\
        examples/python/ipaas/events/timesheet-submitted.json
    python examples/python/ipaas_timesheet_approved.py --state /tmp/state.json \\
        examples/python/ipaas/events/timesheet-approved.json

(the event is read from stdin when no file is given). Delivering the same
event twice changes nothing: the second call reports ``duplicate`` and emits
no new event.

With ``--schedule FOLDER`` it is the month-end step instead: every ``*.json``
document in the folder (master data, the period's records, ...) is merged into
one ``invoice_run`` request (lists are concatenated, other keys must not
conflict), the run's response is written to ``--out FILE`` (default stdout),
and with ``--out`` a ``billing.invoice_run.completed`` event with the counters
is printed::

    python examples/python/ipaas_timesheet_approved.py --schedule examples/python/ipaas/schedule --out run.json

Master data for the event mode comes from ``--firm FILE`` (default: the
schedule folder's ``firm.json``). Needs the package: ``pip install ./bindings-python``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import billable

HERE = Path(__file__).resolve().parent
DEFAULT_FIRM = HERE / "ipaas" / "schedule" / "firm.json"
SOURCE = "ipaas://billable/timesheet-flow"
MASTER_DATA = ("workers", "customers", "contracts", "projects", "rate_cards", "fx_rates", "holidays")


def read_json(path: Path | None) -> Any:
    # parse_float=Decimal: a JSON number such as 7.5 stays exactly 7.5 on its way to billable.
    text = sys.stdin.read() if path is None else path.read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal)


def write_json(value: Any, path: Path | None = None) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def month_of(date: str) -> dict[str, str]:
    day = dt.date.fromisoformat(date)
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {"start": day.replace(day=1).isoformat(), "end": (following - dt.timedelta(days=1)).isoformat()}


def follow_up(incoming: dict[str, Any], step: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """This step's own CloudEvent about the record. Its id derives from the incoming event's, so a
    redelivered approval produces the same follow-up (and billable's dedupe sees a duplicate)."""
    return {
        "specversion": "1.0",
        "id": f"{incoming['id']}/{step}",
        "source": SOURCE,
        "type": step,
        "subject": incoming["subject"],
        "time": incoming["time"],
        "correlationid": incoming.get("correlationid", incoming["id"]),
        "data": {"expected_version": version, "actor": "ipaas", **data},
    }


def check(firm: dict[str, Any], entry: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Validate, rate and assess one entry: (failure reasons, facts for the next step's event)."""
    master = {key: firm[key] for key in MASTER_DATA if key in firm}
    report = billable.validate({"entries": [entry]})
    if not report["valid"]:
        reasons = [{"code": p["code"], "retryable": False} for p in report["problems"]]
        return reasons, {"problems": report["problems"]}

    facts: dict[str, Any] = {}
    result = billable.rate({**master, "entries": [entry]})["results"][0]
    if "line" in result:
        line = result["line"]
        facts["rated"] = {
            "amount": line["amount"],
            "currency": line["currency"],
            "rule_id": line["rule"]["rule_id"],
            "hours": line["hours"]["billable"],
            "hourly_rate": line["hourly_rate"],
        }
    assessment = billable.eligibility({**master, "period": month_of(entry["date"]), "entries": [entry]})
    verdict = assessment["entries"][0]
    facts["eligibility"] = verdict["status"]
    # Deferred (dated outside its month) and billable records go on; every other reason is an exception.
    if verdict["status"] in ("eligible", "partially_eligible", "deferred"):
        return [], facts
    reasons = [{"code": f["code"], "retryable": f["retryable"]} for f in verdict["reasons"]]
    return reasons, facts


def on_event(event: dict[str, Any], firm: dict[str, Any], state: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """Apply the event (and this step's follow-ups) to ``state``; return the event to emit, and a summary."""
    policy = {"workers": firm.get("workers", [])}  # segregation of duties reads the approvers from HRIS data

    def apply(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = billable.apply_events({**state, "events": events, "policy": policy})
        state["records"], state["seen"] = response["records"], response["seen"]
        outcomes: list[dict[str, Any]] = response["outcomes"]
        return outcomes

    if event.get("type") == "timesheet.submitted":
        outcome = apply([event])[0]
        return None, f"{event.get('subject')}: {outcome['outcome']}"
    if event.get("type") != "timesheet.approved":
        raise SystemExit(f"this step handles timesheet.submitted and timesheet.approved, not {event.get('type')!r}")

    approval = apply([event])[0]
    if approval["outcome"] == "exceptioned":  # segregation of duties failed: a person must look at it
        reasons = [r["code"] if isinstance(r, dict) else r for r in approval.get("reasons", [])]
        notice = follow_up(event, "billable.record.exceptioned", approval["version"], {"reasons": reasons})
        return notice, f"{event['subject']}: approval exceptioned ({', '.join(reasons)})"
    if approval["outcome"] != "applied":  # duplicate, stale, out of order, illegal: nothing new to say
        return None, f"{event.get('subject')}: {approval['outcome']}"

    entry = dict(event["data"]["entry"])
    entry.setdefault("status", "approved")
    entry.setdefault("approved_by", event["data"]["approver_id"])
    reasons, facts = check(firm, entry)
    version = approval["version"]
    if reasons:
        events = [follow_up(event, "record.failed", version, {"reasons": reasons, **facts})]
    else:
        enriched = follow_up(event, "record.enriched", version, facts)
        events = [enriched, follow_up(event, "record.validated", version + 1, facts)]
    outcomes = apply(events)
    steps = [approval["from"], *(o.get("to", o["outcome"]) for o in [approval, *outcomes])]
    summary = f"{event['subject']}: " + " -> ".join(steps)
    return events[-1], summary


def schedule(folder: Path, out: Path | None) -> None:
    request: dict[str, Any] = {}
    for path in sorted(folder.glob("*.json")):
        document = read_json(path)
        for key, value in document.items():
            if isinstance(value, list):
                request.setdefault(key, []).extend(value)
            elif key in request and request[key] != value:
                raise SystemExit(f"{path.name}: `{key}` conflicts with an earlier document")
            else:
                request[key] = value
    try:
        response = billable.invoice_run(request)
    except billable.BillableError as err:  # the whole run is refused: a document-level problem
        raise SystemExit(f"invoice run refused: {err}") from err
    write_json(response, out)
    if out is not None:
        counters = response["counters"]
        write_json({
            "specversion": "1.0",
            "id": f"invoice-run/{request['period']['start']}/{request['numbering']['next']}",
            "source": SOURCE,
            "type": "billing.invoice_run.completed",
            "subject": f"{request['period']['start']}..{request['period']['end']}",
            "time": request["as_of"],
            "data": {
                "response": str(out),
                "invoices": counters["invoices"],
                "numbers": [i["number"] for i in response["invoices"]],
                "totals_by_currency": counters["totals_by_currency"],
                "exceptions_by_reason": counters["exceptions_by_reason"],
                "deferred_by_reason": counters["deferred_by_reason"],
                "next_number": response["next_number"],
            },
        })  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("event", nargs="?", type=Path, help="CloudEvent JSON file (default: stdin)")
    parser.add_argument("--state", type=Path, help="sync state kept between calls ({records, seen})")
    parser.add_argument("--firm", type=Path, default=DEFAULT_FIRM, help="master data (workers, contracts, ...)")
    parser.add_argument("--schedule", type=Path, metavar="FOLDER", help="run the invoice run over FOLDER's documents")
    parser.add_argument("--out", type=Path, help="with --schedule: write the response here")
    args = parser.parse_args()

    if args.schedule is not None:
        schedule(args.schedule, args.out)
        return
    event = read_json(args.event)
    firm = read_json(args.firm)
    state = read_json(args.state) if args.state is not None and args.state.exists() else {}
    try:
        emitted, summary = on_event(event, firm, state)
    except billable.BillableError as err:  # e.g. a state file with a duplicate record: not this event's fault
        raise SystemExit(f"{type(err).__name__} {err}") from err
    if args.state is not None:
        write_json(state, args.state)
    print(summary, file=sys.stderr)
    if emitted is not None:
        write_json(emitted)


if __name__ == "__main__":
    main()
