"""The compiled core of billable (written by hand; checked by ``python -m mypy.stubtest billable._native``).

Every operation takes a request (a ``dict`` or any other ``Mapping`` with
``str`` keys, or a ``str``/``bytes`` holding a JSON document) and returns the response document as plain Python values:
``dict``, ``list``, ``str`` (decimals stay decimal strings such as
``"1237.50"``), ``int``, ``bool`` and ``None``. ``json.dumps(response,
separators=(",", ":"), ensure_ascii=False)`` is the JSON form byte for byte.

In a request mapping: ``Decimal``, ``int`` and ``str`` amounts are exact;
``float`` goes through ``repr`` (``0.1`` is ``"0.1"``); NaN and infinities
raise ``ValidationError`` (code ``non_finite_number``); ``date`` is
``YYYY-MM-DD``; ``datetime`` must be timezone-aware (naive is
``invalid_instant``); typed records (anything with ``to_document()``) are
accepted anywhere.

Failures raise the ``BillableError`` subclass of the code's category.
"""

from collections.abc import Mapping
from typing import Any, Final

__all__ = [
    "API_VERSION",
    "BillableError",
    "ConfigurationError",
    "CurrencyError",
    "DETACH_AT",
    "IdempotencyConflictError",
    "OPERATIONS",
    "StateError",
    "TaxError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "_call_direct",
    "_call_reference",
    "_model_schema",
    "_phases",
    "allocate",
    "apply_events",
    "call",
    "call_json",
    "convert",
    "eligibility",
    "invoice_run",
    "plan",
    "rate",
    "round",
    "schema",
    "tax",
    "validate",
    "validate_tax_id",
    "verify_history",
    "verify_webhook",
]

__version__: Final[str]
"""The package version (the workspace's Cargo version)."""
API_VERSION: Final[str]
"""The document version this build reads and writes (``"1"``)."""
OPERATIONS: Final[tuple[str, ...]]
"""Every operation this build knows, in SPEC §11 order."""
DETACH_AT: Final[int]
"""Requests holding at least this many values run with the GIL released."""

class BillableError(Exception):
    """A billable error, with the stable code, the message and the path of the field at fault."""

    code: str
    """Stable snake_case code (``unknown_currency``); the catalogue is ``docs/errors.md``."""
    message: str
    """What went wrong, for a person."""
    path: str
    """Path of the offending field (``entries[3].hours``); empty for the whole document."""
    details: dict[str, Any] | None
    """Structured facts about the failure (both rule ids of an ``ambiguous_rate``), or ``None``."""

class ValidationError(BillableError):
    """The document or a record in it is malformed: fix the input (category ``validation``)."""

class ConfigurationError(BillableError):
    """Tables or master data do not determine an answer: a missing or ambiguous rule (category ``configuration``)."""

class CurrencyError(BillableError):
    """Currency, FX or arithmetic range problems (category ``currency``)."""

class TaxError(BillableError):
    """Tax determination or tax-id problems (category ``tax``)."""

class StateError(BillableError):
    """A record is not in a state that allows the requested change (category ``state``)."""

class IdempotencyConflictError(BillableError):
    """The same idempotency key arrived with a different payload (category ``idempotency``)."""

class WebhookVerificationError(BillableError):
    """An inbound webhook failed verification (category ``webhook``)."""

def call(operation: str, request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Run any operation by name (``"round"``, ``"invoice-run"``) on a request; the response document."""

def call_json(operation: str, request_json: str) -> str:
    """Run any operation by name on JSON text; the response's JSON text, the same bytes as the CLI writes."""

# One function per operation (bindings-python/src/operations.rs, `operations!`).

def round(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Round an amount to a currency's minor units, to a scale, or to a cash increment, with a named mode.

    ``{"amount": "10.005", "currency": "USD", "mode": "half_even"}`` gives
    ``{"api_version": "1", "amount": "10.00", ..., "difference": "-0.005"}``.
    """

def allocate(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Split an amount by ratios (largest remainder in minor units); the shares sum to the amount.

    ``{"amount": "11.00", "currency": "USD", "ratios": [1, 1, 1]}`` gives shares
    ``["3.67", "3.67", "3.66"]``.
    """

def convert(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Convert money with an FX table and a policy; reports the rate, its date and the path used."""

def validate(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Validate canonical records (``{"workers": [...], "entries": [...]}``); every problem with its code and path."""

def rate(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Rate timesheet entries against rate cards: rule matched and why, multipliers, rounding, FX, cost and margin. (``{"workers": [...], "contracts": [...], "projects": [...], "rate_cards": [...], "entries": [...]}``)"""

def eligibility(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Eligibility of entries and expenses for a period, with every reason code and the billable part. (``{"period": {...}, "entries": [...], "ledger": [...], ...}``)"""

def tax(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Determine and compute taxes for lines, a seller and a customer. (``{"seller": {...}, "customer": {...}, "lines": [...], "rules": [...], ...}``)"""

def validate_tax_id(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Check a VAT/GST number's format and check digits. (``{"tax_id": "DE136695976"}``)"""

def invoice_run(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """The batch invoice run: invoices, exception queue, deferred records, the new ledger, counters and reconciliation. (``{"period": {...}, "as_of": "...", "seller": {...}, "entries": [...], "ledger": [...], "numbering": {...}, ...}``)"""

def apply_events(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Move records through the sync-state machine with CloudEvents: one outcome per event, records, seen ledger, exception queue, counters. (``{"records": [...], "seen": [...], "events": [...], "policy": {...}}``)"""

def verify_history(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Verify the hash-chained audit history of records; names the first bad entry. (``{"records": [...]}``)"""

def verify_webhook(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Verify a Standard Webhooks signature and timestamp against the caller's now. (``{"secret": "whsec_...", "headers": {...}, "payload": "...", "now": "..."}``)"""

def plan(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """Resource planning: capacity, utilization, over-allocation, skill gaps, forecast, reconciliation and demand from CRM stage changes. (``{"period": {...}, "workers": [...], "allocations": [...], "capacity": {}, "over_allocation": {}, "forecast": {...}, "demand_change": {...}, ...}``)"""

def schema(request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """The JSON Schema of an operation's request or response (``{"operation": "round", "kind": "request"}``)."""

def _call_direct(operation: str, request: Mapping[str, Any] | str | bytes) -> dict[str, Any] | None:
    """``call`` through the direct path only (Python values read straight into the typed request, the typed
    response written straight to Python values); ``None`` where ``call`` hands the request to the reference
    path. For tests."""

def _call_reference(operation: str, request: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    """``call`` through the reference path only (Python values to a JSON document, the core's document form,
    back to Python values); it decides every request the direct path refuses. For tests."""

def _model_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of a canonical record type (``"Worker"``); used to check the typed classes mirror it."""

def _phases(operation: str, request: Mapping[str, Any]) -> dict[str, float]:
    """The direct path's phases in seconds (``read``: dict to typed request, ``run``: the core, ``write``: typed
    response to Python values, dropped untimed) and ``values``, how many values the request holds. For benchmarks;
    ``ValueError`` where the direct path refuses the request."""
