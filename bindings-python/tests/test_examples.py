"""The example scripts under examples/python, run end to end as a user would run them (subprocess), so they
cannot rot: the documents runner, and the iPaaS step in its event and schedule modes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "python"
IPAAS = EXAMPLES / "ipaas_timesheet_approved.py"
EVENTS = EXAMPLES / "ipaas" / "events"


def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, check=True, input=stdin, cwd=ROOT
    )


def test_run_documents() -> None:
    lines = run(EXAMPLES / "run_documents.py").stdout.splitlines()
    assert len(lines) == len(list((EXAMPLES / "documents").glob("*.json")))
    outcome = {line.split(":")[0]: line.split(": ", 1)[1].split(" ")[0] for line in lines}
    assert outcome["01-round-half-even.json"] == "OK"
    assert outcome["06-unknown-currency.json"] == "HELD"
    assert outcome["05-validate-timesheet.json"] == "INVALID"


def test_ipaas_approved_timesheet_is_rated_checked_and_moved_on(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    submitted = run(IPAAS, "--state", state, EVENTS / "timesheet-submitted.json")
    assert submitted.stdout == ""  # a submission only updates the state
    assert "E9: applied" in submitted.stderr

    approved = run(IPAAS, "--state", state, stdin=(EVENTS / "timesheet-approved.json").read_text())
    emitted: dict[str, Any] = json.loads(approved.stdout)
    assert "submitted -> approved -> enriched -> validated" in approved.stderr
    assert (emitted["type"], emitted["subject"], emitted["id"]) == ("record.validated", "E9", "evt-7f3a-0002/record.validated")
    # W1 on P1's design task: rule R-design-W1 (task scope, worker named: score 11) at 125.00;
    # 6.1 h rounded up to the quarter hour is 6.25 h; 6.25 × 125.00 = 781.25.
    assert emitted["data"]["rated"] == {
        "amount": "781.25", "currency": "EUR", "rule_id": "R-design-W1", "hours": "6.25", "hourly_rate": "125.00"
    }  # fmt: skip
    assert emitted["data"]["eligibility"] == "eligible"
    record = json.loads(state.read_text())["records"][0]
    assert (record["state"], record["version"], len(record["history"])) == ("validated", 4, 4)

    # At-least-once delivery: the same approval again changes nothing and emits nothing.
    again = run(IPAAS, "--state", state, EVENTS / "timesheet-approved.json")
    assert (again.stdout, again.stderr.strip()) == ("", "E9: duplicate")
    assert json.loads(state.read_text())["records"][0]["version"] == 4

    # The audit chain the state holds verifies.
    import billable

    assert billable.verify_history({"records": json.loads(state.read_text())["records"]})["valid"]


def test_ipaas_self_approval_is_exceptioned(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    run(IPAAS, "--state", state, EVENTS / "timesheet-submitted.json")
    out = run(IPAAS, "--state", state, EVENTS / "timesheet-self-approved.json")
    notice = json.loads(out.stdout)
    assert notice["type"] == "billable.record.exceptioned"
    assert "self_approval" in notice["data"]["reasons"]
    assert json.loads(state.read_text())["records"][0]["state"] == "exceptioned"


def test_ipaas_schedule_runs_the_invoice_run(tmp_path: Path) -> None:
    response_path = tmp_path / "run.json"
    out = run(IPAAS, "--schedule", EXAMPLES / "ipaas" / "schedule", "--out", response_path)
    event = json.loads(out.stdout)
    assert event["type"] == "billing.invoice_run.completed"
    assert event["data"]["numbers"] == ["INV-2026-0041", "INV-2026-0042"]
    assert event["data"]["exceptions_by_reason"] == {"not_approved": 1}
    response = json.loads(response_path.read_text())
    totals = [(i["customer_id"], i["subtotal"], i["tax_total"], i["total"]) for i in response["invoices"]]
    # K1 (domestic, 19 % per line): E1 7.6 h → 7.75 h × 125.00 = 968.75, tax 184.0625 → 184.06;
    # E2 4 h × 95.00 = 380.00, tax 72.20. 1348.75 + 256.26 = 1605.01.
    # K2 (FR, reverse charge): E3 5 h × 110.00 = 550.00; X1 240.00 × 1.05 = 252.00; no tax.
    assert totals == [("A-DE", "1348.75", "256.26", "1605.01"), ("B-FR", "802.00", "0.00", "802.00")]
