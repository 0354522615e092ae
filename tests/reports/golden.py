"""Golden files: compare rendered text exactly; ``UPDATE_GOLDEN=1`` rewrites them.

A rewritten golden must be read by a person against the fixture before it is
committed: the test then passes by construction.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def updating() -> bool:
    """True when the run should rewrite golden files instead of comparing."""
    return os.environ.get("UPDATE_GOLDEN") == "1"


def assert_golden(name: str, text: str) -> None:
    """Fail with a unified diff unless ``text`` equals the golden file ``name`` byte for byte."""
    path = GOLDEN / name
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=str(path),
            tofile="rendered",
        )
        raise AssertionError(
            f"{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it):\n{''.join(diff)}"
        )
