"""A small fixed report, written the way the collector and diagnose would build it.

Values look like real device output; strings that renderers must escape are
planted on purpose: a description with ``<script>``, a summary with a comma
and double quotes, a description with ``|``.
"""

from __future__ import annotations

import copy
from typing import Any

from ipsec_ops.model import Device, Finding, IkeSa, IpsecSa, Report, Tunnel

GENERATED_AT = "2026-11-26T08:00:00Z"
SCRIPT = "<script>alert(1)</script>"
QUOTED_SUMMARY = (
    'nothing matches the crypto ACL "BRANCH30-ACL" toward 198.51.100.30, so no SA is negotiated'
)
TIMEOUT = "SSH to 192.0.2.33:22 timed out after 30 s"

DEBUG_LEFT_ON = Finding(
    "DEBUG_LEFT_ON",
    "warning",
    "crypto debugs or conditions are active on hub1: debug crypto isakmp",
    ["Crypto ISAKMP debugging is on"],
    ["Reset the debugs left on: `ipsec-ops debug reset --host hub1`"],
)
IKE_AUTH_FAILED = Finding(
    "IKE_AUTH_FAILED",
    "critical",
    "phase 1 stuck at MM_KEY_EXCH: keys exchanged, peer not authenticated (MM5/MM6): "
    "pre-shared key or identity",
    [
        "198.51.100.20   192.0.2.1       MM_KEY_EXCH       1002 ACTIVE",
        "Nov 26 07:58:12.301: %CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 198.51.100.20 "
        "failed its sanity check or is malformed",
    ],
    [
        "Read the IKE SA state on both ends: `show crypto isakmp sa | include 198.51.100.20`",
        "Compare pre-shared keys and IKE policies (encryption, hash, DH group, lifetime) "
        "on both ends: `show crypto isakmp policy`",
        "Debug this peer only: `ipsec-ops debug peer 198.51.100.20 --host hub1`",
    ],
)
NO_INTERESTING_TRAFFIC = Finding(
    "NO_INTERESTING_TRAFFIC",
    "warning",
    QUOTED_SUMMARY,
    ["session status DOWN", "#pkts no sa (send): 0"],
    [
        "Generate interesting traffic and watch the crypto ACL hit counts: "
        "`show access-lists BRANCH30-ACL`",
        "Check the route to the peer and to the remote network leaves the crypto interface: "
        "`show ip route 198.51.100.30`",
        "Check the crypto map is applied to the interface facing the peer: `show crypto map`",
    ],
)
ONE_WAY_TRAFFIC = Finding(
    "ONE_WAY_TRAFFIC",
    "critical",
    "traffic flows one way only with 203.0.113.10: 4210 packets encapsulated, "
    "none decapsulated (10.20.0.0/24 -> 10.30.0.0/24)",
    ["#pkts encaps: 4210, #pkts decaps: 0"],
    [
        "Generate interesting traffic and watch the crypto ACL hit counts: "
        "`show access-list outside_cryptomap_10`",
        "Check the route to the peer and to the remote network leaves the crypto interface: "
        "`show route 203.0.113.10`",
        "Read the IPsec SA counters twice, a few seconds apart: "
        "`show crypto ipsec sa peer 203.0.113.10`",
        "On the peer: its own SA counters, its route back into the tunnel, its NAT exemption",
    ],
)
COLLECTION_FAILED = Finding(
    "COLLECTION_FAILED",
    "critical",
    f"br3 could not be read ({TIMEOUT}); its tunnels' state is unknown",
    [f"DeviceTimeout: {TIMEOUT}"],
    [
        "Check the device is reachable and the credentials work: "
        "`ipsec-ops inventory check --host br3`"
    ],
)


def _hub1_tunnels() -> list[Tunnel]:
    """An IOS hub: one tunnel up, one down at phase 1, one idle (degraded)."""
    common: dict[str, Any] = {
        "device": "hub1",
        "local": "192.0.2.1",
        "interface": "GigabitEthernet0/0",
        "crypto_map": "VPN",
        "configured": True,
    }
    up = Tunnel(
        peer="203.0.113.2", seq=10, description=SCRIPT, acl="VPN-TO-SITE2",
        ike=IkeSa(1, "QM_IDLE", conn_id=1001, lifetime_s=86000, local="192.0.2.1",
                  evidence="203.0.113.2     192.0.2.1       QM_IDLE           1001 ACTIVE"),
        ipsec=[IpsecSa("10.1.0.0/24", "10.2.0.0/24", spi_in="0x1E8246FC", spi_out="0xDC15BF68",
                       encaps=120, decaps=118, lifetime_s=3000, lifetime_kb=4600000)],
        session_status="UP-ACTIVE", health="up", **common,
    )  # fmt: skip
    auth = Tunnel(
        peer="198.51.100.20", seq=20, description="Branch 20 | backup ISP", acl="BRANCH20-ACL",
        ike=IkeSa(1, "MM_KEY_EXCH", conn_id=1002, local="192.0.2.1",
                  evidence="198.51.100.20   192.0.2.1       MM_KEY_EXCH       1002 ACTIVE"),
        session_status="DOWN-NEGOTIATING", health="down", findings=[IKE_AUTH_FAILED], **common,
    )  # fmt: skip
    idle = Tunnel(
        peer="198.51.100.30", seq=30, acl="BRANCH30-ACL", session_status="DOWN",
        health="degraded", findings=[NO_INTERESTING_TRAFFIC], **common,
    )  # fmt: skip
    return [up, auth, idle]


