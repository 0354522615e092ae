"""What a lab device *is*: its identity, credentials and crypto configuration.

These are plain frozen dataclasses built by :mod:`ipsec_ops.lab.scenario` from a
scenario YAML. Tunnel state is never stored here: :mod:`ipsec_ops.lab.engine`
derives it from two of these configurations, the faults and the clock.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

# Faults configuration cannot express (set per crypto map entry or external peer).
TUNNEL_FAULTS = ("unreachable", "one_way", "no_traffic", "stale", "flapping")
# Faults of the device itself (its SSH/telnet service).
DEVICE_FAULTS = ("hang", "drop")


@dataclass(frozen=True)
class IkePolicy:
    """An ISAKMP (IKEv1) policy or IKEv2 proposal: what phase 1 offers or accepts."""

    priority: int
    encryption: str = "aes 256"  # IOS spelling: "aes", "aes 256", "3des", "des"
    hash: str = "sha"  # "sha", "sha256", "md5"
    group: int = 14
    auth: str = "pre-share"
    lifetime: int = 86400

    def matches(self, other: IkePolicy) -> bool:
        """True when a responder holding ``self`` accepts the offer ``other``.

        A shorter offered lifetime is accepted (the responder adopts it).

        >>> IkePolicy(10).matches(IkePolicy(20, lifetime=3600))
        True
        >>> IkePolicy(10, group=5).matches(IkePolicy(20, group=14))
        False
        """
        return (
            self.encryption == other.encryption
            and self.hash == other.hash
            and self.group == other.group
            and self.auth == other.auth
            and other.lifetime <= self.lifetime
        )


@dataclass(frozen=True)
class TransformSet:
    name: str
    transforms: tuple[str, ...] = ("esp-aes 256", "esp-sha-hmac")
    mode: str = "tunnel"


@dataclass(frozen=True)
class AclLine:
    """One crypto ACL line: ``permit ip <src> <dst>``."""

    src: ipaddress.IPv4Network
    dst: ipaddress.IPv4Network
    action: str = "permit"
    protocol: str = "ip"

    def mirrored(self) -> AclLine:
        return AclLine(self.dst, self.src, self.action, self.protocol)


@dataclass(frozen=True)
class Interface:
    name: str
    address: ipaddress.IPv4Address
    prefixlen: int = 24
    nameif: str = ""  # ASA/PIX: "outside"
    security_level: int = 0
    crypto_map: str | None = None
    description: str = ""


@dataclass(frozen=True)
class MapEntry:
    """One crypto map entry (IOS ``crypto map NAME SEQ ipsec-isakmp``, ASA ``crypto map``).

    ``interface`` is where the map is applied; ``psk`` is the key this side holds
    for the peer (IOS keyring / ``crypto isakmp key``, ASA tunnel-group).
    """

    map_name: str
    seq: int
    peer: ipaddress.IPv4Address
    interface: str
    acl_name: str
    acl: tuple[AclLine, ...]
    transform_set: str
    psk: str
    description: str = ""
    pfs_group: int | None = None
    ike_version: int = 1
    sa_lifetime_s: int = 3600
    sa_lifetime_kb: int = 4608000
    faults: tuple[str, ...] = ()
    # Packets per second this side sends into the tunnel when traffic flows.
    pps: float = 5.0


@dataclass(frozen=True)
class ExternalPeer:
    """A remote end that is not a lab device: its config is declared, never contacted."""

    address: ipaddress.IPv4Address
    name: str = ""
    ike_policies: tuple[IkePolicy, ...] = (IkePolicy(10),)
    transform_sets: tuple[TransformSet, ...] = (TransformSet("TS"),)
    psk: str = ""
    pfs_group: int | None = None
    # Proxies the peer proposes, from its own point of view (its local, its remote).
    acl: tuple[AclLine, ...] = ()
    faults: tuple[str, ...] = ()
    answers: bool = True  # False: no ISAKMP for us at all (peer silent)


@dataclass(frozen=True)
class User:
    username: str
    password: str


@dataclass(frozen=True)
class EzvpnClient:
    """A remote-access client connected to a lab Easy VPN server (never contacted).

    ``connected_s``: how long before lab start it connected. ``faults``: ``flapping``
    (connects and drops on a cycle). ``mode``: ``client`` or ``network-extension``.
    """

    username: str
    group: str
    public: ipaddress.IPv4Address
    assigned: ipaddress.IPv4Address
    mode: str = "client"
    connected_s: int = 3600
    faults: tuple[str, ...] = ()
    network: ipaddress.IPv4Network | None = None  # network-extension: the client's LAN


@dataclass(frozen=True)
class DeviceFaults:
    latency_ms: int = 0
    # Hang (never answer) or drop the connection mid-output after a command that
    # starts with this text.
    hang_on: str | None = None
    drop_on: str | None = None


@dataclass(frozen=True)
class Device:
    name: str
    platform: str
    family: str
    version: str
    hostname: str
    address: str  # loopback address the device listens on
    port: int
    users: tuple[User, ...]
    enable_secret: str
    interfaces: tuple[Interface, ...]
    ike_policies: tuple[IkePolicy, ...]
    transform_sets: tuple[TransformSet, ...]
    map_entries: tuple[MapEntry, ...]
    faults: DeviceFaults = field(default_factory=DeviceFaults)
    failover_prompt: str | None = None  # ASA "pri/act" -> prompt "fw1/pri/act# "
    contexts: tuple[str, ...] = ()  # ASA multi-context names
    crypto_logging: bool = True  # `crypto logging session` (where the release has it)
    crypto_logging_ezvpn: bool = False  # `crypto logging ezvpn`
    # Easy VPN server: the interface clients connect to, and the clients.
    ezvpn_interface: str | None = None
    ezvpn_clients: tuple[EzvpnClient, ...] = ()
    model: str = ""
    serial: str = ""

    def interface(self, name: str) -> Interface | None:
        return next((i for i in self.interfaces if name in (i.name, i.nameif)), None)

    def local_address_for(self, entry: MapEntry) -> ipaddress.IPv4Address:
        """The address this device uses toward a peer: the one of the map's interface."""
        intf = self.interface(entry.interface)
        if intf is None:
            raise ValueError(f"{self.name}: crypto map interface {entry.interface} not defined")
        return intf.address

    def transform_set(self, name: str) -> TransformSet | None:
        return next((t for t in self.transform_sets if t.name == name), None)

    def outside_addresses(self) -> set[ipaddress.IPv4Address]:
        return {i.address for i in self.interfaces if i.crypto_map}


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    devices: tuple[Device, ...]
    peers: tuple[ExternalPeer, ...] = ()
    seed: int = 1
    source: str = "<built-in>"

    def device(self, name: str) -> Device:
        for d in self.devices:
            if d.name == name:
                return d
        raise KeyError(name)
