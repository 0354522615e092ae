"""One settings object per run, instead of long argument lists.

Built once by the CLI from the shared options (:mod:`ipsec_ops.options`) and
passed down: the transport reads ``TransportSettings``, the runner reads
``RunSettings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LOCK_TIMEOUT = 60.0  # seconds a run waits for another one holding the history


def default_known_hosts() -> Path:
    return Path.home() / ".ssh" / "known_hosts"


@dataclass(frozen=True)
class TransportSettings:
    """How to reach devices: host keys, timeouts, jump hosts, session logs."""

    known_hosts: Path = field(default_factory=default_known_hosts)
    accept_new: bool = False  # trust and save a first-seen key (never a changed one)
    insecure_no_host_key_check: bool = False
    connect_timeout: float = 15.0
    command_timeout: float = 60.0
    ssh_config: Path | None = None
    session_log_dir: Path | None = None
    context: str | None = None  # ASA multi-context: `changeto context NAME`


@dataclass(frozen=True)
class RunSettings:
    """How a fleet run behaves: concurrency, progress output."""

    transport: TransportSettings = field(default_factory=TransportSettings)
    workers: int = 64
    quiet: bool = False


@dataclass(frozen=True)
class HistorySettings:
    """Where the history lives and how much of it a report looks at."""

    db: Path
    since_s: float = 86400.0
    keep_days: int | None = None  # None: keep every run
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
