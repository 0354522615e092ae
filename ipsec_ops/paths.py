"""Where the tool keeps its own files (journal, audit log, lab keys)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path


def state_dir() -> Path:
    """The user's state directory for ipsec-ops (``$XDG_STATE_HOME/ipsec-ops``).

    >>> state_dir().name
    'ipsec-ops'
    """
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "ipsec-ops"


def current_user() -> str:
    """Who runs the tool (for the journal and the audit log)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
