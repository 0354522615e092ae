"""Run history: every health report as a snapshot in SQLite, and what changed.

Cron runs ``ipsec-ops health`` every morning or every five minutes; this module
keeps one row per run, per device and per tunnel in a WAL-mode SQLite file and
answers "what changed since the previous run": tunnels that went down, came back,
appeared, disappeared, started flapping or stopped carrying traffic, and devices
that became unreadable or readable again.

The database is the only side effect. Everything that interprets the snapshots
(transitions, flapping, counter deltas and rates, availability, changes) is a
pure function over :class:`TunnelState` values, so it can be tested without a file.

Counters are the sums over a tunnel's IPsec SAs: ``encaps`` is traffic out,
``decaps`` traffic in. A counter lower than in the previous snapshot means a
reset (a clear or a reboot): the delta is then the new value, never negative.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsec_ops.errors import InputFileError
from ipsec_ops.model import Report

UP_HEALTHS = ("up", "degraded")  # the tunnel carries (or can carry) traffic
SQLITE_MAGIC = b"SQLite format 3\x00"
COUNTERS = ("encaps", "decaps", "send_errors", "recv_errors")


# --------------------------------------------------------------------------- pure model


@dataclass(frozen=True)
class TunnelState:
    """One tunnel in one snapshot (a row of ``tunnel_states``)."""

    device: str
    peer: str
    health: str
    ike_state: str | None = None
    spi_out: str | None = None
    encaps: int = 0
    decaps: int = 0
    send_errors: int = 0
    recv_errors: int = 0
    findings: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.device, self.peer)


@dataclass(frozen=True)
class Snapshot:
    """One stored run: when, and the state of every device and tunnel."""

    run: int
    at: float
    exit_code: int
    devices: dict[str, tuple[str, str | None]]  # name -> (status, error)
    tunnels: dict[tuple[str, str], TunnelState]


@dataclass(frozen=True)
class FlapRule:
    """The ``flapping`` thresholds of ``knowledge/counters.yaml``."""

    min_transitions: int = 4
    window_s: float = 3600
    hold_down_s: float = 10

    @classmethod
    def from_knowledge(cls) -> FlapRule:
        from ipsec_ops.knowledge import knowledge

        raw = knowledge().thresholds.get("flapping", {})
        return cls(
            int(raw.get("min_transitions", 4)),
            float(raw.get("window_s", 3600)),
            float(raw.get("hold_down_s", 10)),
        )


@dataclass(frozen=True)
class Transition:
    at: float
    before: str  # "up" or "down"
    after: str


@dataclass(frozen=True)
class Rate:
    """Counter deltas between two consecutive snapshots of one tunnel."""

    start: float
    end: float
    encaps: int
    decaps: int
    send_errors: int
    recv_errors: int
    reset: bool  # some counter went backwards (clear or reboot)

    @property
    def out_pps(self) -> float:
        span = self.end - self.start
        return self.encaps / span if span > 0 else 0.0

    @property
    def in_pps(self) -> float:
        span = self.end - self.start
        return self.decaps / span if span > 0 else 0.0


@dataclass(frozen=True)
class TunnelHistory:
    device: str
    peer: str
    first_seen: float
    last_seen: float
    samples: int
    availability: float | None  # None: never in a known health within the window
    transitions: list[Transition]
    flapping: bool
    rates: list[Rate]


@dataclass(frozen=True)
class Change:
    kind: str  # down, up, new, gone, flapping, no_traffic, device_unreadable, device_readable
    device: str
    peer: str | None
    at: float
    summary: str


def counter_delta(before: int, after: int) -> int:
    """The increase of a counter; a lower value is a reset, so the delta is the new value.

    >>> counter_delta(100, 130)
    30
    >>> counter_delta(5000, 12)
    12
    """
    return after - before if after >= before else after


def link_state(health: str) -> str | None:
    """``up``/``degraded`` are up, ``down`` is down, anything else is not known.

    >>> [link_state(h) for h in ("up", "degraded", "down", "unknown")]
    ['up', 'up', 'down', None]
    """
    if health in UP_HEALTHS:
        return "up"
    return "down" if health == "down" else None


def transitions(points: Iterable[tuple[float, str]]) -> list[Transition]:
    """Up<->down changes in a time-ordered series of (at, health); unknown is skipped.

    >>> transitions([(0, "up"), (60, "unknown"), (120, "down"), (180, "degraded")])
    [Transition(at=120, before='up', after='down'), Transition(at=180, before='down', after='up')]
    """
    out: list[Transition] = []
    last: str | None = None
    for at, health in points:
        state = link_state(health)
        if state is None:
            continue
        if last is not None and state != last:
            out.append(Transition(at, last, state))
        last = state
    return out


def counted_transitions(trans: Sequence[Transition], hold_down_s: float) -> list[Transition]:
    """Drop every down quickly followed by up (within ``hold_down_s``): a rekey or a clear.

    >>> ts = transitions([(0, "up"), (100, "down"), (105, "up"), (200, "down")])
    >>> [t.at for t in counted_transitions(ts, 10)]
    [200]
    """
    kept: list[Transition] = []
    i = 0
    while i < len(trans):
        t = trans[i]
        nxt = trans[i + 1] if i + 1 < len(trans) else None
        if t.after == "down" and nxt and nxt.after == "up" and nxt.at - t.at <= hold_down_s:
            i += 2
            continue
        kept.append(t)
        i += 1
    return kept


def is_flapping(trans: Sequence[Transition], rule: FlapRule) -> bool:
    """At least ``min_transitions`` counted transitions within any ``window_s``.

    >>> ts = transitions([(0, "up"), (60, "down"), (120, "up"), (180, "down"), (240, "up")])
    >>> is_flapping(ts, FlapRule(4, 3600, 10)), is_flapping(ts, FlapRule(4, 100, 10))
    (True, False)
    """
    times = sorted(t.at for t in counted_transitions(trans, rule.hold_down_s))
    start = 0
    for end, at in enumerate(times):
        while at - times[start] > rule.window_s:
            start += 1
        if end - start + 1 >= rule.min_transitions:
            return True
    return False


def rate(a: TunnelState, b: TunnelState, start: float, end: float) -> Rate:
    """Deltas from snapshot ``a`` (at ``start``) to ``b`` (at ``end``), never negative."""
    before = [getattr(a, n) for n in COUNTERS]
    after = [getattr(b, n) for n in COUNTERS]
    deltas = [counter_delta(x, y) for x, y in zip(before, after, strict=True)]
    reset = any(y < x for x, y in zip(before, after, strict=True))
    return Rate(start, end, deltas[0], deltas[1], deltas[2], deltas[3], reset)


def tunnel_history(points: Sequence[tuple[float, TunnelState]], rule: FlapRule) -> TunnelHistory:
    """Summarise one tunnel's time-ordered snapshots (at least one)."""
    first = points[0][1]
    trans = transitions((at, s.health) for at, s in points)
    known = [s for _, s in points if link_state(s.health) is not None]
    up = sum(1 for s in known if s.health in UP_HEALTHS)
    rates = [rate(a, b, t0, t1) for (t0, a), (t1, b) in itertools.pairwise(points)]
    return TunnelHistory(
        first.device,
        first.peer,
        first_seen=points[0][0],
        last_seen=points[-1][0],
        samples=len(points),
        availability=up / len(known) if known else None,
        transitions=trans,
        flapping=is_flapping(trans, rule),
        rates=rates,
    )


