"""The generated ``fleet`` scenario: N devices, mostly healthy, every fault mixed in.

Used for scale work (benchmarks, 500-device runs). Each device has three crypto
map entries toward external peers; one tunnel in four carries a condition, in
rotation, so every condition appears in any fleet of a dozen devices or more.
Peer addresses are in 198.18.0.0/15 (RFC 2544 benchmarking): data, never contacted.
"""

from __future__ import annotations

import ipaddress

from ipsec_ops.lab.config import (
    AclLine,
    Device,
    ExternalPeer,
    IkePolicy,
    Interface,
    MapEntry,
    Scenario,
    TransformSet,
    User,
)
from ipsec_ops.platforms import family

FAMILIES = ("ios15", "asa9", "xe17", "asa8.2", "ios12.4", "pix7")
CONDITIONS = (
    "peer-unreachable",
    "ike-policy-mismatch",
    "psk-mismatch",
    "phase2-mismatch",
    "acl-not-mirrored",
    "one-way-traffic",
    "no-interesting-traffic",
    "stale-sa",
    "flapping",
)
TUNNELS_PER_DEVICE = 3
# Conditions configuration cannot express are faults on our own crypto map entry.
ENTRY_FAULTS = {
    "no-interesting-traffic": ("no_traffic",),
    "one-way-traffic": ("one_way",),
    "stale-sa": ("stale",),
    "flapping": ("flapping",),
}
BASE = ipaddress.IPv4Address("127.1.0.1")
OUTSIDE = ipaddress.IPv4Address("198.19.0.1")
PEERS = ipaddress.IPv4Address("198.18.0.1")
PASSWORD, SECRET = "Fleet-Pass-4u8", "Fleet-Enable-2c6"


def _peer(
    address: ipaddress.IPv4Address,
    condition: str,
    psk: str,
    local: ipaddress.IPv4Network,
    remote: ipaddress.IPv4Network,
) -> ExternalPeer:
    policies = (IkePolicy(10),)
    transforms = (TransformSet("TS"),)
    acl: tuple[AclLine, ...] = ()
    if condition == "ike-policy-mismatch":
        policies = (IkePolicy(10, encryption="3des", hash="md5", group=2),)
    if condition == "psk-mismatch":
        psk = psk + "-other"
    if condition == "phase2-mismatch":
        transforms = (TransformSet("TS", ("esp-3des", "esp-md5-hmac")),)
    if condition == "acl-not-mirrored":
        acl = (AclLine(ipaddress.IPv4Network(f"{remote.network_address}/16", strict=False), local),)
    return ExternalPeer(
        address=address,
        ike_policies=policies,
        transform_sets=transforms,
        psk=psk,
        acl=acl,
        answers=condition != "peer-unreachable",
    )


def fleet_scenario(n: int) -> Scenario:
    """Generate ``n`` devices (and their external peers)."""
    devices, peers = [], []
    for i in range(n):
        fam = family(FAMILIES[i % len(FAMILIES)])
        name = f"site{i + 1:04d}"
        outside = OUTSIDE + i
        lan = ipaddress.IPv4Network(f"10.{(i >> 8) & 255}.{i & 255}.0/24")
        asa = fam.netmiko_type == "cisco_asa"
        map_name = "outside_map" if asa else "VPN"
        iface = Interface("GigabitEthernet0/0", outside, 16, "outside" if asa else "", 0, map_name)
        inside = Interface(
            "GigabitEthernet0/1", lan.network_address + 1, 24, "inside" if asa else "", 100
        )
        entries = []
        for t in range(TUNNELS_PER_DEVICE):
            k = i * TUNNELS_PER_DEVICE + t
            condition = CONDITIONS[(k // 4) % len(CONDITIONS)] if k % 4 == 3 else "healthy"
            peer = PEERS + k
            remote = ipaddress.IPv4Network(
                f"172.{16 + (k >> 16) % 16}.{(k >> 8) & 255}.{k & 255}/32"
            )
            psk = f"Fleet-Psk-{k:05d}"
            faults = ENTRY_FAULTS.get(condition, ())
            entries.append(
                MapEntry(
                    map_name,
                    10 * (t + 1),
                    peer,
                    iface.name,
                    f"VPN-{t + 1}-ACL",
                    (AclLine(lan, remote),),
                    "TS",
                    psk,
                    f"[{condition}] tunnel {t + 1}",
                    faults=faults,
                )
            )
            peers.append(_peer(peer, condition, psk, lan, remote))
        devices.append(
            Device(
                name=name,
                platform=fam.platform,
                family=fam.name,
                version=fam.example_version,
                hostname=name.upper(),
                address=str(BASE + i),
                port=0,
                users=(User("admin", PASSWORD),),
                enable_secret=SECRET,
                interfaces=(iface, inside),
                ike_policies=(IkePolicy(10),),
                transform_sets=(TransformSet("TS"),),
                map_entries=tuple(entries),
            )
        )
    return Scenario("fleet", f"{n} generated devices", tuple(devices), tuple(peers))
