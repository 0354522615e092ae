"""Phase 1 and phase 2 played on two configurations: how a negotiation ends.

Pure: the other end's configuration and both ends' faults in, an
:class:`~ipsec_ops.lab.views.Outcome` out. Which side initiates is decided
here too (the lower address, or the lab device facing an external peer).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ipsec_ops.lab.config import AclLine, Device, IkePolicy, MapEntry, TransformSet
from ipsec_ops.lab.views import Outcome


@dataclass(frozen=True)
class RemoteEnd:
    """The other end of a crypto map entry, as the negotiation needs it."""

    address: ipaddress.IPv4Address
    policies: tuple[IkePolicy, ...]
    psk: str
    transform: TransformSet | None
    pfs_group: int | None
    acl: tuple[AclLine, ...]  # from the remote's own point of view
    ike_version: int
    faults: tuple[str, ...]
    answers: bool
    sa_lifetime_s: int
    device: Device | None = None
    entry: MapEntry | None = None


@dataclass(frozen=True)
class Negotiation:
    outcome: Outcome
    role: str
    remote: RemoteEnd | None
    policy: IkePolicy | None
    faults: frozenset[str]  # union of both ends' faults
    one_way_from_us: bool  # our traffic reaches the peer, its replies never come back
    one_way_to_us: bool


def negotiate(device: Device, entry: MapEntry, remote: RemoteEnd | None) -> Negotiation:
    """Play phase 1 and phase 2 on the two configurations and return how it ends."""
    local_addr = device.local_address_for(entry)
    faults = set(entry.faults) | set(remote.faults if remote else ())
    one_way_from_us = "one_way" in entry.faults
    one_way_to_us = bool(remote and "one_way" in remote.faults)
    if remote is None or remote.device is None:
        role = "initiator"
    else:
        role = "initiator" if local_addr < remote.address else "responder"

    def done(outcome: Outcome, policy: IkePolicy | None = None) -> Negotiation:
        return Negotiation(
            outcome, role, remote, policy, frozenset(faults), one_way_from_us, one_way_to_us
        )

    if "no_traffic" in faults:
        return done(Outcome.NO_TRAFFIC)
    if remote is None or not remote.answers or "unreachable" in faults:
        return done(Outcome.UNREACHABLE)
    if remote.ike_version != entry.ike_version:
        return done(Outcome.POLICY_MISMATCH)
    offers, holds = (
        (device.ike_policies, remote.policies)
        if role == "initiator"
        else (remote.policies, device.ike_policies)
    )
    policy = next(
        (
            offer
            for held in sorted(holds, key=lambda p: p.priority)
            for offer in offers
            if held.matches(offer)
        ),
        None,
    )
    if policy is None:
        return done(Outcome.POLICY_MISMATCH)
    if not remote.psk:
        return done(Outcome.NO_PEER_CONFIG)
    if remote.psk != entry.psk:
        return done(Outcome.AUTH_FAILED, policy)
    ours = device.transform_set(entry.transform_set)
    if (
        ours is None
        or remote.transform is None
        or (ours.transforms, ours.mode) != (remote.transform.transforms, remote.transform.mode)
        or entry.pfs_group != remote.pfs_group
    ):
        return done(Outcome.PHASE2_MISMATCH, policy)
    if sorted(map(str, (line.mirrored() for line in entry.acl))) != sorted(map(str, remote.acl)):
        return done(Outcome.PROXY_MISMATCH, policy)
    return done(Outcome.UP, policy)


def pair_key(a: ipaddress.IPv4Address, b: ipaddress.IPv4Address) -> str:
    """The same key from both ends of a tunnel.

    >>> a, b = ipaddress.IPv4Address("192.0.2.1"), ipaddress.IPv4Address("192.0.2.9")
    >>> pair_key(a, b) == pair_key(b, a)
    True
    """
    return "<->".join(sorted((str(a), str(b))))
