"""JSON: the DESIGN.md tunnel contract (:meth:`Report.to_json`) plus a ``summary`` object.

Keys keep the contract's order with ``summary`` placed right after
``generated_at``, so a person reading the file sees the counts first; fields
are only ever added, never renamed.
"""

from __future__ import annotations

import json
from typing import Any

from ipsec_ops.model import Report
from ipsec_ops.reports import common


def document(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict: the contract with ``summary`` after ``generated_at``."""
    body = report.to_json()
    out: dict[str, Any] = {"generated_at": body.pop("generated_at")}
    out["summary"] = common.summary(report)
    out.update(body)
    return out


def render(report: Report) -> str:
    """The report as indented JSON (2 spaces), ending with a newline."""
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