def summarize(snapshots: Sequence[Snapshot], rule: FlapRule) -> list[TunnelHistory]:
    """One :class:`TunnelHistory` per tunnel seen in the snapshots, sorted by key."""
    series: dict[tuple[str, str], list[tuple[float, TunnelState]]] = {}
    for snap in sorted(snapshots, key=lambda s: (s.at, s.run)):
        for key, state in snap.tunnels.items():
            series.setdefault(key, []).append((snap.at, state))
    return [tunnel_history(series[k], rule) for k in sorted(series)]


def _name(key: tuple[str, str]) -> str:
    return f"{key[0]} -> {key[1]}"


def diff(
    prev: Snapshot,
    cur: Snapshot,
    *,
    flapping_before: frozenset[tuple[str, str]] = frozenset(),
    flapping_now: frozenset[tuple[str, str]] = frozenset(),
    earlier: Snapshot | None = None,
) -> list[Change]:
    """What changed from ``prev`` to ``cur``; ``earlier`` (the run before ``prev``) gives
    the traffic rate ``prev`` had, so "stopped carrying traffic" can be told."""
    out: list[Change] = []
    at = cur.at
    for name in sorted(set(prev.devices) | set(cur.devices)):
        old_dev, new_dev = prev.devices.get(name), cur.devices.get(name)
        if not (old_dev and new_dev):
            continue
        if old_dev[0] == "ok" and new_dev[0] != "ok":
            why = f": {new_dev[1]}" if new_dev[1] else ""
            out.append(Change("device_unreadable", name, None, at, f"{name} unreadable{why}"))
        elif old_dev[0] != "ok" and new_dev[0] == "ok":
            out.append(Change("device_readable", name, None, at, f"{name} readable again"))
    unreadable = {n for n, (status, _) in cur.devices.items() if status != "ok"}
    for key in sorted(set(prev.tunnels) | set(cur.tunnels)):
        a, b = prev.tunnels.get(key), cur.tunnels.get(key)
        dev, peer = key
        if a is None and b is not None:
            out.append(Change("new", dev, peer, at, f"new tunnel {_name(key)} ({b.health})"))
            continue
        if b is None:
            if dev not in unreadable:
                out.append(Change("gone", dev, peer, at, f"tunnel {_name(key)} disappeared"))
            continue
        assert a is not None
        was, now = link_state(a.health), link_state(b.health)
        if was == "up" and now == "down":
            ike = f", IKE {b.ike_state}" if b.ike_state else ""
            codes = f", {' '.join(b.findings)}" if b.findings else ""
            out.append(Change("down", dev, peer, at, f"{_name(key)} went down{ike}{codes}"))
        elif was == "down" and now == "up":
            out.append(Change("up", dev, peer, at, f"{_name(key)} came back {b.health}"))
        if key in flapping_now and key not in flapping_before:
            out.append(Change("flapping", dev, peer, at, f"{_name(key)} started flapping"))
        old = earlier.tunnels.get(key) if earlier else None
        if earlier and old and was == now == "up":
            before = rate(old, a, earlier.at, prev.at)
            after = rate(a, b, prev.at, cur.at)
            moved = before.encaps + before.decaps > 0
            if moved and after.encaps + after.decaps == 0:
                summary = f"{_name(key)} up but carries no traffic any more"
                out.append(Change("no_traffic", dev, peer, at, summary))
    return out


