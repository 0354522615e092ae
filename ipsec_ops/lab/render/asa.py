"""Renderers of ASA (8.2, 9.x) and PIX 7 show commands.

Layouts follow real output; where they were checked against a public source the
comment names it. Configuration views live in :mod:`.asa_config`.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from functools import partial

from ipsec_ops.lab import syslog
from ipsec_ops.lab.config import IkePolicy
from ipsec_ops.lab.engine import stable_int
from ipsec_ops.lab.render import asa_config as cfg
from ipsec_ops.lab.render.asa_config import Style, style_of
from ipsec_ops.lab.render.base import (
    RenderContext,
    Renderer,
    acl_operand,
    asa_time,
    net_mask,
)
from ipsec_ops.lab.views import IkeView, IpsecView, LogEvent, TunnelView

BYTES_PER_PACKET = 500
IDLE_TIMEOUT_MIN = 30


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


def _style(ctx: RenderContext, style: Style | None) -> Style:
    return style or style_of(ctx.device.family)


def _ike_tunnels(ctx: RenderContext, version: int) -> list[TunnelView]:
    return [t for t in ctx.tunnels() if t.ike is not None and t.ike.version == version]


def _policy(ctx: RenderContext, ike: IkeView) -> IkePolicy:
    """The policy the SA uses, or the one offered while nothing is agreed yet."""
    return ike.policy or min(ctx.device.ike_policies, key=lambda p: p.priority)


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
            p = _policy(ctx, t.ike)
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
        p = _policy(ctx, ike)
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
    s = _style(ctx, style)
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
    s = _style(ctx, style)
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


# -- show vpn-sessiondb [detail] l2l ----------------------------------------------------


def _field(
    label: str, value: object, label2: str = "", value2: object = "", indent: str = ""
) -> str:
    if not label2:
        return f"{indent}{label:<13}: {value}"
    return f"{indent}{label:<13}: {value!s:<23}{label2:<13}: {value2}"


def _duration(seconds: int) -> str:
    """Session duration as ASA prints it.

    >>> _duration(10 * 86400 + 7 * 3600 + 26 * 60 + 52), _duration(52475)
    ('10d 7h:26m:52s', '14h:34m:35s')
    """
    days, rem = divmod(max(0, int(seconds)), 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    clock = f"{h}h:{m:02d}m:{sec:02d}s"
    return f"{days}d {clock}" if days else clock


def _login_time(at: float) -> str:
    t = time.gmtime(at)
    return f"{time.strftime('%H:%M:%S', t)} UTC {time.strftime('%a %b', t)} {t.tm_mday} {t.tm_year}"


def _session_rows(ctx: RenderContext) -> list[tuple[TunnelView, list[IpsecView]]]:
    rows = []
    for t in ctx.tunnels():
        sas = [s for s in t.ipsec if s.has_sa]
        if sas or (t.ike is not None and t.ike.established):
            rows.append((t, sas))
    return rows


def _session_head(s: Style, ctx: RenderContext, t: TunnelView, sas: list[IpsecView]) -> list[str]:
    ike_word = f"IKEv{t.entry.ike_version}" if s.nine else "IKE"
    p = _policy(ctx, t.ike) if t.ike else None
    tx = sum(sa.encaps for sa in sas) * BYTES_PER_PACKET
    rx = sum(sa.decaps for sa in sas) * BYTES_PER_PACKET
    ts = sas[0].transform if sas else ctx.device.transform_set(t.entry.transform_set)
    protocol = " ".join(w for w, on in ((ike_word, t.ike), ("IPsec", sas)) if on)
    up = t.uptime_s if t.uptime_s is not None else (t.ike.age_s if t.ike else 0)
    lines = [_field("Connection", t.peer), _field("Index", _index(t), "IP Addr", t.peer)]
    lines.append(_field("Protocol", protocol))
    if s.nine:
        enc = [f"{ike_word}: (1){cfg.cipher_name(p.encryption)}"] if p else []
        hsh = [f"{ike_word}: (1){cfg.hash_name(p.hash)}"] if p else []
        if sas:
            enc.append(f"IPsec: ({len(sas)}){cfg.cipher_name(cfg.esp_cipher(ts))}")
            hsh.append(f"IPsec: ({len(sas)}){cfg.hash_name(cfg.esp_hmac(ts))}")
        lines += [_field("Encryption", "  ".join(enc)), _field("Hashing", "  ".join(hsh))]
    else:
        cipher = (
            cfg.cipher_name(cfg.esp_cipher(ts))
            if sas
            else cfg.cipher_name(p.encryption if p else "aes")
        )
        digest = cfg.hash_name(cfg.esp_hmac(ts)) if sas else cfg.hash_name(p.hash if p else "sha")
        lines.append(_field("Encryption", cipher, "Hashing", digest))
    return [
        *lines,
        _field("Bytes Tx", tx, "Bytes Rx", rx),
        _field("Login Time", _login_time(ctx.now - up)),
        _field("Duration", _duration(up)),
    ]


def _index(t: TunnelView) -> int:
    return (t.ike.conn_id if t.ike else t.ipsec[0].conn_id_in) % 100_000


Row = tuple[str, object, str, object]


def _sub_block(title: str, rows: list[Row]) -> list[str]:
    """An indented ``IKEv1:`` / ``IPsec:`` / ``NAC:`` block of label : value pairs."""
    return ["", f"{title}:", *(_field(*row, indent="  ") for row in rows)]


def _ike_rows(ctx: RenderContext, idx: int, ike: IkeView, nine: bool) -> list[Row]:
    p = _policy(ctx, ike)
    rows: list[Row] = [
        ("Tunnel ID", f"{idx}.1", "", ""),
        ("UDP Src Port", 500, "UDP Dst Port", 500),
        ("IKE Neg Mode", "Main", "Auth Mode", cfg.auth_words(p)[1]),
        ("Encryption", cfg.cipher_name(p.encryption), "Hashing", cfg.hash_name(p.hash)),
        (
            "Rekey Int (T)",
            f"{p.lifetime} Seconds",
            "Rekey Left(T)",
            f"{ike.lifetime_left_s} Seconds",
        ),
        ("D/H Group", p.group, "", ""),
        ("Filter Name", "", "", ""),
    ]
    if not nine:  # the 8.x sample prints it, the 9.x samples do not
        rows.append(("IPv6 Filter", "", "", ""))
    return rows


def _ipsec_rows(t: TunnelView, tunnel_id: str, sa: IpsecView) -> list[Row]:
    ts, kb = sa.transform, BYTES_PER_PACKET
    age_min = (t.entry.sa_lifetime_s - sa.lifetime_left_s) // 60
    busy = sa.encaps + sa.decaps > 0
    idle_left = IDLE_TIMEOUT_MIN - 1 if busy else max(0, IDLE_TIMEOUT_MIN - age_min)
    pfs: tuple[str, object] = ("PFS Group", sa.pfs_group) if sa.pfs_group else ("", "")
    return [
        ("Tunnel ID", tunnel_id, "", ""),
        ("Local Addr", f"{net_mask(sa.local_net)}/0/0", "", ""),
        ("Remote Addr", f"{net_mask(sa.remote_net)}/0/0", "", ""),
        (
            "Encryption",
            cfg.cipher_name(cfg.esp_cipher(ts)),
            "Hashing",
            cfg.hash_name(cfg.esp_hmac(ts)),
        ),
        ("Encapsulation", "Tunnel", *pfs),
        (
            "Rekey Int (T)",
            f"{t.entry.sa_lifetime_s} Seconds",
            "Rekey Left(T)",
            f"{sa.lifetime_left_s} Seconds",
        ),
        (
            "Rekey Int (D)",
            f"{t.entry.sa_lifetime_kb} K-Bytes",
            "Rekey Left(D)",
            f"{sa.lifetime_left_kb} K-Bytes",
        ),
        ("Idle Time Out", f"{IDLE_TIMEOUT_MIN} Minutes", "Idle TO Left", f"{idle_left} Minutes"),
        ("Bytes Tx", sa.encaps * kb, "Bytes Rx", sa.decaps * kb),
        ("Pkts Tx", sa.encaps, "Pkts Rx", sa.decaps),
    ]


def _session_detail(s: Style, ctx: RenderContext, t: TunnelView, sas: list[IpsecView]) -> list[str]:
    ike_word = f"IKEv{t.entry.ike_version}" if s.nine else "IKE"
    idx = _index(t)
    lines = ["", f"{ike_word} Tunnels: {1 if t.ike else 0}", f"IPsec Tunnels: {len(sas)}"]
    if t.ike is not None:
        lines += _sub_block(ike_word, _ike_rows(ctx, idx, t.ike, s.nine))
    for n, sa in enumerate(sas, start=2):
        lines += _sub_block("IPsec", _ipsec_rows(t, f"{idx}.{n}", sa))
    if not s.nine:  # 8.x also prints the (empty) NAC block
        nac: list[Row] = [
            ("Reval Int (T)", "0 Seconds", "Reval Left(T)", "0 Seconds"),
            ("SQ Int (T)", "0 Seconds", "EoU Age(T)", f"{t.uptime_s or 0} Seconds"),
            ("Hold Left (T)", "0 Seconds", "Posture Token", ""),
            ("Redirect URL", "", "", ""),
        ]
        lines += _sub_block("NAC", nac)
    return lines


def vpn_sessiondb(
    style: Style | None, ctx: RenderContext, args: dict[str, str], detail: bool = False
) -> str:
    """``show vpn-sessiondb [detail] l2l`` (9.x layout per the ntc-templates samples)."""
    s = _style(ctx, style)
    rows = _session_rows(ctx)
    if not rows:
        return "INFO: There are presently no active sessions of the type specified."
    lines = ["", f"Session Type: LAN-to-LAN{' Detailed' if detail else ''}"]
    for t, sas in rows:
        lines += ["", *_session_head(s, ctx, t, sas)]
        if detail:
            lines += _session_detail(s, ctx, t, sas)
    return "\n".join(lines)


# -- show logging ------------------------------------------------------------------------


def _sa_at(
    ctx: RenderContext, peer: object, at: float
) -> tuple[TunnelView | None, IpsecView | None]:
    """The tunnel and its first SA as they stood at ``at`` (SPIs, counters of a log line)."""
    t = next((t for t in ctx.engine.tunnels(ctx.device, at) if t.peer == peer), None)
    return t, next((s for s in t.ipsec if s.has_sa), None) if t else None


def _sa_lines(tag: str, ev: LogEvent, sa: IpsecView, created: bool) -> list[str]:
    verb = "created" if created else "deleted"
    return [
        f"%{tag}-6-{602303 if created else 602304}: IPSEC: An {way} LAN-to-LAN SA "
        f"(SPI= 0x{spi:08X}) between {a} and {b} (user= {ev.peer}) has been {verb}."
        for way, spi, a, b in (
            ("outbound", sa.spi_out, ev.local, ev.peer),
            ("inbound", sa.spi_in, ev.peer, ev.local),
        )
    ]


def _up_lines(tag: str, ctx: RenderContext, ev: LogEvent) -> list[str]:
    grp = f"Group = {ev.peer}, IP = {ev.peer}"
    _, sa = _sa_at(ctx, ev.peer, ev.at)
    if ev.ike_version == 2:
        head = [
            f"%{tag}-5-750006: Local:{ev.local}:500 Remote:{ev.peer}:500 Username:{ev.peer} "
            "IKEv2 SA UP. Reason: New Connection Established"
        ]
        return head + (_sa_lines(tag, ev, sa, True) if sa else [])
    lines = [f"%{tag}-5-713119: {grp}, PHASE 1 COMPLETED"]
    if sa is not None:
        side = "Initiator" if ev.role == "initiator" else "Responder"
        lines.append(
            f"%{tag}-5-713049: {grp}, Security negotiation complete for LAN-to-LAN Group "
            f"({ev.peer})  {side}, Inbound SPI = 0x{sa.spi_in:08x}, "
            f"Outbound SPI = 0x{sa.spi_out:08x}"
        )
        lines += _sa_lines(tag, ev, sa, True)
    msgid = stable_int(ev.peer, ev.at) & 0xFFFFFFFF
    return [*lines, f"%{tag}-5-713120: {grp}, PHASE 2 COMPLETED (msgid={msgid:08x})"]


def _down_lines(tag: str, ctx: RenderContext, ev: LogEvent) -> list[str]:
    reason = "Administrator Reset" if ev.detail == "cleared" else "Peer Terminate"
    t, sa = _sa_at(ctx, ev.peer, ev.at - 0.5)  # just before the teardown
    lines = _sa_lines(tag, ev, sa, False) if sa else []
    grp = f"Group = {ev.peer}, IP = {ev.peer}"
    if sa is not None:
        lines.append(
            f"%{tag}-5-713050: {grp}, Connection terminated for peer {ev.peer}.  "
            f"Reason: {reason}  Remote Proxy {sa.remote_net.network_address}, "
            f"Local Proxy {sa.local_net.network_address}"
        )
    up = t.uptime_s or 0 if t else 0
    tx, rx = (sa.encaps, sa.decaps) if sa else (0, 0)
    return [
        *lines,
        f"%{tag}-4-113019: Group = {ev.peer}, Username = {ev.peer}, IP = {ev.peer}, Session "
        f"disconnected. Session Type: LAN-to-LAN, Duration: {_duration(up)}, Bytes xmt: "
        f"{tx * BYTES_PER_PACKET}, Bytes rcv: {rx * BYTES_PER_PACKET}, Reason: {reason}",
    ]


def _p1_mismatch(ctx: RenderContext, ev: LogEvent) -> str | None:
    """713257 text naming the first phase 1 attribute that differs, when it can be told."""
    entry = next((e for e in ctx.device.map_entries if e.peer == ev.peer), None)
    remote = ctx.engine.negotiation(ctx.device, entry).remote if entry else None
    if remote is None or not remote.policies or not ctx.device.ike_policies:
        return None
    theirs = min(remote.policies, key=lambda p: p.priority)
    ours = min(ctx.device.ike_policies, key=lambda p: p.priority)
    rcv_alg, cfg_alg = theirs.encryption.split(), ours.encryption.split()
    for cls, rcv, cfgd in (
        ("Encryption Algorithm", rcv_alg[0].upper(), cfg_alg[0].upper()),
        (
            "Key Length",
            cfg.cipher_name(theirs.encryption)[3:],
            cfg.cipher_name(ours.encryption)[3:],
        ),
        ("Hash Algorithm", cfg.hash_name(theirs.hash), cfg.hash_name(ours.hash)),
        ("Group Description", f"Group {theirs.group}", f"Group {ours.group}"),
    ):
        if rcv != cfgd:
            return (
                f"Phase 1 failure: Mismatched attribute types for class {cls}: "
                f"Rcv'd: {rcv} Cfg'd: {cfgd}"
            )
    return None


def _failure_lines(s: Style, ctx: RenderContext, ev: LogEvent) -> list[str]:
    tag, ip, grp = s.tag, f"IP = {ev.peer}", f"Group = {ev.peer}, IP = {ev.peer}"
    responder = ev.role == "responder"
    struct, mess = stable_int(ev.peer) & 0xFFFFFFFF, stable_int(ev.at) & 0xFFFFFFFF
    fsm = f"QM FSM error (P2 struct &0x{struct:08x}, mess id 0x{mess:08x})!"
    no_proposal = "Received non-routine Notify message: No proposal chosen (14)"
    if ev.ike_version == 2 and ev.kind in ("p1_policy", "p1_auth", "p2_transform", "p2_proxy"):
        reason = {
            "p1_policy": "Received no proposal chosen notify",
            "p1_auth": "Failed to receive the AUTH msg before the timer expired",
            "p2_transform": "Received no proposal chosen notify",
            "p2_proxy": "There was no IPSEC policy found for received TS",
        }[ev.kind]
        return [
            f"%{tag}-4-750003: Local:{ev.local}:500 Remote:{ev.peer}:500 Username:{ev.peer} "
            f"IKEv2 Negotiation aborted due to ERROR: {reason}"
        ]
    if ev.kind == "p1_policy":
        if not responder:
            return [f"%{tag}-5-713068: {ip}, {no_proposal}"]
        mismatch = _p1_mismatch(ctx, ev)
        head = [f"%{tag}-5-713257: {mismatch}"] if mismatch else []
        return [*head, f"%{tag}-3-713902: {ip}, All SA proposals found unacceptable"]
    if ev.kind == "p1_auth":  # [E] wording of a PSK mismatch on each side
        if responder:
            return [
                f"%{tag}-4-713903: {ip}, Received encrypted Oakley Main Mode packet with invalid "
                "payloads, MessID = 0",
                f"%{tag}-3-713902: {ip}, ERROR, had problems decrypting packet, probably due to "
                "mismatched pre-shared key.  Aborting",
            ]
        return [
            f"%{tag}-5-713904: {ip}, Received an un-encrypted PAYLOAD_MALFORMED notify message, "
            "dropping",
            f"%{tag}-5-713904: {ip}, Error, peer has indicated that something is wrong with our "
            "message.  This could indicate a pre-shared key mismatch.",
            f"%{tag}-4-713903: {ip}, Information Exchange processing failed",
        ]
    if ev.kind == "p2_transform":
        if not responder:
            return [f"%{tag}-5-713068: {grp}, {no_proposal}"]
        return [
            f"%{tag}-3-713902: {grp}, All IPSec SA proposals found unacceptable!",
            f"%{tag}-3-713902: {grp}, {fsm}",
        ]
    if ev.kind == "p2_proxy":
        if not responder:
            return [
                f"%{tag}-5-713068: {grp}, Received non-routine Notify message: Invalid ID info (18)"
            ]
        return [
            f"%{tag}-3-713061: {grp}, {_proxy_reject(s, ctx, ev)}",
            f"%{tag}-3-713902: {grp}, {fsm}",
        ]
    return []  # "no_answer": only the debug-level 713236 retransmissions, not buffered


def _proxy_reject(s: Style, ctx: RenderContext, ev: LogEvent) -> str:
    entry = next((e for e in ctx.device.map_entries if e.peer == ev.peer), None)
    remote = ctx.engine.negotiation(ctx.device, entry).remote if entry else None
    lines = remote.acl if remote and remote.acl else (entry.acl if entry else ())
    if not lines:
        return "Rejecting IPSec tunnel: no matching crypto map entry"
    theirs = lines[0] if remote and remote.acl else lines[0].mirrored()
    rp, lp = f"{net_mask(theirs.src)}/0/0", f"{net_mask(theirs.dst)}/0/0"
    if s.nine:
        intf = cfg.nameif(ctx.device, entry) if entry else "outside"
        return (
            f"Rejecting IPSec tunnel: no matching crypto map entry for remote proxy {rp} "
            f"local proxy {lp} on interface {intf}"
        )
    src, dst = theirs.src.network_address, theirs.dst.network_address
    return f"Tunnel rejected: Crypto Map Policy not found for Src:{src}, Dst: {dst}!"


def event_lines(s: Style, ctx: RenderContext, ev: LogEvent) -> list[str]:
    if ev.kind == "up":
        body = _up_lines(s.tag, ctx, ev)
    elif ev.kind == "down":
        body = _down_lines(s.tag, ctx, ev)
    else:
        body = _failure_lines(s, ctx, ev)
    return [f"{asa_time(ev.at)}: {line}" for line in body]


def show_logging(style: Style | None, ctx: RenderContext, args: dict[str, str]) -> str:
    s = _style(ctx, style)
    off = ctx.state.log_off  # `no logging message N` (ipsec_ops.lab.syslog)
    messages = [
        line
        for ev in ctx.events()
        for line in event_lines(s, ctx, ev)
        if syslog.asa_line_logged(off, line, ev.at)
    ]
    head = [
        "Syslog logging: enabled",
        "    Facility: 20",
        "    Timestamp logging: enabled",
        "    Standby logging: disabled",
        "    Debug-trace logging: disabled",
        "    Console logging: disabled",
        "    Monitor logging: disabled",
        f"    Buffer logging: level informational, {len(messages)} messages logged",
        "    Trap logging: disabled",
        "    Permit-hostdown logging: disabled",
        "    History logging: disabled",
        "    Device ID: disabled",
        "    Mail logging: disabled",
        "    ASDM logging: disabled",
    ]
    return "\n".join(head + messages)


# -- debugs ------------------------------------------------------------------------------


def debug_words(entry: str) -> tuple[str, int]:
    """Split a stored debug ("crypto ikev1 127") into its keywords and level (default 1).

    >>> debug_words("debug crypto ikev1 127"), debug_words("crypto ipsec")
    (('crypto ikev1', 127), ('crypto ipsec', 1))
    """
    words = entry.split()
    if words and words[0] == "debug":
        words = words[1:]
    if words and words[-1].isdigit():
        return " ".join(words[:-1]), int(words[-1])
    return " ".join(words), 1


def show_debug(style: Style | None, ctx: RenderContext, args: dict[str, str]) -> str:
    """``show debug``: nothing when no debug is on."""
    lines = []
    for entry in sorted(ctx.state.debugs):
        words, level = debug_words(entry)
        if words:
            lines.append(f"debug {words} enabled at level {level}")
    return "\n".join(lines)


def debug_condition(style: Style | None, ctx: RenderContext, args: dict[str, str]) -> str:
    """``show crypto debug-condition`` (9.x) [E]: peer filters and unmatched flags."""
    conds = [c.split() for c in ctx.state.debug_conditions]
    flags = {w for c in conds if c and c[0] == "unmatched" for w in (c[1:] or ["isakmp", "ipsec"])}
    peers, others = [], []
    for words in conds:
        addrs = [w for w in words if _is_ip(w)]
        if words and words[0] == "unmatched":
            continue
        if addrs:
            net = ipaddress.IPv4Network(
                f"{addrs[0]}/{addrs[1] if len(addrs) > 1 else 32}", strict=False
            )
            peers.append(str(net))
        else:
            others.append(" ".join(words))
    lines = [
        f"Crypto conditional debug is turned {'ON' if conds else 'OFF'}",
        f"IKE debug context unmatched flag:  {'ON' if flags - {'ipsec'} else 'OFF'}",
        f"IPsec debug context unmatched flag:  {'ON' if 'ipsec' in flags else 'OFF'}",
    ]
    if peers:
        lines += ["", "IKE peer IP address filters:", *peers]
    if others:
        lines += ["", "Other filters:", *others]
    return "\n".join(lines)


def _is_ip(word: str) -> bool:
    try:
        ipaddress.IPv4Address(word)
    except ValueError:
        return False
    return True


# -- the command table -------------------------------------------------------------------


def _config(
    kind: str, style: Style | None, ctx: RenderContext, args: dict[str, str], section: str = ""
) -> str:
    s = _style(ctx, style)
    if kind == "all":
        return cfg.running_config(s, ctx)
    if kind == "tunnel-group":
        return "\n".join(cfg.tunnel_group_config(s, ctx.device))
    return "\n".join(cfg.crypto_config(s, ctx.device, section))


def _version(style: Style | None, ctx: RenderContext, args: dict[str, str]) -> str:
    return cfg.show_version(_style(ctx, style), ctx)


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
