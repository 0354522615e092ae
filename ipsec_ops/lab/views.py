"""Snapshots of tunnel state at one instant: what the renderers print.

The engine computes these from configuration, faults and the clock; renderers
only format them. Both ends of a lab-to-lab tunnel get views that agree (one
side's outbound SPI is the other's inbound SPI).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from ipsec_ops.lab.config import AclLine, Device, IkePolicy, MapEntry, TransformSet


class Outcome(StrEnum):
    """How a negotiation ends, derived from both configurations and the faults."""

    UP = "up"
    NO_TRAFFIC = "no_traffic"  # nothing triggers the crypto map: no SA at all
    UNREACHABLE = "unreachable"  # first message never answered
    POLICY_MISMATCH = "policy_mismatch"  # phase 1 proposals rejected
    NO_PEER_CONFIG = "no_peer_config"  # peer answers MM1 but has no key for us
    AUTH_FAILED = "auth_failed"  # PSK differs: stuck at key exchange
    PHASE2_MISMATCH = "phase2_mismatch"  # transform set / PFS differ
    PROXY_MISMATCH = "proxy_mismatch"  # crypto ACLs not mirrored


@dataclass(frozen=True)
class IkeView:
    version: int  # 1 or 2
    state: str  # in the platform's own words: QM_IDLE, MM_ACTIVE, READY, MM_WAIT_MSG6 ...
    role: str  # "initiator" | "responder"
    conn_id: int
    lifetime_left_s: int
    established: bool
    policy: IkePolicy | None
    age_s: int  # seconds since this SA was created
    local_spi: int = 0  # IKEv2 / ASA show the IKE SPIs
    remote_spi: int = 0


@dataclass(frozen=True)
class IpsecView:
    """One proxy pair with its inbound and outbound SA (SPIs 0 when no SA)."""

    local_net: ipaddress.IPv4Network
    remote_net: ipaddress.IPv4Network
    spi_in: int
    spi_out: int
    encaps: int
    decaps: int
    send_errors: int
    recv_errors: int
    lifetime_left_s: int
    lifetime_left_kb: int
    conn_id_in: int
    conn_id_out: int
    transform: TransformSet | None
    pfs_group: int | None
    no_sa_send: int = 0  # packets matched the ACL but found no outbound SA

    @property
    def has_sa(self) -> bool:
        return self.spi_out != 0


@dataclass(frozen=True)
class TunnelView:
    """One crypto map entry of one device, as it stands at one instant."""

    device: Device
    entry: MapEntry
    local: ipaddress.IPv4Address
    peer: ipaddress.IPv4Address
    outcome: Outcome
    ike: IkeView | None
    ipsec: tuple[IpsecView, ...]
    session_status: str  # IOS show crypto session words: UP-ACTIVE, UP-IDLE, UP-NO-IKE, ...
    acl_hits: tuple[int, ...]  # hit count per crypto ACL line
    uptime_s: int | None  # since the IPsec SAs came up, None when down

    @property
    def acl(self) -> tuple[AclLine, ...]:
        return self.entry.acl


@dataclass(frozen=True)
class LogEvent:
    """Something a device would log: a tunnel going up or down, a failed exchange."""

    at: float
    kind: str  # "up", "down", "p1_policy", "p1_auth", "p2_transform", "p2_proxy", "no_answer"
    local: ipaddress.IPv4Address
    peer: ipaddress.IPv4Address
    map_name: str
    ike_version: int
    role: str
    detail: str = ""
