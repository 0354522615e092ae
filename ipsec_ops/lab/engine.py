"""The negotiation engine: tunnel state derived from two configurations, faults and time.

For every crypto map entry of a lab device the engine finds the other end (a
lab device holding the mirror entry, a declared external peer, or nobody),
plays the negotiation on the two configurations (:mod:`.negotiation`) and places
the result on the clock (:mod:`.timeline`). Everything is a function of
(scenario, start, clears, t), so both ends of a lab-to-lab tunnel agree and a
test can move the clock. Clears are the only mutable state.
"""

from __future__ import annotations

import ipaddress
import threading
import time

from ipsec_ops.lab.config import Device, ExternalPeer, MapEntry, Scenario
from ipsec_ops.lab.negotiation import Negotiation, RemoteEnd, negotiate, pair_key
from ipsec_ops.lab.timeline import (
    MAX_EVENTS,
    RENEGOTIATE_S,
    Timeline,
    stable_int,
    tunnel_events,
)
from ipsec_ops.lab.views import LogEvent, TunnelView

__all__ = ["Engine", "LabClock", "pair_key", "stable_int"]


class LabClock:
    """Wall clock with an adjustable offset, so tests and history runs can move time."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


class Engine:
    """Tunnel state of every lab device at any instant; clears restart negotiations."""

    def __init__(self, scenario: Scenario, clock: LabClock | None = None) -> None:
        self.scenario = scenario
        self.clock = clock or LabClock()
        self.start = self.clock.now()
        self._lock = threading.Lock()
        self._clears: dict[str, list[float]] = {}
        self._by_address: dict[ipaddress.IPv4Address, Device] = {}
        for dev in scenario.devices:
            for addr in dev.outside_addresses():
                self._by_address[addr] = dev
        self._external = {p.address: p for p in scenario.peers}
        self._negotiations: dict[tuple[str, str, int], Negotiation] = {}
        for dev in scenario.devices:
            for entry in dev.map_entries:
                remote = self.remote_end(dev, entry)
                self._negotiations[(dev.name, entry.map_name, entry.seq)] = negotiate(
                    dev, entry, remote
                )

    # -- the other end -------------------------------------------------------------

    def remote_end(self, device: Device, entry: MapEntry) -> RemoteEnd | None:
        """Find who answers at ``entry.peer``: a lab device, an external peer, or nobody."""
        local = device.local_address_for(entry)
        other = self._by_address.get(entry.peer)
        if other is not None:
            mirror = next((e for e in other.map_entries if e.peer == local), None)
            if mirror is None:
                return RemoteEnd(
                    entry.peer,
                    other.ike_policies,
                    "",
                    None,
                    None,
                    (),
                    entry.ike_version,
                    (),
                    True,
                    entry.sa_lifetime_s,
                    other,
                    None,
                )
            return RemoteEnd(
                address=entry.peer,
                policies=other.ike_policies,
                psk=mirror.psk,
                transform=other.transform_set(mirror.transform_set),
                pfs_group=mirror.pfs_group,
                acl=mirror.acl,
                ike_version=mirror.ike_version,
                faults=mirror.faults,
                answers=True,
                sa_lifetime_s=mirror.sa_lifetime_s,
                device=other,
                entry=mirror,
            )
        ext = self._external.get(entry.peer)
        if ext is None:
            return None
        return _external_end(ext, entry)

    def negotiation(self, device: Device, entry: MapEntry) -> Negotiation:
        return self._negotiations[(device.name, entry.map_name, entry.seq)]

    # -- clears --------------------------------------------------------------------

    def clear(self, device: Device, peer: ipaddress.IPv4Address, at: float | None = None) -> int:
        """Tear down the SAs toward ``peer``; they renegotiate. Returns entries touched."""
        when = self.clock.now() if at is None else at
        touched = 0
        for entry in device.map_entries:
            if entry.peer == peer:
                key = pair_key(device.local_address_for(entry), peer)
                with self._lock:
                    self._clears.setdefault(key, []).append(when)
                touched += 1
        return touched

    def _last_clear(self, key: str, t: float) -> float | None:
        with self._lock:
            past = [c for c in self._clears.get(key, ()) if c <= t]
        return max(past) if past else None

    # -- views ---------------------------------------------------------------------

    def tunnels(self, device: Device, at: float | None = None) -> list[TunnelView]:
        t = self.clock.now() if at is None else at
        return [self._view(device, i, entry, t) for i, entry in enumerate(device.map_entries)]

    def _view(self, device: Device, index: int, entry: MapEntry, t: float) -> TunnelView:
        neg = self.negotiation(device, entry)
        local = device.local_address_for(entry)
        key = pair_key(local, entry.peer)
        cleared = self._last_clear(key, t)
        t0 = self.start - (3600 + stable_int(key, "age") % (4 * 86400))
        if cleared is not None:
            t0 = cleared + RENEGOTIATE_S
        return Timeline(self.start, device, index, entry, neg, key, t0, cleared, t).view()

    def events(self, device: Device, until: float | None = None) -> list[LogEvent]:
        """What the device logged between lab start and ``until``, oldest first."""
        t = self.clock.now() if until is None else until
        out: list[LogEvent] = []
        for i, entry in enumerate(device.map_entries):
            neg = self.negotiation(device, entry)
            local = device.local_address_for(entry)
            key = pair_key(local, entry.peer)
            with self._lock:
                clears = list(self._clears.get(key, ()))
            out.extend(tunnel_events(self.start, clears, device, i, entry, neg, key, t))
        out.sort(key=lambda e: e.at)
        return out[-MAX_EVENTS:]


def _external_end(ext: ExternalPeer, entry: MapEntry) -> RemoteEnd:
    transform = ext.transform_sets[0] if ext.transform_sets else None
    acl = ext.acl or tuple(line.mirrored() for line in entry.acl)
    return RemoteEnd(
        address=ext.address,
        policies=ext.ike_policies,
        psk=ext.psk,
        transform=transform,
        pfs_group=ext.pfs_group,
        acl=acl,
        ike_version=entry.ike_version,
        faults=ext.faults,
        answers=ext.answers,
        sa_lifetime_s=entry.sa_lifetime_s,
    )