def _fw1_tunnels() -> list[Tunnel]:
    """An ASA: one tunnel sending into the void, one IKEv2 tunnel up with two proxy pairs."""
    common: dict[str, Any] = {
        "device": "fw1",
        "local": "192.0.2.10",
        "interface": "outside",
        "crypto_map": "outside_map",
        "configured": True,
    }
    one_way = Tunnel(
        peer="203.0.113.10", seq=10, acl="outside_cryptomap_10",
        ike=IkeSa(1, "MM_ACTIVE", role="initiator", lifetime_s=80221,
                  evidence="1   IKE Peer: 203.0.113.10  Type: L2L  Role: initiator  "
                           "Rekey: no  State: MM_ACTIVE"),
        ipsec=[IpsecSa("10.20.0.0/24", "10.30.0.0/24", spi_in="0x7A3C11D4", spi_out="0x5B1F0A9E",
                       encaps=4210, decaps=0, lifetime_s=2710, lifetime_kb=3914999)],
        session_status="UP-ACTIVE", health="down", findings=[ONE_WAY_TRAFFIC], **common,
    )  # fmt: skip
    up = Tunnel(
        peer="203.0.113.11", seq=20, acl="outside_cryptomap_20",
        description='Partner "Acme" DC, AS64500',
        ike=IkeSa(2, "READY", role="responder", conn_id=4711, lifetime_s=79112,
                  evidence="4711 192.0.2.10/500  203.0.113.11/500  READY  Responder"),
        ipsec=[
            IpsecSa("10.20.0.0/24", "10.31.0.0/24", spi_in="0x3C9A77E1", spi_out="0xA1B2C3D4",
                    encaps=98765, decaps=101234, recv_errors=1, lifetime_s=3100),
            IpsecSa("10.21.0.0/24", "10.31.0.0/24", spi_in="0x44E0B2F7", spi_out="0x9D03A6C5",
                    encaps=512, decaps=498, lifetime_s=3050),
        ],
        session_status="UP-ACTIVE", health="up", **common,
    )  # fmt: skip
    return [one_way, up]


def small_report() -> Report:
    """Three devices, five tunnels: 2 up, 1 degraded, 2 down, and one device unreadable.

    hub1 (IOS) has a debug left on; br3 (IOS-XE) timed out. Built anew at each
    call (findings are copied), so a test may change it freely.
    """
    hub1 = Device("hub1", "cisco_ios", family="ios15", version="15.5(3)M10",
                  findings=[DEBUG_LEFT_ON])  # fmt: skip
    fw1 = Device("fw1", "cisco_asa", family="asa9", version="9.16(4)")
    br3 = Device("br3", "cisco_xe", family="xe17", status="unknown", error=TIMEOUT,
                 findings=[COLLECTION_FAILED])  # fmt: skip
    report = Report(GENERATED_AT, [hub1, fw1, br3], [*_hub1_tunnels(), *_fw1_tunnels()])
    return copy.deepcopy(report)  # the Finding constants above are shared otherwise


def tiny_report(*healths: str, unreadable: bool = False) -> Report:
    """One IOS device with a tunnel per health given, plus an unreadable ASA if asked.

    Tunnels that are up or degraded have an IPsec SA; degraded and down ones
    carry a finding of the matching severity.
    """
    devices = [Device("r1", "cisco_ios", family="ios15", version="15.5(3)M10")]
    tunnels = [_tiny_tunnel(i, health) for i, health in enumerate(healths, 1)]
    if unreadable:
        error = "authentication failed for user 'netops'"
        devices.append(Device("fw9", "cisco_asa", status="unknown", error=error))
    return Report(GENERATED_AT, devices, tunnels)


def _tiny_tunnel(i: int, health: str) -> Tunnel:
    """Tunnel number ``i`` of :func:`tiny_report`, looking like ``health``."""
    t = Tunnel(device="r1", peer=f"203.0.113.{i}", local="192.0.2.1", crypto_map="VPN",
               seq=10 * i, configured=True, health=health)  # fmt: skip
    if health in ("up", "degraded"):
        t.ike = IkeSa(1, "QM_IDLE", conn_id=1000 + i)
        t.ipsec = [IpsecSa("10.1.0.0/24", f"10.{i + 1}.0.0/24", spi_in="0x1E8246FC",
                           spi_out="0xDC15BF68", encaps=100 * i, decaps=99 * i)]  # fmt: skip
    if health == "degraded":
        summary = f"IPsec errors with {t.peer}: recv errors 12"
        t.findings = [Finding("IPSEC_ERRORS", "warning", summary)]
    if health == "down":
        t.ike = IkeSa(1, "MM_NO_STATE", conn_id=1000 + i)
        summary = f"phase 1 stuck at MM_NO_STATE; peer {t.peer} is not answering"
        t.findings = [Finding("PEER_UNREACHABLE", "critical", summary)]
    return t
