"""Run history: real SQLite files in tmp_path, reports built in code."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ipsec_ops.errors import InputFileError
from ipsec_ops.history import SCHEMA_VERSION, History
from ipsec_ops.model import Device, Finding, IkeSa, IpsecSa, Report, Tunnel
from ipsec_ops.trends import FlapRule, TunnelState, counter_delta, is_flapping, rate, transitions

T0 = 1_795_000_000.0  # an arbitrary epoch
RULE = FlapRule(min_transitions=4, window_s=3600, hold_down_s=10)
Spec = dict[str, str | tuple[str, int, int]]  # peer -> health or (health, encaps, decaps)


def report(
    at: float,
    tunnels: Spec,
    device: str = "hub1",
    status: str = "ok",
) -> Report:
    """A report of ``device`` whose tunnels are peer -> health or (health, encaps, decaps)."""
    out = []
    for peer, spec in tunnels.items():
        health, encaps, decaps = (spec, 0, 0) if isinstance(spec, str) else spec
        up = health in ("up", "degraded")
        sa = IpsecSa("10.1.0.0/24", "10.2.0.0/24", "0x1", "0xA" if up else None, encaps, decaps)
        findings = [] if up else [Finding("CONFIGURED_NOT_UP", "critical", "no IKE SA")]
        ike = IkeSa(1, "QM_IDLE" if up else "MM_NO_STATE", conn_id=1001)
        out.append(Tunnel(device, peer, ike=ike, ipsec=[sa], health=health, findings=findings))
    stamp = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    error = None if status == "ok" else "timeout"
    return Report(stamp, [Device(device, "cisco_ios", status=status, error=error)], out)


def record_series(h: History, series: list[tuple[float, Spec]]) -> list[int]:
    return [h.record(report(at, tunnels), at) for at, tunnels in series]


@pytest.fixture
def hist(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.db") as h:
        yield h


# --------------------------------------------------------------------------- changes


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        ({"p1": "up"}, {"p1": "down"}, ["down"]),
        ({"p1": "down"}, {"p1": "up"}, ["up"]),
        ({"p1": "degraded"}, {"p1": "up"}, []),
        ({"p1": "up"}, {"p1": "up", "p2": "up"}, ["new"]),
        ({"p1": "up", "p2": "down"}, {"p1": "up"}, ["gone"]),
        ({"p1": "up"}, {"p1": "unknown"}, []),
    ],
)
def test_changes_between_two_runs(
    hist: History, before: Spec, after: Spec, kinds: list[str]
) -> None:
    a = hist.record(report(T0, before), T0)
    b = hist.record(report(T0 + 300, after), T0 + 300)
    changes = hist.changes(a, b, RULE)
    assert [c.kind for c in changes] == kinds
    for c in changes:
        assert (c.device, c.at) == ("hub1", T0 + 300)
        assert c.peer in after or c.peer in before
        assert c.summary and "\n" not in c.summary


def test_tunnel_down_then_back_up(hist: History) -> None:
    runs = record_series(
        hist, [(T0, {"p1": "up"}), (T0 + 300, {"p1": "down"}), (T0 + 600, {"p1": "up"})]
    )
    first, second = hist.changes(runs[0], runs[1], RULE), hist.changes(runs[1], runs[2], RULE)
    assert [(c.kind, c.peer) for c in first] == [("down", "p1")]
    assert "MM_NO_STATE" in first[0].summary and "CONFIGURED_NOT_UP" in first[0].summary
    assert [(c.kind, c.peer) for c in second] == [("up", "p1")]
    assert hist.latest_changes(RULE) == second


def test_device_unreadable_and_readable_again(hist: History) -> None:
    a = hist.record(report(T0, {"p1": "up"}), T0)
    b = hist.record(report(T0 + 300, {}, status="unknown"), T0 + 300)
    c = hist.record(report(T0 + 600, {"p1": "up"}), T0 + 600)
    lost = hist.changes(a, b, RULE)
    assert [(x.kind, x.peer) for x in lost] == [("device_unreadable", None)]  # no "gone" noise
    assert "timeout" in lost[0].summary
    assert [x.kind for x in hist.changes(b, c, RULE)] == ["device_readable", "new"]


def test_stopped_carrying_traffic(hist: History) -> None:
    runs = record_series(
        hist,
        [
            (T0, {"p1": ("up", 100, 100), "p2": ("up", 100, 100)}),
            (T0 + 300, {"p1": ("up", 400, 390), "p2": ("up", 400, 390)}),
            (T0 + 600, {"p1": ("up", 400, 390), "p2": ("up", 700, 690)}),
        ],
    )
    changes = hist.changes(runs[1], runs[2], RULE)
    assert [(c.kind, c.peer) for c in changes] == [("no_traffic", "p1")]


def test_started_flapping_is_a_change(hist: History) -> None:
    healths = ["up", "down", "up", "down", "up"]
    runs = record_series(hist, [(T0 + 60 * i, {"p1": h}) for i, h in enumerate(healths)])
    kinds = [c.kind for c in hist.changes(runs[-2], runs[-1], RULE)]
    assert kinds == ["up", "flapping"]
    assert "flapping" not in [c.kind for c in hist.changes(runs[-3], runs[-2], RULE)]


# --------------------------------------------------------------------------- window


@pytest.mark.parametrize(
    ("offsets_healths", "flapping"),
    [
        # several downs within the window
        ([(0, "up"), (60, "down"), (120, "up"), (180, "down"), (240, "up")], True),
        # the same, spread over more than the window
        ([(0, "up"), (2000, "down"), (4000, "up"), (6000, "down"), (8000, "up")], False),
        # a single rekey: down then up within the hold-down
        ([(0, "up"), (60, "down"), (65, "up"), (300, "up")], False),
        # only rekeys, however many
        ([(0, "up"), (60, "down"), (65, "up"), (120, "down"), (125, "up")], False),
        # degraded counts as up: no transitions at all
        ([(0, "up"), (60, "degraded"), (120, "up"), (180, "degraded")], False),
    ],
)
def test_flapping(hist: History, offsets_healths: list[tuple[int, str]], flapping: bool) -> None:
    record_series(hist, [(T0 + dt, {"p1": h}) for dt, h in offsets_healths])
    (tunnel,) = hist.window(T0, T0 + 10_000, RULE)
    assert tunnel.flapping is flapping


def test_flapping_thresholds_come_from_knowledge() -> None:
    assert FlapRule.from_knowledge() == RULE


def test_transitions_and_seen_times(hist: History) -> None:
    healths = [(0, "up"), (300, "down"), (600, "down"), (900, "up")]
    record_series(hist, [(T0 + dt, {"p1": h}) for dt, h in healths])
    (t,) = hist.window(T0, T0 + 900, RULE)
    assert [(x.at - T0, x.before, x.after) for x in t.transitions] == [
        (300, "up", "down"),
        (900, "down", "up"),
    ]
    assert (t.first_seen, t.last_seen, t.samples) == (T0, T0 + 900, 4)


@pytest.mark.parametrize(
    ("healths", "since", "availability"),
    [
        (["up", "up", "up", "up"], 0, 1.0),
        (["up", "down", "degraded", "down"], 0, 0.5),
        (["up", "down", "down", "down"], 0, 0.25),
        (["down", "down", "up", "up"], 600, 1.0),  # the window starts at the third run
        (["up", "unknown", "unknown", "down"], 0, 0.5),  # unknown is not counted
    ],
)
def test_availability(hist: History, healths: list[str], since: int, availability: float) -> None:
    record_series(hist, [(T0 + 300 * i, {"p1": h}) for i, h in enumerate(healths)])
    (t,) = hist.window(T0 + since, T0 + 900, RULE)
    assert t.availability == pytest.approx(availability)


def test_counter_deltas_and_rates_never_negative(hist: History) -> None:
    counters = [(1000, 2000), (4000, 5000), (30, 60), (330, 60), (330, 60)]
    record_series(hist, [(T0 + 100 * i, {"p1": ("up", e, d)}) for i, (e, d) in enumerate(counters)])
    (t,) = hist.window(T0, T0 + 400, RULE)
    got = [(r.encaps, r.decaps, r.reset) for r in t.rates]
    assert got == [(3000, 3000, False), (30, 60, True), (300, 0, False), (0, 0, False)]
    assert all(r.encaps >= 0 and r.decaps >= 0 for r in t.rates)
    assert [(r.out_pps, r.in_pps) for r in t.rates][:2] == [(30.0, 30.0), (0.3, 0.6)]


@pytest.mark.parametrize(
    ("before", "after", "delta"), [(0, 0, 0), (10, 25, 15), (25, 10, 10), (5, 0, 0)]
)
def test_counter_delta(before: int, after: int, delta: int) -> None:
    assert counter_delta(before, after) == delta


def test_pure_helpers_without_a_file() -> None:
    a = TunnelState("hub1", "p1", "up", encaps=50, decaps=10, send_errors=7)
    b = TunnelState("hub1", "p1", "up", encaps=20, decaps=40, send_errors=9)
    r = rate(a, b, 0, 10)
    assert (r.encaps, r.decaps, r.send_errors, r.reset, r.in_pps) == (20, 30, 2, True, 3.0)
    assert rate(a, b, 5, 5).out_pps == 0.0
    ts = transitions([(0, "up"), (1, "down"), (2, "up"), (3, "down"), (4, "up")])
    assert not is_flapping(ts, FlapRule(4, 3600, 10))  # all rekeys
    assert is_flapping(ts, FlapRule(4, 3600, 0))


# --------------------------------------------------------------------------- storage


def test_record_is_atomic(hist: History) -> None:
    hist.record(report(T0, {"p1": "up"}), T0)
    bad = report(T0 + 300, {"p1": "down", "p2": "up"})
    bad.tunnels.append(bad.tunnels[0])  # the same (device, peer) twice: fails half way
    with pytest.raises(sqlite3.IntegrityError):
        hist.record(bad, T0 + 300)
    assert len(hist.runs()) == 1
    count = hist.db.execute("SELECT count(*) FROM tunnel_states").fetchone()[0]
    assert count == 1
    assert hist.record(report(T0 + 600, {"p1": "up"}), T0 + 600)  # still usable


def test_snapshot_round_trip(hist: History) -> None:
    run = hist.record(report(T0, {"p1": ("up", 5, 6), "p2": "down"}), T0)
    snap = hist.snapshot(run)
    assert (snap.at, snap.exit_code, snap.devices) == (T0, 2, {"hub1": ("ok", None)})
    p1, p2 = snap.tunnels[("hub1", "p1")], snap.tunnels[("hub1", "p2")]
    assert (p1.health, p1.ike_state, p1.spi_out, p1.encaps, p1.decaps) == (
        "up",
        "QM_IDLE",
        "0xA",
        5,
        6,
    )
    assert (p2.spi_out, p2.findings) == (None, ("CONFIGURED_NOT_UP",))


def test_prune_keeps_recent_runs(hist: History) -> None:
    day = 86400
    record_series(hist, [(T0 + d * day, {"p1": "up"}) for d in range(10)])
    assert hist.prune(keep_days=3, now=T0 + 9 * day) == 6
    assert len(hist.runs()) == 4
    assert hist.db.execute("SELECT count(DISTINCT run) FROM tunnel_states").fetchone()[0] == 4
    assert hist.db.execute("SELECT count(DISTINCT run) FROM device_states").fetchone()[0] == 4
    assert hist.prune(keep_days=3, now=T0 + 9 * day) == 0


def test_migration_from_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.touch()
    with History(path) as h:
        assert h.schema_version() == SCHEMA_VERSION
        assert h.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in h.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"runs", "device_states", "tunnel_states", "schema_version"} <= tables
    with History(path) as h:  # reopening migrates nothing and keeps one version row
        assert h.db.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1


def test_constructor_does_not_connect(tmp_path: Path) -> None:
    h = History(tmp_path / "h.db")
    assert not (tmp_path / "h.db").exists()
    with pytest.raises(RuntimeError):
        h.runs()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as h:
        h.db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(InputFileError, match="newer") as err:
        History(path).open()
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 50, b"SQLite format 3\x00" + b"\xff" * 4000],
)
def test_corrupt_file_names_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        History(path).open()
    assert str(path) in str(err.value)


def _recorder(path: str, offset: int, start: Any) -> None:
    start.wait(60)  # both processes open and record at the same time
    with History(Path(path)) as h:
        for i in range(20):
            at = T0 + offset + i
            h.record(report(at, {"p1": "up", "p2": ("up", i, i)}, device=f"dev{offset}"), at)


def test_two_concurrent_recorders(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_recorder, args=(str(path), off, start)) for off in (0, 1000)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=90)
    assert [p.exitcode for p in procs] == [0, 0]
    with History(path) as h:
        assert h.integrity_check() == "ok"
        assert len(h.runs()) == 40
        assert h.db.execute("SELECT count(*) FROM tunnel_states").fetchone()[0] == 80
        assert {t.device for t in h.window(T0, T0 + 2000, RULE)} == {"dev0", "dev1000"}


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_streamed_window_equals_the_one_from_snapshots(hist: History, seed: int) -> None:
    """fold_window (one tunnel at a time, the run not stored yet appended) gives what
    summarize gives over every stored run plus that run, and bucket rates add up."""
    import itertools
    import random

    from ipsec_ops.trends import counter_delta, snapshot_of, summarize

    rnd = random.Random(seed)
    healths = ["up", "up", "up", "degraded", "down", "unknown"]
    counters = {p: 0 for p in ("p1", "p2", "p3")}

    def spec(i: int) -> Spec:
        out: Spec = {}
        for p in counters:
            if p == "p3" and i < 20:  # a tunnel that appears late
                continue
            counters[p] = 0 if rnd.random() < 0.05 else counters[p] + rnd.randrange(0, 500)
            out[p] = (rnd.choice(healths), counters[p], counters[p] // 2)
        return out

    series = [(T0 + 300 * i + rnd.random(), spec(i)) for i in range(400)]
    record_series(hist, series[:-1])
    at, last = series[-1]
    current = snapshot_of(report(at, last), 0, at)
    since = T0 + 300 * 50  # a window that starts inside the history
    streamed = hist.fold_window(since, at, RULE, current)
    expected = summarize([*hist.snapshots(since, at), current], RULE)
    assert [(h.device, h.peer) for h in streamed] == [(h.device, h.peer) for h in expected]
    for a, b in zip(streamed, expected, strict=True):
        assert (a.samples, a.availability, a.transitions, a.flapping, a.last_rate) == (
            b.samples,
            b.availability,
            b.transitions,
            b.flapping,
            b.last_rate,
        )
        assert a.points == b.points and a.first_seen == b.first_seen
        assert len(a.rates) <= 240
    # Buckets sum consecutive intervals: the total equals the per-interval total.
    p1 = [s.tunnels[("hub1", "p1")] for s in [*hist.snapshots(since, at), current]]
    total = sum(counter_delta(x.encaps, y.encaps) for x, y in itertools.pairwise(p1))
    assert sum(r.encaps for r in streamed[0].rates) == total
    assert not any(r.encaps < 0 for r in streamed[0].rates)
