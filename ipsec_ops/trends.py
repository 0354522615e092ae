"""Pure run-history computations: transitions, flapping, counter deltas and rates,
availability and what changed between two snapshots.

Everything here is a function over :class:`TunnelState` values (one tunnel in one
stored run), so it is tested without a database; :mod:`ipsec_ops.history` stores
the snapshots and calls these.

Counters are the sums over a tunnel's IPsec SAs: ``encaps`` is traffic out,
``decaps`` traffic in. A counter lower than in the previous snapshot means a
reset (a clear or a reboot): the delta is then the new value, never negative.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ipsec_ops.model import Report, Tunnel

UP_HEALTHS = ("up", "degraded")  # the tunnel carries (or can carry) traffic
COUNTERS = ("encaps", "decaps", "send_errors", "recv_errors")
Key = tuple[str, str]  # (device, peer)


def iso_time(at: float) -> str:
    """Epoch seconds as ISO 8601 UTC to the second.

    >>> iso_time(0)
    '1970-01-01T00:00:00Z'
    """
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TunnelState(NamedTuple):
    """One tunnel in one snapshot (a row of ``tunnel_states``). A named tuple: a day of
    five-minute runs of 800 tunnels is 230,000 of them, built fast."""

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
    """One tunnel over a window of runs: availability, transitions, flapping, and the
    samples themselves (rates and chart points are computed from them when asked)."""

    device: str
    peer: str
    first_seen: float
    last_seen: float
    samples: int
    availability: float | None  # None: never in a known health within the window
    transitions: list[Transition]
    flapping: bool
    # (at, state) of every sample, oldest first.
    series: tuple[tuple[float, TunnelState], ...] = ()

    @functools.cached_property
    def points(self) -> tuple[tuple[float, str], ...]:
        """(at, health) of every sample: the state strip of the charts."""
        return tuple((at, s.health) for at, s in self.series)

    @functools.cached_property
    def rates(self) -> list[Rate]:
        """Counter deltas between each two consecutive samples."""
        return [rate(a, b, t0, t1) for (t0, a), (t1, b) in itertools.pairwise(self.series)]

    @property
    def last_rate(self) -> Rate | None:
        """The counter deltas between the last two samples (None with one sample)."""
        if len(self.series) < 2:
            return None
        (t0, a), (t1, b) = self.series[-2], self.series[-1]
        return rate(a, b, t0, t1)

    def to_json(self) -> dict[str, Any]:
        """The ``history`` object of a tunnel in the JSON report (times in ISO 8601 UTC)."""
        last = self.last_rate
        return {
            "availability": self.availability,
            "samples": self.samples,
            "first_seen": iso_time(self.first_seen),
            "last_seen": iso_time(self.last_seen),
            "transitions": len(self.transitions),
            "flapping": self.flapping,
            "out_pps": round(last.out_pps, 3) if last else None,
            "in_pps": round(last.in_pps, 3) if last else None,
            "counter_reset": last.reset if last else False,
        }


@dataclass(frozen=True)
class Change:
    kind: str  # down, up, new, gone, flapping, no_traffic, device_unreadable, device_readable
    device: str
    peer: str | None
    at: float
    summary: str


def tunnel_state(t: Tunnel) -> TunnelState:
    """What the history keeps of a tunnel: health, IKE state, outbound SPIs and the
    counters summed over its IPsec SAs."""
    spis = ",".join(sa.spi_out for sa in t.ipsec if sa.has_sa and sa.spi_out)
    encaps, decaps, send_errors, recv_errors = (
        sum(getattr(sa, n) for sa in t.ipsec) for n in COUNTERS
    )
    return TunnelState(
        t.device,
        t.peer,
        t.health,
        ike_state=t.ike.state if t.ike else None,
        spi_out=spis or None,
        encaps=encaps,
        decaps=decaps,
        send_errors=send_errors,
        recv_errors=recv_errors,
        findings=tuple(f.code for f in t.findings),
    )


def snapshot_of(report: Report, run: int, at: float) -> Snapshot:
    """A report as the history would store it, before it is stored."""
    devices = {d.name: (d.status, d.error) for d in report.devices}
    states = (tunnel_state(t) for t in report.tunnels)
    return Snapshot(run, at, report.exit_code(), devices, {s.key: s for s in states})


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
    """Deltas from snapshot ``a`` (at ``start``) to ``b`` (at ``end``), never negative.

    >>> a = TunnelState("r1", "p", "up", encaps=500, decaps=40)
    >>> b = TunnelState("r1", "p", "up", encaps=20, decaps=70)
    >>> rate(a, b, 0, 10)
    Rate(start=0, end=10, encaps=20, decaps=30, send_errors=0, recv_errors=0, reset=True)
    """
    reset = (
        b.encaps < a.encaps
        or b.decaps < a.decaps
        or b.send_errors < a.send_errors
        or b.recv_errors < a.recv_errors
    )
    return Rate(
        start,
        end,
        counter_delta(a.encaps, b.encaps),
        counter_delta(a.decaps, b.decaps),
        counter_delta(a.send_errors, b.send_errors),
        counter_delta(a.recv_errors, b.recv_errors),
        reset,
    )


def tunnel_history(points: Sequence[tuple[float, TunnelState]], rule: FlapRule) -> TunnelHistory:
    """Summarise one tunnel's time-ordered snapshots (at least one)."""
    first = points[0][1]
    trans = transitions((at, s.health) for at, s in points)
    known = [s for _, s in points if link_state(s.health) is not None]
    up = sum(1 for s in known if s.health in UP_HEALTHS)
    return TunnelHistory(
        first.device,
        first.peer,
        first_seen=points[0][0],
        last_seen=points[-1][0],
        samples=len(points),
        availability=up / len(known) if known else None,
        transitions=trans,
        flapping=is_flapping(trans, rule),
        series=tuple(points),
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


def flapping_keys(snapshots: Sequence[Snapshot], at: float, rule: FlapRule) -> frozenset[Key]:
    """The tunnels flapping in the rule's window that ends at ``at``."""
    recent = [s for s in snapshots if at - rule.window_s <= s.at <= at]
    return frozenset((h.device, h.peer) for h in summarize(recent, rule) if h.flapping)


def changes_between(
    snapshots: Sequence[Snapshot],
    prev: Snapshot,
    cur: Snapshot,
    earlier: Snapshot | None,
    rule: FlapRule,
) -> list[Change]:
    """:func:`diff` of two runs, with flapping judged on ``snapshots`` (which must hold
    every run from ``prev.at - rule.window_s`` to ``cur.at``)."""
    return diff(
        prev,
        cur,
        flapping_before=flapping_keys(snapshots, prev.at, rule),
        flapping_now=flapping_keys(snapshots, cur.at, rule),
        earlier=earlier,
    )
