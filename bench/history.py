"""Recording one run into a long history: the tool against the straightforward way.

Cron runs ``ipsec-ops health --db`` every five minutes; each run records its snapshot
and reads the window back (availability, transitions, FLAPPING, rates, changes). With
``--tunnels`` tunnels and ``--runs`` earlier runs five minutes apart, this times, on
copies of one database, best of ``--repeat``:

* the tool: :func:`ipsec_ops.recording.record_in` (one bulk read of the window, rates
  computed only when a renderer asks, changes judged in memory);
* the straightforward composition of the same public pieces: one ``History.snapshot``
  per run of the window, ``summarize`` with every interval's rate computed, record,
  and the two flapping windows of the changes read again run by run;

checks both give the same window and changes, and prints a table with the peak
Python memory of each (tracemalloc, in a separate pass so it does not slow the timing).

    .venv/bin/python bench/history.py [--tunnels 800] [--runs 288 2016] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ipsec_ops.changes import Change, diff
from ipsec_ops.history import History
from ipsec_ops.model import Device, IkeSa, IpsecSa, Report, Tunnel
from ipsec_ops.recording import annotate, record_in
from ipsec_ops.settings import HistorySettings
from ipsec_ops.trends import FlapRule, TunnelHistory, snapshot_of, summarize

T0 = 1_795_000_000.0
STEP_S = 300.0  # five-minute cron


def fleet_report(i: int, tunnels: int) -> Report:
    """Run ``i`` of a fleet: 8 tunnels per device, every 50th tunnel flapping every 3 runs."""
    out = []
    for k in range(tunnels):
        up = not (k % 50 == 0 and (i // 3) % 2)
        spi = f"0x{k:08X}" if up else None
        sa = IpsecSa("10.1.0.0/24", "10.2.0.0/24", "0x1", spi, 100 * i, 90 * i)
        ike = IkeSa(1, "QM_IDLE" if up else "MM_NO_STATE")
        peer = f"203.0.{k // 250}.{k % 250}"
        out.append(Tunnel(f"dev{k // 8}", peer, ike=ike, ipsec=[sa], health="up" if up else "down"))
    devices = [Device(f"dev{d}", "cisco_ios", "ios15") for d in range((tunnels + 7) // 8)]
    return Report("2026-11-29T00:00:00Z", devices, out)


def build(db: Path, tunnels: int, runs: int) -> None:
    with History(db) as h:
        for i in range(runs):
            h.record(fleet_report(i, tunnels), T0 + STEP_S * i)


def straightforward(
    history: History, report: Report, at: float, settings: HistorySettings
) -> tuple[list[TunnelHistory], list[Change]]:
    """Read every run of the window one by one, with every rate computed, then record."""
    rule = FlapRule.from_knowledge()
    snaps = [history.snapshot(r) for r in history.runs(at - settings.since_s, at)]
    window = summarize([*snaps, snapshot_of(report, 0, at)], rule)
    for h in window:
        _ = h.rates
    annotate(report, window, rule)
    run = history.record(report, at)
    prev_id = history.previous_run(run)
    if prev_id is None:
        return window, []
    prev, cur = history.snapshot(prev_id), history.snapshot(run)
    before = history.previous_run(prev_id)

    def flapping_at(t: float) -> frozenset[tuple[str, str]]:
        near = [history.snapshot(r) for r in history.runs(t - rule.window_s, t)]
        return frozenset((h.device, h.peer) for h in summarize(near, rule) if h.flapping)

    earlier = history.snapshot(before) if before is not None else None
    changes = diff(
        prev,
        cur,
        flapping_before=flapping_at(prev.at),
        flapping_now=flapping_at(cur.at),
        earlier=earlier,
    )
    return window, changes


def tool(
    history: History, report: Report, at: float, settings: HistorySettings
) -> tuple[list[TunnelHistory], list[Change]]:
    rec = record_in(history, report, at, settings)
    return rec.window, rec.changes


Way = Callable[[History, Report, float, HistorySettings], tuple[list[TunnelHistory], list[Change]]]


def measure(way: Way, source: Path, tunnels: int, runs: int, repeat: int) -> dict[str, Any]:
    """Best time of ``repeat`` runs on fresh copies, then peak memory in one traced run."""
    at = T0 + STEP_S * runs
    best, result = float("inf"), None
    with tempfile.TemporaryDirectory() as tmp:
        for trace in [False] * repeat + [True]:
            db = Path(tmp) / "copy.db"
            shutil.copy(source, db)
            report = fleet_report(runs, tunnels)
            with History(db) as history:
                if trace:
                    tracemalloc.start()
                started = time.perf_counter()
                got = way(history, report, at, HistorySettings(db, since_s=STEP_S * (runs + 1)))
                took = time.perf_counter() - started
                if trace:
                    peak = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                else:
                    best, result = min(best, took), got
            db.unlink()
    assert result is not None
    return {"seconds": best, "peak_mb": peak / 1e6, "result": result}


def same(
    a: tuple[list[TunnelHistory], list[Change]], b: tuple[list[TunnelHistory], list[Change]]
) -> bool:
    def key(w: list[TunnelHistory]) -> list[tuple[Any, ...]]:
        return [(h.device, h.peer, h.samples, h.availability, len(h.transitions), h.flapping,
                 h.last_rate) for h in w]  # fmt: skip

    return key(a[0]) == key(b[0]) and a[1] == b[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tunnels", type=int, default=800)
    parser.add_argument("--runs", type=int, nargs="+", default=[288, 2016])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    FlapRule.from_knowledge()  # load the knowledge once, outside the timings
    print(f"python {platform.python_version()}, {args.tunnels} tunnels, runs every {STEP_S:g} s")
    print(f"{'earlier runs':>12} {'rows':>9} {'way':<16} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for runs in args.runs:
            source = Path(tmp) / f"h{runs}.db"
            build(source, args.tunnels, runs)
            got = {
                name: measure(way, source, args.tunnels, runs, args.repeat)
                for name, way in (("straightforward", straightforward), ("tool", tool))
            }
            if not same(got["straightforward"]["result"], got["tool"]["result"]):
                print("the two ways disagree", file=sys.stderr)
                return 1
            for name, m in got.items():
                rows = args.tunnels * (runs + 1)
                print(f"{runs:>12} {rows:>9} {name:<16} {m['seconds']:>8.2f} {m['peak_mb']:>8.0f}")
            ratio = got["straightforward"]["seconds"] / got["tool"]["seconds"]
            print(f"{'':>12} {'':>9} {'speed-up':<16} {ratio:>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
