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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ipsec_ops.isotime import iso_time

if TYPE_CHECKING:
    from ipsec_ops.model import Report, Tunnel

UP_HEALTHS = ("up", "degraded")  # the tunnel carries (or can carry) traffic
COUNTERS = ("encaps", "decaps", "send_errors", "recv_errors")
Key = tuple[str, str]  # (device, peer)


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
    """One tunnel over a window of runs: availability, transitions, flapping, its last
    rate, and what its charts need (state changes, traffic per chart bucket)."""

    device: str
    peer: str
    first_seen: float
    last_seen: float
    samples: int
    availability: float | None  # None: never in a known health within the window
    transitions: list[Transition]
    flapping: bool
    # (at, health) where the health changed (the first sample included): a state strip
    # drawn from these is exactly the one drawn from every sample.
    points: tuple[tuple[float, str], ...] = ()
    # Counter deltas per chart bucket (consecutive intervals summed, at most
    # MAX_CHART_BUCKETS over the window); one per interval when runs are sparser.
    rates: tuple[Rate, ...] = ()
    last_rate: Rate | None = None  # between the last two samples

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


MAX_CHART_BUCKETS = 240  # a traffic chart is 160 px wide: more buckets draw nothing more


def _merge(acc: Rate | None, r: Rate) -> Rate:
    """Two consecutive intervals' deltas as one."""
    if acc is None:
        return r
    return Rate(
        acc.start,
        r.end,
        acc.encaps + r.encaps,
        acc.decaps + r.decaps,
        acc.send_errors + r.send_errors,
        acc.recv_errors + r.recv_errors,
        acc.reset or r.reset,
    )


class SeriesFold:
    """One tunnel's samples folded one at a time, oldest first: memory for the
    transitions, the state changes and the chart buckets, not for every sample, so a
    week of five-minute runs is read in a stream (:meth:`History.fold_window`)."""

    def __init__(self, since: float, until: float) -> None:
        self.since = since
        self.width = max((until - since) / MAX_CHART_BUCKETS, 1e-9)
        self.first: tuple[float, TunnelState] | None = None
        self.prev: tuple[float, TunnelState] | None = None
        self.samples = self.known = self.up = 0
        self.link: str | None = None
        self.transitions: list[Transition] = []
        self.points: list[tuple[float, str]] = []
        self.buckets: dict[int, Rate] = {}
        self.last_rate: Rate | None = None

    def add(self, at: float, state: TunnelState) -> None:
        if self.first is None:
            self.first = (at, state)
        self.samples += 1
        now = link_state(state.health)
        if now is not None:
            self.known += 1
            self.up += now == "up"
            if self.link is not None and now != self.link:
                self.transitions.append(Transition(at, self.link, now))
            self.link = now
        if not self.points or self.points[-1][1] != state.health:
            self.points.append((at, state.health))
        if self.prev is not None:
            t0, before = self.prev
            r = self.last_rate = rate(before, state, t0, at)
            bucket = min(int((at - self.since) / self.width), MAX_CHART_BUCKETS - 1)
            self.buckets[bucket] = _merge(self.buckets.get(bucket), r)
        self.prev = (at, state)

    def result(self, rule: FlapRule) -> TunnelHistory:
        assert self.first is not None and self.prev is not None, "no sample folded"
        state = self.first[1]
        return TunnelHistory(
            state.device,
            state.peer,
            first_seen=self.first[0],
            last_seen=self.prev[0],
            samples=self.samples,
            availability=self.up / self.known if self.known else None,
            transitions=self.transitions,
            flapping=is_flapping(self.transitions, rule),
            points=tuple(self.points),
            rates=tuple(self.buckets[b] for b in sorted(self.buckets)),
            last_rate=self.last_rate,
        )


def tunnel_history(points: Sequence[tuple[float, TunnelState]], rule: FlapRule) -> TunnelHistory:
    """Summarise one tunnel's time-ordered snapshots (at least one)."""
    fold = SeriesFold(points[0][0], points[-1][0])
    for at, state in points:
        fold.add(at, state)
    return fold.result(rule)


def summarize(snapshots: Sequence[Snapshot], rule: FlapRule) -> list[TunnelHistory]:
    """One :class:`TunnelHistory` per tunnel seen in the snapshots, sorted by key."""
    ordered = sorted(snapshots, key=lambda s: (s.at, s.run))
    if not ordered:
        return []
    since, until = ordered[0].at, ordered[-1].at
    folds: dict[Key, SeriesFold] = {}
    for snap in ordered:
        for key, state in snap.tunnels.items():
            fold = folds.get(key)
            if fold is None:
                fold = folds[key] = SeriesFold(since, until)
            fold.add(snap.at, state)
    return [folds[k].result(rule) for k in sorted(folds)]
