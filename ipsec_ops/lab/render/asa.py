"""Renderers of ASA (8.2, 9.x) and PIX 7 show commands: IKE and IPsec SAs, the command table.

Layouts follow real output; where they were checked against a public source the
comment names it. Configuration views live in :mod:`.asa_config`, the session
database and the accelerated security path in :mod:`.asa_sessions`, logging and
debugs in :mod:`.asa_logging`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import partial

from ipsec_ops.lab.render import asa_config as cfg
from ipsec_ops.lab.render import asa_sessions
from ipsec_ops.lab.render.asa_common import BYTES_PER_PACKET as BYTES_PER_PACKET
from ipsec_ops.lab.render.asa_common import policy_of, style_for
from ipsec_ops.lab.render.asa_config import Style, style_of
from ipsec_ops.lab.render.asa_logging import (
    debug_condition,
    show_debug,
    show_logging,
)
from ipsec_ops.lab.render.asa_logging import debug_words as debug_words
from ipsec_ops.lab.render.asa_logging import event_lines as event_lines
from ipsec_ops.lab.render.asa_sessions import vpn_sessiondb
from ipsec_ops.lab.render.base import RenderContext, Renderer, acl_operand, net_mask
from ipsec_ops.lab.views import IkeView, IpsecView, TunnelView


def _words(text: str) -> list[str]:
    return text.split()


# Real keywords of the ASA CLI that the lab does not simulate: abbreviations stay as
# ambiguous as on a device ("sh c" is ambiguous, "sh cry" is not).
KNOWN: dict[str, list[str]] = {
    "show": _words(
        "aaa aaa-server arp asdm asp blocks bgp capture checksum chunkstat class-map clock "
        "cluster conn console-output context counters cpu crashinfo dhcpd dhcprelay disk0 dns "
        "dynamic-filter eigrp environment failover file firewall flash fragment history "
        "hostname icmp interface inventory ip ipv6 kernel local-host memory mode module "
        "nameif names nat ntp object-group ospf pager password policy-map port-channel "
        "processes resource route service-policy shun snmp-server ssh ssl startup-config "
        "tech-support terminal threat-detection traffic uauth user vlan vpdn vpn webvpn wccp "
        "xlate "
    ),
    "show crypto": _words("accelerator ca key protocol sockets ssl"),
    "show running-config": _words(
        "aaa aaa-server access-group access-list all arp asdm class-map clock console dhcpd "
        "dns enable failover ftp group-policy hostname http icmp interface ip ipv6 logging "
        "mtu names nat ntp object object-group pager passwd policy-map prompt route router "
        "service-policy snmp-server ssh ssl sysopt telnet terminal threat-detection timeout "
        "username vpn webvpn "
    ),
    "show vpn-sessiondb": _words(
        "anyconnect email-proxy failover full index license-summary ra-ikev1-ipsec ratio "
        "summary webvpn "
    ),
    "write": _words("erase memory net standby"),
}


def _ike_tunnels(ctx: RenderContext, version: int) -> list[TunnelView]:
    return [t for t in ctx.tunnels() if t.ike is not None and t.ike.version == version]


# -- show crypto isakmp sa / ikev1 sa -------------------------------------------------


def _pair(label: str, value: object, label2: str, value2: object) -> str:
    return f"    {label:<8}: {value!s:<16}{label2:<8}: {value2}"


def _ikev1_block(ctx: RenderContext, tunnels: list[TunnelView], detail: bool) -> list[str]:
    """The per-peer block form: ASA 8.x (AWS ASA troubleshooting guide) and 9.x alike."""
    lines = [
        "",
        f"   Active SA: {len(tunnels)}",
        "    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)",
        f"Total IKE SA: {len(tunnels)}",
    ]
    for n, t in enumerate(tunnels, start=1):
        assert t.ike is not None
        lines += [
            "",
            f"{n:<4}IKE Peer: {t.peer}",
            _pair("Type", "L2L", "Role", t.ike.role),
            _pair("Rekey", "no", "State", t.ike.state),
        ]
        if detail:
            p = policy_of(ctx, t.ike)
            hash_word = "SHA" if p.hash == "sha" else p.hash.upper()
            lines.append(_pair("Encrypt", cfg.dashed(p.encryption), "Hash", hash_word))
            lines.append(_pair("Auth", cfg.auth_words(p)[0], "Lifetime", p.lifetime))
    return lines


def _ikev2_lines(ctx: RenderContext, detail: bool) -> list[str]:
    """ASA ``show crypto ikev2 sa``: a session line, a tunnel row with a Role column."""
    tunnels = _ike_tunnels(ctx, 2)
    if not tunnels:
        return ["There are no IKEv2 SAs"]
    lines = ["IKEv2 SAs:"]
    for n, t in enumerate(tunnels, start=1):
        ike = t.ike
        assert ike is not None
        p = policy_of(ctx, ike)
        sas = [s for s in t.ipsec if s.has_sa]
        status = "UP-ACTIVE" if sas else ("UP-IDLE" if ike.established else "UP-IN-NEG")
        local, remote = f"{t.local}/500", f"{t.peer}/500"
        lines += [
            "",
            f"Session-id:{n}, Status:{status}, IKE count:1, CHILD count:{len(sas)}",
            "",
            f"Tunnel-id Local{' ' * 47}Remote{' ' * 50}Status         Role",
            f"{ike.local_spi % 10**9 + 10**9:>10} {local:<52}{remote:<56}"
            f"{ike.state:<9}{ike.role.upper()}",
            f"      Encr: {_v2_cipher(p.encryption)}, Hash: {_v2_hash(p.hash)}, DH Grp:{p.group}, "
            "Auth sign: PSK, Auth verify: PSK",
            f"      Life/Active Time: {p.lifetime}/{ike.age_s} sec",
        ]
        if detail:
            lines += _ikev2_detail(n, t, ike)
        for sa in sas:
            lines += [
                f"Child sa: local selector  {_selector(sa.local_net)}",
                f"          remote selector {_selector(sa.remote_net)}",
                f"          ESP spi in/out: 0x{sa.spi_in:x}/0x{sa.spi_out:x}",
            ]
            if detail:
                ts = sa.transform
                lines += [
                    "          AH spi in/out: 0x0/0x0",
                    "          CPI in/out: 0x0/0x0",
                    f"          Encr: {_v2_cipher(cfg.esp_cipher(ts))}, "
                    f"esp_hmac: {_v2_hash(cfg.esp_hmac(ts))}",
                    "          ah_hmac: None, comp: IPCOMP_NONE, mode tunnel",
                ]
    return lines


def _ikev2_detail(n: int, t: TunnelView, ike: IkeView) -> list[str]:
    done = "Negotiation done" if ike.established else "Negotiation in progress"
    return [
        f"      Session-id: {n}",
        f"      Status Description: {done}",
        f"      Local spi: {ike.local_spi:08X}{ike.conn_id:08X}"
        f"       Remote spi: {ike.remote_spi:08X}{ike.conn_id:08X}",
        f"      Local id: {t.local}",
        f"      Remote id: {t.peer}",
        "      Local req mess id: 2              Remote req mess id: 2",
        "      Local next mess id: 2             Remote next mess id: 2",
        "      Local req queued: 2               Remote req queued: 2",
        "      Local window: 1                   Remote window: 1",
        "      DPD configured for 10 seconds, retry 2",
        "      NAT-T is not detected",
    ]


def _v2_cipher(value: str) -> str:
    """IKEv2 ``Encr:`` field.

    >>> _v2_cipher("aes 256"), _v2_cipher("esp-3des")
    ('AES-CBC, keysize: 256', '3DES')
    """
    name = cfg.cipher_name(value)
    return f"AES-CBC, keysize: {name[3:]}" if name.startswith("AES") else name


def _v2_hash(value: str) -> str:
    """IKEv2 ``Hash:`` field (truncated HMACs print their 96-bit names).

    >>> _v2_hash("sha"), _v2_hash("esp-md5-hmac"), _v2_hash("sha256")
    ('SHA96', 'MD596', 'SHA256')
    """
    name = cfg.hash_name(value)
    return {"SHA1": "SHA96", "MD5": "MD596"}.get(name, name)


def _selector(net: ipaddress.IPv4Network) -> str:
    return f"{net.network_address}/0 - {net.broadcast_address}/65535"


def isakmp_sa(
    style: Style | None, ctx: RenderContext, args: dict[str, str], detail: bool = False
) -> str:
    """``show crypto isakmp sa [detail]``; on 9.x it lists IKEv1 then IKEv2 SAs."""
    s = style_for(ctx, style)
    v1 = _ike_tunnels(ctx, 1)
    if not s.nine:
        return "\n".join(_ikev1_block(ctx, v1, detail) if v1 else ["There are no isakmp sas"])
    lines = ["IKEv1 SAs:", *_ikev1_block(ctx, v1, detail)] if v1 else ["There are no IKEv1 SAs"]
    return "\n".join([*lines, "", *_ikev2_lines(ctx, detail)])


def ikev1_sa(
    style: Style | None, ctx: RenderContext, args: dict[str, str], detail: bool = False
) -> str:
    v1 = _ike_tunnels(ctx, 1)
    if not v1:
        return "There are no IKEv1 SAs"
    return "\n".join(["IKEv1 SAs:", *_ikev1_block(ctx, v1, detail)])


def ikev2_sa(
    style: Style | None, ctx: RenderContext, args: dict[str, str], detail: bool = False
) -> str:
    return "\n".join(_ikev2_lines(ctx, detail))


# -- show crypto ipsec sa -------------------------------------------------------------


# `show crypto ipsec sa detail`: the error counters after "#send errors" [E].
_DETAIL_COUNTERS = (
    "#pkts no sa (send): {no_sa}, #pkts invalid sa (rcv): 0",
    "#pkts encaps failed (send): {send}, #pkts decaps failed (rcv): {recv}",
    "#pkts invalid prot (rcv): 0, #pkts verify failed: 0",
    "#pkts invalid identity (rcv): 0, #pkts invalid len (rcv): 0",
    "#pkts invalid pad (rcv): 0,",
    "#pkts invalid ip version (rcv): 0,",
    "#pkts replay rollover (send): 0, #pkts replay rollover (rcv): 0",
    "#pkts replay failed (rcv): 0",
    "#pkts min mtu frag failed (send): 0, #pkts bad frag offsets (rcv): 0",
    "#pkts internal err (send): 0, #pkts internal err (rcv): 0",
)


def _counters(s: Style, sa: IpsecView, detail: bool = False) -> list[str]:
    lines = [
        f"#pkts encaps: {sa.encaps}, #pkts encrypt: {sa.encaps}, #pkts digest: {sa.encaps}",
        f"#pkts decaps: {sa.decaps}, #pkts decrypt: {sa.decaps}, #pkts verify: {sa.decaps}",
        "#pkts compressed: 0, #pkts decompressed: 0",
        f"#pkts not compressed: {sa.encaps}, #pkts comp failed: 0, #pkts decomp failed: 0",
        "#pre-frag successes: 0, #pre-frag failures: 0, #fragments created: 0",
        "#PMTUs sent: 0, #PMTUs rcvd: 0, #decapsulated frgs needing reassembly: 0",
    ]
    if s.nine:
        lines += [
            "#TFC rcvd: 0, #TFC sent: 0",
            "#Valid ICMP Errors rcvd: 0, #Invalid ICMP Errors rcvd: 0",
        ]
    lines.append(f"#send errors: {sa.send_errors}, #recv errors: {sa.recv_errors}")
    if detail:
        values = {"no_sa": sa.no_sa_send, "send": sa.send_errors, "recv": sa.recv_errors}
        lines += [line.format(**values) for line in _DETAIL_COUNTERS]
    return lines


def _esp_sa(s: Style, t: TunnelView, sa: IpsecView, spi: int, inbound: bool) -> list[str]:
    cipher = cfg.esp_cipher(sa.transform)
    settings = "L2L, Tunnel, "
    if sa.pfs_group:
        settings += f"PFS Group {sa.pfs_group}, "
    if s.nine:
        settings += f"IKEv{t.entry.ike_version}, "
    bitmap = "0xFFFFFFFF 0xFFFFFFFF" if inbound and sa.decaps else "0x00000000 0x00000001"
    lines = [f"      spi: 0x{spi:08X} ({spi})"]
    if s.nine:
        lines.append("         SA State: active")
    return [
        *lines,
        f"         transform: {cfg.dashed(cipher)} {cfg.dashed(cfg.esp_hmac(sa.transform))} "
        "no compression",
        f"         in use settings ={{{settings}}}",
        f"         slot: 0, conn_id: {sa.conn_id_in * 4096}, crypto-map: {t.entry.map_name}",
        "         sa timing: remaining key lifetime (kB/sec): "
        f"({sa.lifetime_left_kb}/{sa.lifetime_left_s})",
        f"         IV size: {cfg.iv_bytes(cipher)} bytes",
        "         replay detection support: Y",
        "         Anti replay bitmap: ",
        f"          {bitmap}",
    ]


def _ipsec_block(s: Style, t: TunnelView, sa: IpsecView, detail: bool = False) -> list[str]:
    """One SA pair, as the 9.x sample of ntc-templates and the 8.x AWS guide print it."""
    acl = next((a for a in t.acl if (a.src, a.dst) == (sa.local_net, sa.remote_net)), t.acl[0])
    cipher = cfg.esp_cipher(sa.transform)
    big = cfg.iv_bytes(cipher) == 16
    ident = "/0/0)"
    lines = [
        f"    Crypto map tag: {t.entry.map_name}, seq num: {t.entry.seq}, local addr: {t.local}",
        "",
        f"      access-list {t.entry.acl_name} extended {acl.action} {acl.protocol} "
        f"{acl_operand(acl.src, False)} {acl_operand(acl.dst, False)} ",
        f"      local ident (addr/mask/prot/port): ({net_mask(sa.local_net)}{ident}",
        f"      remote ident (addr/mask/prot/port): ({net_mask(sa.remote_net)}{ident}",
        f"      current_peer: {t.peer}",
        "",
        "",
        *("      " + c for c in _counters(s, sa, detail)),
        "",
    ]
    if s.nine:
        overhead = "74(44)" if big else "58(28)"
        lines += [
            f"      local crypto endpt.: {t.local}/500, remote crypto endpt.: {t.peer}/500",
            f"      path mtu 1500, ipsec overhead {overhead}, media mtu 1500",
            "      PMTU time remaining (sec): 0, DF policy: copy-df",
            "      ICMP error validation: disabled, TFC packets: disabled",
        ]
    else:
        lines += [
            f"      local crypto endpt.: {t.local}, remote crypto endpt.: {t.peer}",
            "",
            f"      path mtu 1500, ipsec overhead {74 if big else 58}, media mtu 1500",
        ]
    return [
        *lines,
        f"      current outbound spi: {sa.spi_out:08X}",
        f"      current inbound spi : {sa.spi_in:08X}",
        "",
        "    inbound esp sas:",
        *_esp_sa(s, t, sa, sa.spi_in, inbound=True),
        "    outbound esp sas:",
        *_esp_sa(s, t, sa, sa.spi_out, inbound=False),
    ]


def ipsec_sa(
    style: Style | None, ctx: RenderContext, args: dict[str, str], detail: bool = False
) -> str:
    """``show crypto ipsec sa [peer X | map NAME] [detail]``: established SA pairs, per
    interface (a filter that matches nothing prints the no-SA line)."""
    s = style_for(ctx, style)
    peer, crypto_map = args.get("peer"), args.get("map")
    by_intf: dict[str, list[str]] = {}
    for t in ctx.tunnels():
        if (peer and str(t.peer) != peer) or (crypto_map and t.entry.map_name != crypto_map):
            continue
        for sa in t.ipsec:
            if sa.has_sa:
                blocks = by_intf.setdefault(cfg.nameif(ctx.device, t.entry), [])
                blocks += ([""] if blocks else []) + _ipsec_block(s, t, sa, detail)
    if not by_intf:
        return "There are no ipsec sas"
    out: list[str] = []
    for intf, blocks in by_intf.items():
        out += [*([""] if out else []), f"interface: {intf}", *blocks]
    return "\n".join(out)


# -- the command table -------------------------------------------------------------------


def _config(
    kind: str, style: Style | None, ctx: RenderContext, args: dict[str, str], section: str = ""
) -> str:
    s = style_for(ctx, style)
    if kind == "all":
        return cfg.running_config(s, ctx)
    if kind == "tunnel-group":
        return "\n".join(cfg.tunnel_group_config(s, ctx.device))
    return "\n".join(cfg.crypto_config(s, ctx.device, section))


def _version(style: Style | None, ctx: RenderContext, args: dict[str, str]) -> str:
    return cfg.show_version(style_for(ctx, style), ctx)


def _access_list(style: Style | None, ctx: RenderContext, args: dict[str, str]) -> str:
    return cfg.show_access_list(ctx, args.get("name", ""), extended=True, hashes=True)


def commands(family_name: str) -> list[tuple[str, Renderer]]:
    """Syntax and renderer of every simulated show command of an ASA-code family.

    Keywords are not passed to renderers, so each variant (``detail``, a config
    section) is its own syntax bound to its own renderer.
    """
    s = style_of(family_name)
    bind: Callable[..., Renderer] = partial
    table: list[tuple[str, Renderer]] = []
    for prefix in ("show crypto isakmp sa", "show isakmp sa"):
        table += [
            (prefix, bind(isakmp_sa, s)),
            (f"{prefix} detail", bind(isakmp_sa, s, detail=True)),
        ]
    table += [
        ("show crypto ipsec sa [peer <ip:peer>]", bind(ipsec_sa, s)),
        ("show crypto ipsec sa [peer <ip:peer>] detail", bind(ipsec_sa, s, detail=True)),
        ("show ipsec sa [peer <ip:peer>]", bind(ipsec_sa, s)),
        ("show vpn-sessiondb l2l", bind(vpn_sessiondb, s)),
        ("show vpn-sessiondb detail l2l", bind(vpn_sessiondb, s, detail=True)),
        ("show running-config crypto", bind(_config, "crypto", s)),
        ("show running-config tunnel-group", bind(_config, "tunnel-group", s)),
        ("show running-config", bind(_config, "all", s)),
        ("write terminal", bind(_config, "all", s)),
        ("show version", bind(_version, s)),
        ("show logging", bind(show_logging, s)),
        ("show debug", bind(show_debug, s)),
        ("show access-list [<word:name>]", bind(_access_list, s)),
    ]
    for section in ("map", "ipsec", s.ikev1, *(("ikev2",) if s.nine else ())):
        table.append(
            (f"show running-config crypto {section}", bind(_config, "crypto", s, section=section))
        )
    if s.nine:
        for version, renderer in ((1, ikev1_sa), (2, ikev2_sa)):
            table += [
                (f"show crypto ikev{version} sa", bind(renderer, s)),
                (f"show crypto ikev{version} sa detail", bind(renderer, s, detail=True)),
            ]
        table.append(("show crypto debug-condition", bind(debug_condition, s)))
    return table


def variants() -> dict[str, Renderer]:
    """Commands answered only where a family's ``show_variants`` lists them (reference 4.6)."""
    return asa_sessions.VARIANTS
