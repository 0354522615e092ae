"""Run history: every health report as a snapshot in SQLite.

Cron runs ``ipsec-ops health --db`` every five minutes or ``report daily`` every
morning; this module keeps one row per run, per device and per tunnel in a
WAL-mode SQLite file and reads them back as :class:`~ipsec_ops.trends.Snapshot`
values. What the snapshots mean (transitions, flapping, rates, availability,
changes) is computed by the pure functions of :mod:`ipsec_ops.trends`.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ipsec_ops.changes import Change, changes_between
from ipsec_ops.errors import InputFileError
from ipsec_ops.model import Report
from ipsec_ops.trends import (
    FlapRule,
    SeriesFold,
    Snapshot,
    TunnelHistory,
    TunnelState,
    summarize,
    tunnel_state,
)

SQLITE_MAGIC = b"SQLite format 3\x00"


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


def _codes(text: str) -> tuple[str, ...]:
    """The finding codes of a stored tunnel (most tunnels have none: no split needed)."""
    return tuple(text.split()) if text else ()


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
            for state in (tunnel_state(t) for t in report.tunnels):
                rows.append((run, *state[:-1], " ".join(state.findings)))
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
        """Every run with ``since <= at <= until``, oldest first (three queries in all)."""
        db, bounds = self.db, (since, until)
        runs = db.execute(
            "SELECT id, at, exit_code FROM runs WHERE at >= ? AND at <= ? ORDER BY at, id", bounds
        ).fetchall()
        devices: dict[int, dict[str, tuple[str, str | None]]] = {r[0]: {} for r in runs}
        tunnels: dict[int, dict[tuple[str, str], TunnelState]] = {r[0]: {} for r in runs}
        chosen = "SELECT id FROM runs WHERE at >= ? AND at <= ?"
        for run, name, status, error in db.execute(
            f"SELECT run, device, status, error FROM device_states WHERE run IN ({chosen})",
            bounds,
        ):
            devices[run][name] = (status, error)
        # The hot loop of a long window (a day of 5-minute runs of 800 tunnels: 230,000 rows).
        # SQLite returns a new string for every value: the repeated ones (names, states,
        # SPIs of a tunnel that did not rekey) are shared, which halves the memory.
        seen: dict[Any, Any] = {}
        share = seen.setdefault
        code_sets: dict[str, tuple[str, ...]] = {}
        for run, device, peer, health, ike, spi, enc, dec, s_err, r_err, codes in db.execute(
            "SELECT run, device, peer, health, ike_state, spi_out, encaps, decaps, send_errors,"
            f" recv_errors, findings FROM tunnel_states WHERE run IN ({chosen})",
            bounds,
        ):
            key = share((device, peer), (device, peer))
            tunnels[run][key] = TunnelState(
                key[0],
                key[1],
                share(health, health),
                share(ike, ike),
                share(spi, spi),
                enc,
                dec,
                s_err,
                r_err,
                code_sets.get(codes) or code_sets.setdefault(codes, _codes(codes)),
            )
        return [Snapshot(r, float(at), int(code), devices[r], tunnels[r]) for r, at, code in runs]

    def window(
        self, since: float, until: float, rule: FlapRule | None = None
    ) -> list[TunnelHistory]:
        """Per-tunnel transitions, flapping, rates and availability over a window."""
        return summarize(self.snapshots(since, until), rule or FlapRule.from_knowledge())

    def fold_window(
        self, since: float, until: float, rule: FlapRule, current: Snapshot | None = None
    ) -> list[TunnelHistory]:
        """:meth:`window` read as a stream, one tunnel at a time, with ``current`` (a run
        not stored yet, at ``until``) appended: memory stays flat however long the window."""
        out: list[TunnelHistory] = []
        pending = dict(current.tunnels) if current is not None else {}
        rows = self.db.execute(
            "SELECT t.device, t.peer, r.at, t.health, t.ike_state, t.spi_out, t.encaps,"
            " t.decaps, t.send_errors, t.recv_errors, t.findings FROM tunnel_states t"
            " JOIN runs r ON r.id = t.run WHERE r.at >= ? AND r.at <= ?"
            " ORDER BY t.device, t.peer, r.at, r.id",
            (since, until),
        )
        for (device, peer), group in itertools.groupby(rows, key=lambda row: (row[0], row[1])):
            fold = SeriesFold(since, until)
            for _, _, at, health, ike, spi, enc, dec, s_err, r_err, codes in group:
                state = TunnelState(
                    device, peer, health, ike, spi, enc, dec, s_err, r_err, _codes(codes)
                )
                fold.add(float(at), state)
            if current is not None and (device, peer) in pending:
                fold.add(current.at, pending.pop((device, peer)))
            out.append(fold.result(rule))
        for state in pending.values():  # tunnels first seen in this run
            new = SeriesFold(since, until)
            new.add(until, state)
            out.append(new.result(rule))
        return sorted(out, key=lambda h: (h.device, h.peer))

    def run_before(self, at: float) -> int | None:
        """The newest run recorded at or before ``at`` (a run recorded now comes after it)."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE at <= ? ORDER BY at DESC, id DESC LIMIT 1", (at,)
        ).fetchone()
        return int(row[0]) if row else None

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
        """What changed between two stored runs (see :func:`~ipsec_ops.trends.diff`)."""
        rule = rule or FlapRule.from_knowledge()
        prev, cur = self.snapshot(previous_run), self.snapshot(current_run)
        before_id = self.previous_run(previous_run)
        earlier = self.snapshot(before_id) if before_id is not None else None
        around = self.snapshots(prev.at - rule.window_s, cur.at)
        return changes_between(around, prev, cur, earlier, rule)

    def latest_changes(self, rule: FlapRule | None = None) -> list[Change]:
        """Changes of the newest run against the one before it (none with fewer than two)."""
        ids = self.runs()
        return self.changes(ids[-2], ids[-1], rule) if len(ids) >= 2 else []
