"""The debug journal: what this tool armed on which device, written before arming.

A debug left on after a laptop disconnects stays on. Every run writes an entry
before it sends the first debug command and removes it only after a verified
reset, so ``ipsec-ops debug status`` can tell what a killed run left behind and
``ipsec-ops debug reset`` can clean it. One small JSON file, rewritten
atomically under a lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ipsec_ops import atomic
from ipsec_ops.errors import InputFileError
from ipsec_ops.paths import current_user, state_dir


def journal_path() -> Path:
    return state_dir() / "debug-journal.json"


@dataclass
class Armed:
    """One debug run on one device: the commands that turned things on."""

    host: str
    hostname: str
    port: int
    peer: str | None
    debugs: list[str]  # the exact commands that enabled debugs
    conditions: list[str]  # the exact commands that set conditions
    started_at: str
    pid: int = field(default_factory=os.getpid)
    user: str = field(default_factory=current_user)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path) -> list[Armed]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Armed(**entry) for entry in data.get("armed", [])]
    except (json.JSONDecodeError, TypeError, AttributeError) as exc:
        raise InputFileError(
            str(path),
            "armed",
            f"unreadable debug journal ({exc}); "
            "fix or remove it after checking the devices by hand",
        ) from None


def _write(path: Path, entries: list[Armed]) -> None:
    text = json.dumps({"armed": [asdict(e) for e in entries]}, indent=2) + "\n"
    atomic.write_text(path, text, make_parents=True)


def record(entry: Armed, path: Path | None = None) -> None:
    """Add an entry (call before arming anything)."""
    path = path or journal_path()
    with _locked(path):
        _write(path, [*_read(path), entry])


def update(entry: Armed, path: Path | None = None) -> None:
    """Replace an entry (more commands were armed)."""
    path = path or journal_path()
    with _locked(path):
        _write(path, [entry if e.id == entry.id else e for e in _read(path)])


def clear(entry_id: str, path: Path | None = None) -> None:
    """Remove an entry (call only after a verified reset)."""
    path = path or journal_path()
    with _locked(path):
        _write(path, [e for e in _read(path) if e.id != entry_id])


def armed(path: Path | None = None) -> list[Armed]:
    """Every entry still in the journal."""
    path = path or journal_path()
    with _locked(path):
        return _read(path)
