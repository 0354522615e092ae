"""Recording health runs in the history, and reading the history back into the report.

``health --db`` (every five minutes) and ``report daily`` (every morning) both go
through :func:`record_run`: under the history lock, the report is stored as one
run, old runs are pruned, and every tunnel gets its :class:`~ipsec_ops.trends.
TunnelHistory` over the window, so the renderers can show availability,
traffic rates and charts, and a tunnel that flaps across runs gets ``FLAPPING``
even when its logging buffer has wrapped.

The lock is an exclusive ``flock`` on ``<db>.lock``: two overlapping cron runs
never interleave; the second waits up to ``lock_timeout`` seconds, then raises
:class:`LockTimeout` (exit 3, as DESIGN.md's "unknown").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ipsec_ops.changes import Change
from ipsec_ops.diagnose import finding, health_of
from ipsec_ops.errors import EXIT_UNKNOWN, IpsecOpsError
from ipsec_ops.history import History
from ipsec_ops.model import HEALTHS, Finding, Report, Tunnel
from ipsec_ops.platforms import family
from ipsec_ops.settings import HistorySettings
from ipsec_ops.trends import (
    FlapRule,
    Snapshot,
    TunnelHistory,
    counted_transitions,
    iso_time,
    snapshot_of,
)


class LockTimeout(IpsecOpsError):
    """Another run holds the history lock for longer than we may wait (exit 3)."""

    exit_code = EXIT_UNKNOWN


class LockFileError(IpsecOpsError):
    """The lock file beside the database cannot be created (exit 3)."""

    exit_code = EXIT_UNKNOWN


@dataclass(frozen=True)
class Recorded:
    """What recording one run gave: its id, the run before it, changes and the window."""

    run: int
    previous_run: int | None
    changes: list[Change]
    window: list[TunnelHistory]
    pruned: int = 0
    repeated: bool = False  # the same reading was already stored: not stored again


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def history_lock(db: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<db>.lock``, waiting up to ``timeout`` seconds."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise LockFileError(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another report run holds {path}; gave up after waiting {timeout:g}s"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def record_in(history: History, report: Report, at: float, settings: HistorySettings) -> Recorded:
    """Store ``report`` as run ``at`` in an open history (the caller holds the lock) and
    prune; the report's tunnels get their window (this run included) first, so the
    stored run carries the FLAPPING the history gave it.

    The window is read as a stream (memory does not grow with its length); the changes
    (:meth:`History.changes`) read only the previous run, the one before it and the hour
    before the previous run.
    A reading already stored (the same time, tunnels, SPIs and counters) is not stored
    twice.
    """
    rule = FlapRule.from_knowledge()
    reading = snapshot_of(report, 0, at)
    prev_id = history.run_before(at)
    prev = history.snapshot(prev_id) if prev_id is not None else None
    if prev is not None and same_reading(prev, reading):
        # The same bundle read again (`--from` twice): counted once, reported as it was.
        window = history.fold_window(at - settings.since_s, at, rule)
        annotate(report, window, rule)
        before = history.previous_run(prev.run)
        changes = history.changes(before, prev.run, rule) if before is not None else []
        return Recorded(prev.run, before, changes, window, repeated=True)
    window = history.fold_window(at - settings.since_s, at, rule, reading)
    annotate(report, window, rule)
    run = history.record(report, at)  # with the findings the history added
    changes = history.changes(prev_id, run, rule) if prev_id is not None else []
    pruned = history.prune(settings.keep_days, at) if settings.keep_days is not None else 0
    return Recorded(run, prev_id, changes, window, pruned)


def same_reading(stored: Snapshot, new: Snapshot) -> bool:
    """Whether ``new`` is a stored run read again: the same time, tunnels, SPIs and counters.

    >>> from ipsec_ops.trends import TunnelState
    >>> a = Snapshot(1, 100.0, 0, {}, {("r1", "p"): TunnelState("r1", "p", "up", encaps=5)})
    >>> b = Snapshot(0, 100.0, 0, {}, {("r1", "p"): TunnelState("r1", "p", "degraded", encaps=5)})
    >>> same_reading(a, b), same_reading(a, Snapshot(0, 101.0, 0, {}, b.tunnels))
    (True, False)
    """

    def reading(s: Snapshot) -> set[tuple[object, ...]]:
        return {(k, t.spi_out, t.ike_state, t.encaps, t.decaps) for k, t in s.tunnels.items()}

    return stored.at == new.at and reading(stored) == reading(new)


def record_run(report: Report, at: float, settings: HistorySettings) -> Recorded:
    """:func:`record_in` under the history lock, opening and closing the database."""
    with history_lock(settings.db, settings.lock_timeout), History(settings.db) as history:
        return record_in(history, report, at, settings)


def annotate(report: Report, window: list[TunnelHistory], rule: FlapRule) -> Report:
    """Give each tunnel its history and ``FLAPPING`` when the history says it flaps.

    A tunnel already found flapping in its logging buffer keeps that finding
    (one FLAPPING per tunnel). Health is recomputed from the findings, and the
    tunnels re-sorted as the diagnosis sorts them (worst first per device).
    """
    by_key = {(h.device, h.peer): h for h in window}
    families = {d.name: d.family for d in report.devices}
    for t in report.tunnels:
        h = by_key.get(t.key)
        t.history = h
        if h is None or not h.flapping or any(f.code == "FLAPPING" for f in t.findings):
            continue
        t.findings.append(_flapping_finding(t, h, rule, families.get(t.device) or "ios15"))
        t.health = health_of(t.findings)
    report.tunnels.sort(key=lambda t: (t.device, -HEALTHS.index(t.health), t.peer))
    return report


def _flapping_finding(t: Tunnel, h: TunnelHistory, rule: FlapRule, fam_name: str) -> Finding:
    counted = counted_transitions(h.transitions, rule.hold_down_s)
    downs = [x for x in counted if x.after == "down"]
    evidence = [f"run history: {x.before} -> {x.after} at {iso_time(x.at)}" for x in counted[-4:]]
    return finding(
        "FLAPPING",
        family(fam_name),
        t,
        t.device,
        evidence,
        downs=len(downs),
        window=f"{(h.last_seen - h.first_seen) / 3600:.1f} h of run history",
    )


__all__ = [
    "LockFileError",
    "LockTimeout",
    "Recorded",
    "annotate",
    "history_lock",
    "lock_path",
    "record_in",
    "record_run",
]