# --------------------------------------------------------------------------- storage


def _migration_1(db: sqlite3.Connection) -> None:
    script = """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, generated_at TEXT,
            devices INTEGER NOT NULL, tunnels INTEGER NOT NULL, exit_code INTEGER NOT NULL);
        CREATE INDEX runs_at ON runs(at);
        CREATE TABLE device_states (
            run INTEGER NOT NULL REFERENCES runs(id), device TEXT NOT NULL,
            status TEXT NOT NULL, error TEXT, PRIMARY KEY (run, device));
        CREATE TABLE tunnel_states (
            run INTEGER NOT NULL REFERENCES runs(id), device TEXT NOT NULL, peer TEXT NOT NULL,
            health TEXT NOT NULL, ike_state TEXT, spi_out TEXT,
            encaps INTEGER NOT NULL, decaps INTEGER NOT NULL,
            send_errors INTEGER NOT NULL, recv_errors INTEGER NOT NULL,
            findings TEXT NOT NULL, PRIMARY KEY (run, device, peer));
        CREATE INDEX tunnel_states_key ON tunnel_states(device, peer)
        """
    # One statement at a time: executescript() would commit the migration transaction.
    for statement in script.split(";"):
        db.execute(statement)


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (take the write lock now, waiting up to busy_timeout), then
    COMMIT, or ROLLBACK on any exception: a failure half way leaves the file as before."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# Ordered: MIGRATIONS[i] brings the schema from version i to i + 1. Only append.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)


