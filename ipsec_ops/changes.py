"""What changed between two runs of the history: tunnels down, back, new, gone,
flapping, no longer carrying traffic; devices unreadable or readable again.

Pure, over :class:`~ipsec_ops.trends.Snapshot` values; :mod:`ipsec_ops.history`
and :mod:`ipsec_ops.recording` give it the runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ipsec_ops.trends import FlapRule, Key, Snapshot, link_state, rate, summarize


@dataclass(frozen=True)
class Change:
    kind: str  # down, up, new, gone, flapping, no_traffic, device_unreadable, device_readable
    device: str
    peer: str | None
    at: float
    summary: str


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
