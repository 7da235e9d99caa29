"""Every operation the core knows is a function of the package."""

from __future__ import annotations

import builtins

import billable
from billable import _native


def test_every_operation_is_a_function() -> None:
    missing = [op for op in billable.OPERATIONS if not callable(getattr(_native, op, None))]
    assert not missing, (
        f"operations without a Python function: {missing}; add `{missing[0]} => \"...\",` to `operations!` in "
        "bindings-python/src/operations.rs, its entry in python/billable/_native.pyi, and the re-export in "
        "python/billable/__init__.py"
    )
    unexported = [op for op in billable.OPERATIONS if getattr(billable, op, None) is not getattr(_native, op, None)]
    assert not unexported, f"re-export {unexported} in python/billable/__init__.py"
    # `__all__` lists every operation except those named like a builtin: `from billable import *` must not
    # replace the builtin `round`.
    expected = {op for op in billable.OPERATIONS if not hasattr(builtins, op)}
    assert expected <= set(billable.__all__), f"add {expected - set(billable.__all__)} to __all__"
    assert "round" not in billable.__all__


def test_names_follow_the_core() -> None:
    # The core's list, in the core's order (SPEC §11), `schema` last.
    assert billable.OPERATIONS[:4] == ("round", "allocate", "convert", "validate")
    assert billable.OPERATIONS[-1] == "schema"
    assert billable.call("schema", {"operation": "round", "kind": "request"})["operation"] == "round"
    # JSON text and a dict give the same response.
    assert billable.call("schema", {"operation": "round", "kind": "response"}) == billable.schema(
        '{"operation": "round", "kind": "response"}'
    )
    assert billable.__version__ == _native.__version__
