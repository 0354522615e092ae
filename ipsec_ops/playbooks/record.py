"""The JSON run record (``--record PATH``): the playbook, its variables, every step's
start, end, duration, status, code, summary and result, and the run's exit status.

Written atomically (a temp file renamed into place), also when a step failed or the
run was interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsec_ops import atomic
from ipsec_ops.errors import IpsecOpsError
from ipsec_ops.playbooks.spec import Playbook, Step

RECORD_VERSION = 1


def iso(at: float) -> str:
    """Epoch seconds as an ISO 8601 UTC timestamp with milliseconds.

    >>> iso(0.25)
    '1970-01-01T00:00:00.250Z'
    """
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class StepEntry:
    step: Step
    status: str
    code: int
    summary: str
    started: float | None = None
    ended: float | None = None
    result: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        duration = None
        if self.started is not None and self.ended is not None:
            duration = round(self.ended - self.started, 3)
        return {
            "id": self.step.id,
            "type": self.step.type,
            "name": self.step.name or None,
            "status": self.status,
            "code": self.code,
            "started_at": iso(self.started) if self.started is not None else None,
            "ended_at": iso(self.ended) if self.ended is not None else None,
            "duration_s": duration,
            "summary": self.summary,
            "result": self.result,
        }


@dataclass
class RunRecord:
    playbook: Playbook
    dry_run: bool
    started: float
    hosts: list[str] = field(default_factory=list)
    steps: list[StepEntry] = field(default_factory=list)
    ended: float | None = None
    status: str = "running"  # ok, failed, interrupted, error
    exit_code: int | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        ended = self.ended if self.ended is not None else self.started
        return {
            "record_version": RECORD_VERSION,
            "playbook": str(self.playbook.path),
            "name": self.playbook.name,
            "vars": dict(self.playbook.vars),
            "dry_run": self.dry_run,
            "hosts": self.hosts,
            "started_at": iso(self.started),
            "ended_at": iso(ended),
            "duration_s": round(ended - self.started, 3),
            "status": self.status,
            "exit_code": self.exit_code,
            "error": self.error,
            "steps": [s.to_json() for s in self.steps],
        }


def write_record(path: Path, record: RunRecord) -> None:
    """Write the record atomically; an unwritable path is an error naming it (exit 3)."""
    text = json.dumps(record.to_json(), indent=2, ensure_ascii=False) + "\n"
    try:
        atomic.write_text(path, text, make_parents=True)
    except OSError as exc:
        raise IpsecOpsError(f"cannot write the run record {path}: {exc.strerror or exc}") from exc