class History:
    """The run history file. Use ``with History(path) as h:`` or ``open()``/``close()``."""

    def __init__(self, path: Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._db: sqlite3.Connection | None = None

    def _fail(self, problem: str) -> InputFileError:
        return InputFileError(str(self.path), "", problem)

    def open(self) -> History:
        if self._db is not None:
            return self
        if self.path.is_file() and self.path.stat().st_size > 0:
            with self.path.open("rb") as fh:
                if fh.read(16) != SQLITE_MAGIC:
                    raise self._fail("not an SQLite history database")
        try:
            db = sqlite3.connect(
                self.path, isolation_level=None, timeout=self.busy_timeout_ms / 1000
            )
        except sqlite3.Error as exc:
            raise self._fail(f"cannot open history database: {exc}") from None
        # Two cron runs may open a new file at once: switching it to WAL and migrating
        # take an exclusive lock that SQLite's busy handler does not always wait for.
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                self._prepare(db)
                break
            except InputFileError:
                db.close()
                raise
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if busy and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                db.close()
                raise self._fail(f"unreadable history database: {exc}") from None
            except sqlite3.Error as exc:
                db.close()
                raise self._fail(f"unreadable history database: {exc}") from None
        self._db = db
        return self

    def _prepare(self, db: sqlite3.Connection) -> None:
        db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        self._migrate(db)

    def _migrate(self, db: sqlite3.Connection) -> None:
        with _transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT max(version) FROM schema_version").fetchone()
            version = int(row[0] or 0)
            if version > SCHEMA_VERSION:
                raise self._fail(
                    f"history schema version {version} is newer than this ipsec-ops "
                    f"knows ({SCHEMA_VERSION}); upgrade ipsec-ops"
                )
            for step in MIGRATIONS[version:]:
                step(db)
            if version < SCHEMA_VERSION:
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> History:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("History is not open: use open() or a with block")
        return self._db

    def schema_version(self) -> int:
        return int(self.db.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    def record(self, report: Report, at: float) -> int:
        """Store one report as run ``at`` (epoch seconds) in one transaction; its run id."""
        db, sizes = self.db, (len(report.devices), len(report.tunnels))
        with _transaction(db):
            cur = db.execute(
                "INSERT INTO runs (at, generated_at, devices, tunnels, exit_code)"
                " VALUES (?, ?, ?, ?, ?)",
                (at, report.generated_at, *sizes, report.exit_code()),
            )
            run = int(cur.lastrowid or 0)
            db.executemany(
                "INSERT INTO device_states VALUES (?, ?, ?, ?)",
                [(run, d.name, d.status, d.error) for d in report.devices],
            )
            rows: list[tuple[Any, ...]] = []
            for t in report.tunnels:
                spis = ",".join(sa.spi_out for sa in t.ipsec if sa.has_sa and sa.spi_out)
                ike = t.ike.state if t.ike else None
                sums = [sum(getattr(sa, n) for sa in t.ipsec) for n in COUNTERS]
                codes = " ".join(f.code for f in t.findings)
                rows.append((run, t.device, t.peer, t.health, ike, spis or None, *sums, codes))
            db.executemany(
                "INSERT INTO tunnel_states VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        return run

    def prune(self, keep_days: int, now: float) -> int:
        """Delete the runs older than ``keep_days`` before ``now``; how many were deleted."""
        cutoff = now - keep_days * 86400
        db = self.db
        with _transaction(db):
            old = "SELECT id FROM runs WHERE at < ?"
            db.execute(f"DELETE FROM tunnel_states WHERE run IN ({old})", (cutoff,))
            db.execute(f"DELETE FROM device_states WHERE run IN ({old})", (cutoff,))
            count = db.execute("DELETE FROM runs WHERE at < ?", (cutoff,)).rowcount
        return int(count)

    def runs(self, since: float = float("-inf"), until: float = float("inf")) -> list[int]:
        """Run ids with ``since <= at <= until``, oldest first."""
        rows = self.db.execute(
            "SELECT id FROM runs WHERE at >= ? AND at <= ? ORDER BY at, id", (since, until)
        )
        return [int(r[0]) for r in rows]

    def snapshot(self, run: int) -> Snapshot:
        db = self.db
        row = db.execute("SELECT at, exit_code FROM runs WHERE id = ?", (run,)).fetchone()
        if row is None:
            raise KeyError(f"no run {run} in {self.path}")
        devices = {
            d: (s, e)
            for d, s, e in db.execute(
                "SELECT device, status, error FROM device_states WHERE run = ?", (run,)
            )
        }
        tunnels = {}
        for r in db.execute(
            "SELECT device, peer, health, ike_state, spi_out, encaps, decaps, send_errors,"
            " recv_errors, findings FROM tunnel_states WHERE run = ?",
            (run,),
        ):
            values = list(r)
            values[9] = tuple(values[9].split())
            state = TunnelState(*values)
            tunnels[state.key] = state
        return Snapshot(run, float(row[0]), int(row[1]), devices, tunnels)

    def snapshots(self, since: float, until: float) -> list[Snapshot]:
        return [self.snapshot(r) for r in self.runs(since, until)]

    def window(
        self, since: float, until: float, rule: FlapRule | None = None
    ) -> list[TunnelHistory]:
        """Per-tunnel transitions, flapping, rates and availability over a window."""
        return summarize(self.snapshots(since, until), rule or FlapRule.from_knowledge())

    def previous_run(self, run: int) -> int | None:
        row = self.db.execute(
            "SELECT id FROM runs WHERE (at, id) < (SELECT at, id FROM runs WHERE id = ?)"
            " ORDER BY at DESC, id DESC LIMIT 1",
            (run,),
        ).fetchone()
        return int(row[0]) if row else None

    def changes(
        self, previous_run: int, current_run: int, rule: FlapRule | None = None
    ) -> list[Change]:
        """What changed between two stored runs (see :func:`diff`)."""
        rule = rule or FlapRule.from_knowledge()
        prev, cur = self.snapshot(previous_run), self.snapshot(current_run)
        before_id = self.previous_run(previous_run)
        earlier = self.snapshot(before_id) if before_id is not None else None

        def flapping_at(at: float) -> frozenset[tuple[str, str]]:
            hist = summarize(self.snapshots(at - rule.window_s, at), rule)
            return frozenset((h.device, h.peer) for h in hist if h.flapping)

        was, now = flapping_at(prev.at), flapping_at(cur.at)
        return diff(prev, cur, flapping_before=was, flapping_now=now, earlier=earlier)

    def latest_changes(self, rule: FlapRule | None = None) -> list[Change]:
        """Changes of the newest run against the one before it (none with fewer than two)."""
        ids = self.runs()
        return self.changes(ids[-2], ids[-1], rule) if len(ids) >= 2 else []
