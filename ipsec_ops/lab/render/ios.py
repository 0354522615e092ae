"""IOS / IOS-XE exec commands of the lab: the command table and the shadow keywords.

:func:`commands` gives the syntax strings (``ipsec_ops.lab.grammar`` mini-language)
with their renderers for the families ios12.4, ios15, xe16 and xe17; :data:`KNOWN`
lists real keywords the lab does not simulate so abbreviations are as ambiguous as
on a router. The renderers live in :mod:`.ios_sa` (ISAKMP / IKEv2 / IPsec SAs, engine
connections), :mod:`.ios_crypto_session` (``show crypto session``), :mod:`.ios_config`
(configuration-side commands), :mod:`.ios_system` (version, logging, debugs) and
:mod:`.ios_sessions` (the reference 4.6 variants); shared names in :mod:`.ios_names`
and :mod:`.ios_common`.

Layouts follow real output (ntc-templates samples, reference sections 1-2); facts
without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

from ipsec_ops.lab.render import ios_config, ios_sessions, ios_system
from ipsec_ops.lab.render.base import Renderer
from ipsec_ops.lab.render.ios_crypto_session import show_crypto_session, show_crypto_session_detail
from ipsec_ops.lab.render.ios_sa import (
    show_crypto_engine_connections,
    show_crypto_ikev2_sa,
    show_crypto_ikev2_sa_detailed,
    show_crypto_ipsec_sa,
    show_crypto_ipsec_sa_address,
    show_crypto_ipsec_sa_detail,
    show_crypto_isakmp_peers,
    show_crypto_isakmp_sa,
    show_crypto_isakmp_sa_detail,
)
from ipsec_ops.platforms import family

IOS_FAMILIES = ("ios12.4", "ios15", "xe16", "xe17")

# Real keywords the lab does not simulate, per level (IOS 15 / IOS-XE 17 `?` lists).
# fmt: off
KNOWN: dict[str, list[str]] = {
    "show": [
        "aaa", "access-expression", "adjacency", "alias", "archive", "arp", "bgp", "bootflash:",
        "buffers", "call", "caller", "cca", "cdp", "cef", "class-map", "clns", "clock", "cns",
        "configuration", "connection", "controllers", "ctunnel", "dampening", "derived-config",
        "dhcp", "dial-peer", "diag", "dmvpn", "dot1x", "environment", "file", "flash:", "flow",
        "history", "hosts", "interfaces", "inventory", "ipv6", "key", "license", "line",
        "lldp", "memory", "monitor", "mpls", "ntp", "object-group", "platform", "policy-map",
        "ppp", "privilege", "processes", "protocols", "redundancy", "reload", "route-map",
        "sessions", "snmp", "ssh", "standby", "startup-config", "tcp", "tech-support",
        "terminal", "track", "users", "vlans", "vrf", "zone", "zone-pair",
    ],
    "show crypto": [
        "ca", "call", "ctcp", "datapath", "dynamic-map", "eli", "entropy", "gdoi", "ha",
        "identity", "key", "mib", "pki", "route", "socket", "tech-support",
    ],
    "show crypto isakmp": ["default", "diagnose", "key", "policy", "profile"],
    "show crypto ipsec": ["client", "default", "profile", "security-association", "transform-set"],
    "show crypto ipsec sa": ["active", "identity", "interface", "ipv6", "map", "standby", "vrf"],
    "show crypto engine": ["accelerator", "brief", "configuration", "qos"],
    "show crypto session": ["brief", "interface", "local", "remote", "summary"],
    "show crypto map": ["gdoi", "interface", "ipv6", "tag"],
    "show ip": [
        "access-lists", "accounting", "arp", "bgp", "cache", "cef", "dhcp", "eigrp", "flow",
        "http", "igmp", "interface", "local", "nat", "nhrp", "ospf", "pim", "policy",
        "prefix-list", "protocols", "rip", "rpf", "sla", "ssh", "traffic", "vrf",
    ],
}
# fmt: on


# The filters of `show crypto session` the lab answers (reference 4.6; issue 10).
_SESSION_FILTER = (
    "{fvrf <word:fvrf> | ivrf <word:ivrf> | group <word:group> | username <word:username>}"
)


def commands(family_name: str) -> list[tuple[str, Renderer]]:
    """The exec commands the lab answers on an IOS / IOS-XE family, with their renderers.

    >>> [s for s, _ in commands("ios12.4") if "ikev2" in s], len(commands("xe17"))
    ([], 21)
    """
    if family_name not in IOS_FAMILIES:
        raise ValueError(f"not an IOS family: {family_name!r} (known: {', '.join(IOS_FAMILIES)})")
    table: list[tuple[str, Renderer]] = [
        ("show crypto isakmp sa", show_crypto_isakmp_sa),
        ("show crypto isakmp sa detail", show_crypto_isakmp_sa_detail),
        ("show crypto isakmp peers [<ip:peer>]", show_crypto_isakmp_peers),
        ("show crypto ipsec sa [peer <ip:peer>]", show_crypto_ipsec_sa),
        ("show crypto ipsec sa [peer <ip:peer>] detail", show_crypto_ipsec_sa_detail),
        ("show crypto ipsec sa address", show_crypto_ipsec_sa_address),
        ("show crypto session", show_crypto_session),
        ("show crypto session detail", show_crypto_session_detail),
        (f"show crypto session {_SESSION_FILTER}", show_crypto_session),
        (f"show crypto session {_SESSION_FILTER} detail", show_crypto_session_detail),
        ("show crypto engine connections active", show_crypto_engine_connections),
        ("show crypto map", ios_config.show_crypto_map),
        ("show crypto debug-condition", ios_system.show_crypto_debug_condition),
        ("show running-config", ios_config.show_running_config),
        ("show access-lists [<word:name>]", ios_config.show_access_lists),
        ("show ip route <ip:addr>", ios_config.show_ip_route_addr),
        ("show version", ios_system.show_version),
        ("show logging", ios_system.show_logging),
        ("show debugging", ios_system.show_debugging),
    ]
    if family(family_name).ikev2:
        table.append(("show crypto ikev2 sa", show_crypto_ikev2_sa))
        table.append(("show crypto ikev2 sa detailed", show_crypto_ikev2_sa_detailed))
    return table


def variants() -> dict[str, Renderer]:
    """Commands answered only where a family's ``show_variants`` lists them (reference 4.6)."""
    return ios_sessions.VARIANTS
