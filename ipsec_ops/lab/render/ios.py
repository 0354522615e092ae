"""IOS / IOS-XE exec commands of the lab: the command table, shadow keywords, SA renderers.

:func:`commands` gives the syntax strings (``ipsec_ops.lab.grammar`` mini-language)
with their renderers for the families ios12.4, ios15, xe16 and xe17; :data:`KNOWN`
lists real keywords the lab does not simulate so abbreviations are as ambiguous as
on a router. This module renders the crypto state commands (ISAKMP / IKEv2 / IPsec
SAs, sessions, engine connections); configuration-side commands live in
:mod:`ipsec_ops.lab.render.ios_config`.

Layouts follow real output (ntc-templates samples, reference sections 1-2); facts
without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

import ipaddress

from ipsec_ops.lab import ezvpn
from ipsec_ops.lab.config import IkePolicy, TransformSet
from ipsec_ops.lab.render import ios_config as cfg
from ipsec_ops.lab.render.base import RenderContext, Renderer, duration, net_mask
from ipsec_ops.lab.render.ios_config import iv_size, transform_words
from ipsec_ops.lab.views import IkeView, IpsecView, TunnelView
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

_SA_STATUS = "ACTIVE"


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
        ("show crypto map", cfg.show_crypto_map),
        ("show crypto debug-condition", cfg.show_crypto_debug_condition),
        ("show running-config", cfg.show_running_config),
        ("show access-lists [<word:name>]", cfg.show_access_lists),
        ("show ip route <ip:addr>", cfg.show_ip_route_addr),
        ("show version", cfg.show_version),
        ("show logging", cfg.show_logging),
        ("show debugging", cfg.show_debugging),
    ]
    if family(family_name).ikev2:
        table.append(("show crypto ikev2 sa", show_crypto_ikev2_sa))
        table.append(("show crypto ikev2 sa detailed", show_crypto_ikev2_sa_detailed))
    return table


def variants() -> dict[str, Renderer]:
    """Commands answered only where a family's ``show_variants`` lists them (reference 4.6)."""
    from ipsec_ops.lab.render.ios_sessions import VARIANTS  # it imports this module

    return VARIANTS


# -- naming helpers -------------------------------------------------------------------


def isakmp_encr(policy: IkePolicy) -> str:
    """``Encr`` column of ``show crypto isakmp sa detail``: the cipher without key size.

    >>> isakmp_encr(IkePolicy(10, "aes 256")), isakmp_encr(IkePolicy(10, "3des"))
    ('aes', '3des')
    """
    return policy.encryption.split()[0]


def engine_algorithm(cipher: str, digest: str) -> str:
    """``Algorithm`` of ``show crypto engine connections active``: cipher+hash, upper case.

    >>> engine_algorithm("esp-aes 256", "esp-sha-hmac"), engine_algorithm("3des", "md5")
    ('AES256+SHA', '3DES+MD5')
    """
    name = cipher.removeprefix("esp-").replace(" ", "").upper()
    return f"{name}+{digest.removeprefix('esp-').removesuffix('-hmac').upper()}"


def ipsec_algorithm(ts: TransformSet | None) -> str:
    if ts is None or not ts.transforms:
        return "UNKNOWN"
    auth = next((t for t in ts.transforms if t.endswith("-hmac")), "none")
    return engine_algorithm(ts.transforms[0], auth)


def ikev2_algorithms(policy: IkePolicy | None, established: bool) -> str:
    """The ``Encr: ... Auth verify: ...`` line of ``show crypto ikev2 sa``.

    >>> ikev2_algorithms(IkePolicy(10, hash="sha256"), True)[:60]
    'Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH G'
    """
    if policy is None or not established:  # [E] what IOS prints before proposals are chosen
        return (
            "Encr: Unknown - 0, PRF: Unknown - 0, Hash: None, DH Grp:0, Auth sign: PSK, "
            "Auth verify: Unknown - 0"
        )
    name, _, size = policy.encryption.partition(" ")
    encr = f"AES-CBC, keysize: {size or '128'}" if name == "aes" else name.upper()
    prf = "SHA1" if policy.hash == "sha" else policy.hash.upper()
    mac = {"sha": "SHA96", "md5": "MD596"}.get(policy.hash, policy.hash.upper())
    return (
        f"Encr: {encr}, PRF: {prf}, Hash: {mac}, DH Grp:{policy.group}, "
        "Auth sign: PSK, Auth verify: PSK"
    )


def ikev2_spi(spi: int) -> str:
    """IKEv2 SPIs are 8 bytes; the engine keeps 4, so widen them deterministically.

    >>> ikev2_spi(0), ikev2_spi(1)
    ('0000000000000000', '000000019E3779B1')
    """
    return f"{spi:08X}{(spi * 0x9E3779B1) & 0xFFFFFFFF:08X}" if spi else "0" * 16


def flow_operand(net: ipaddress.IPv4Network) -> str:
    """An IPSEC FLOW operand of ``show crypto session``: ``host A`` or ``A/MASK``.

    >>> flow_operand(ipaddress.IPv4Network("10.1.0.0/24"))
    '10.1.0.0/255.255.255.0'
    """
    return f"host {net.network_address}" if net.prefixlen == 32 else net_mask(net)


def _session_id(t: TunnelView, index: int) -> int:
    # IKEv1 sessions print 0, IKEv2 ones a number [F ntc samples]; reused as the IKEv2 Session-id.
    return index + 1 if t.entry.ike_version == 2 else 0


# -- show crypto isakmp sa / peers --------------------------------------------------


def _isakmp(ctx: RenderContext) -> list[tuple[TunnelView, IkeView]]:
    return [(t, t.ike) for t in ctx.tunnels() if t.ike is not None and t.ike.version == 1]


def _conn_id(ike: IkeView) -> int:
    # [E] no crypto engine connection exists before a proposal is agreed
    return 0 if ike.state == "MM_NO_STATE" else ike.conn_id


def show_crypto_isakmp_sa(ctx: RenderContext, args: dict[str, str]) -> str:
    out = ["IPv4 Crypto ISAKMP SA", "dst             src             state          conn-id status"]
    for t, ike in _isakmp(ctx):
        dst, src = (t.peer, t.local) if ike.role == "initiator" else (t.local, t.peer)
        out.append(f"{dst!s:<16}{src!s:<16}{ike.state:<15}{_conn_id(ike):>7} {_SA_STATUS}")
    return "\n".join([*out, "", "IPv6 Crypto ISAKMP SA", ""])


_ISAKMP_CODES = """\
Codes: C - IKE configuration mode, D - Dead Peer Detection
       K - Keepalives, N - NAT-traversal
       T - cTCP encapsulation, X - IKE Extended Authentication
       psk - Preshared key, rsig - RSA signature
       renc - RSA encryption
IPv4 Crypto ISAKMP SA

C-id  Local           Remote          I-VRF  Status Encr Hash   Auth DH Lifetime Cap.
"""


def show_crypto_isakmp_sa_detail(ctx: RenderContext, args: dict[str, str]) -> str:
    out = _ISAKMP_CODES.splitlines()
    for t, ike in _isakmp(ctx):
        p = ike.policy or (ctx.device.ike_policies[0] if ctx.device.ike_policies else IkePolicy(1))
        auth = "psk" if p.auth == "pre-share" else "rsig"
        life = lifetime_hms(ike.lifetime_left_s)
        cap = "D" if ike.established else ""
        row = f"{_conn_id(ike):<6}{t.local!s:<16}{t.peer!s:<16}{'':<7}{_SA_STATUS:<7}"
        row += f"{isakmp_encr(p):<5}{p.hash:<7}{auth:<5}{p.group:<3}{life:<9}{cap}"
        out += ["", row, f"       Engine-id:Conn-id =  SW:{max(0, _conn_id(ike) - 1000)}"]
    return "\n".join([*out, "", "IPv6 Crypto ISAKMP SA", ""])


def lifetime_hms(seconds: int) -> str:
    """Two-digit ``hh:mm:ss`` of ISAKMP lifetimes.

    >>> lifetime_hms(86399), lifetime_hms(0)
    ('23:59:59', '00:00:00')
    """
    h, rest = divmod(max(0, seconds), 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def show_crypto_isakmp_peers(ctx: RenderContext, args: dict[str, str]) -> str:
    out: list[str] = []
    for t, ike in _isakmp(ctx):
        if "peer" in args and str(t.peer) != args["peer"]:
            continue
        out.append(f"Peer: {t.peer} Port: 500 Local: {t.local}")
        if ike.established:  # [E] the identity is known once MM5/MM6 are through
            out.append(f" Phase1 id: {t.peer}")
    return "\n".join(out)


# -- show crypto ipsec sa -----------------------------------------------------------


def _counters(ctx: RenderContext, sa: IpsecView, detail: bool) -> list[str]:
    hmac = sa.transform is None or any(t.endswith("-hmac") for t in sa.transform.transforms)
    enc, dec, digest = sa.encaps, sa.decaps, sa.encaps if hmac else 0
    lines = [
        f"    #pkts encaps: {enc}, #pkts encrypt: {enc}, #pkts digest: {digest}",
        f"    #pkts decaps: {dec}, #pkts decrypt: {dec}, #pkts verify: {dec if hmac else 0}",
        "    #pkts compressed: 0, #pkts decompressed: 0",
        "    #pkts not compressed: 0, #pkts compr. failed: 0",
        "    #pkts not decompressed: 0, #pkts decompress failed: 0",
    ]
    if not detail:
        return [*lines, f"    #send errors {sa.send_errors}, #recv errors {sa.recv_errors}"]
    lines += [
        f"    #pkts no sa (send) {sa.no_sa_send}, #pkts invalid sa (rcv) 0",
        f"    #pkts encaps failed (send) {sa.send_errors}, "
        f"#pkts decaps failed (rcv) {sa.recv_errors}",
        "    #pkts invalid prot (recv) 0, #pkts verify failed: 0",
        "    #pkts invalid identity (recv) 0, #pkts invalid len (rcv) 0",
        "    #pkts replay rollover (send): 0, #pkts replay rollover (rcv) 0",
        "    ##pkts replay failed (rcv): 0",
    ]
    if cfg.is_xe(ctx):  # [E] TrustSec tagging counters arrived with IOS-XE 16
        lines += [
            "    #pkts tagged (send): 0, #pkts untagged (rcv): 0",
            "    #pkts not tagged (send): 0, #pkts not untagged (rcv): 0",
        ]
    return [*lines, "    #pkts internal err (send): 0, #pkts internal err (recv) 0"]


def _esp_sa(ctx: RenderContext, t: TunnelView, sa: IpsecView, spi: int, conn: int) -> list[str]:
    ts = sa.transform
    mode = "Transport" if ts is not None and ts.mode == "transport" else "Tunnel"
    # [E] XE: 64-bit sibling flags, QFP flow ids, replay window printed; 12.4: bare ACTIVE
    flags, engine = ("FFFFFFFF80000048", "ESG") if cfg.is_xe(ctx) else ("80000040", "SW")
    window = "  replay window size: 64" if cfg.is_xe(ctx) else ""
    status = "ACTIVE" if cfg.is_124(ctx) else "ACTIVE(ACTIVE)"
    return [
        f"      spi: 0x{spi:X}({spi})",
        f"        transform: {transform_words(ts)} ,",
        f"        in use settings ={{{mode}, }}",
        f"        conn id: {conn}, flow_id: {engine}:{max(0, conn - 2000)}, "
        f"sibling_flags {flags}, crypto map: {t.entry.map_name}",
        f"        sa timing: remaining key lifetime (k/sec): "
        f"({sa.lifetime_left_kb}/{sa.lifetime_left_s})",
        f"        IV size: {iv_size(ts)} bytes",
        f"        replay detection support: Y{window}",
        f"        Status: {status}",
    ]


def _ident_block(ctx: RenderContext, t: TunnelView, sa: IpsecView, detail: bool) -> list[str]:
    pfs = f"Y, DH group: group{sa.pfs_group}" if sa.pfs_group else "N, DH group: none"
    des = sa.transform is not None and iv_size(sa.transform) == 8
    mtu = (1446 if des else 1438) if sa.has_sa else 1500  # [E] ESP overhead of AES / 3DES
    lines = [
        "",
        "   protected vrf: (none)",
        f"   local  ident (addr/mask/prot/port): ({net_mask(sa.local_net)}/0/0)",
        f"   remote ident (addr/mask/prot/port): ({net_mask(sa.remote_net)}/0/0)",
        f"   current_peer {t.peer} port 500",
        "     PERMIT, flags={origin_is_acl,}",
        *_counters(ctx, sa, detail),
        "",
        f"     local crypto endpt.: {t.local}, remote crypto endpt.: {t.peer}",
        f"     plaintext mtu {mtu}, path mtu 1500, ip mtu 1500, ip mtu idb {t.entry.interface}",
        f"     current outbound spi: 0x{sa.spi_out:X}({sa.spi_out})",
        f"     PFS (Y/N): {pfs}",
        "",
        "     inbound esp sas:",
    ]
    if sa.has_sa:
        lines += _esp_sa(ctx, t, sa, sa.spi_in, sa.conn_id_in)
    lines += ["", "     inbound ah sas:", "", "     inbound pcp sas:", "", "     outbound esp sas:"]
    if sa.has_sa:
        lines += _esp_sa(ctx, t, sa, sa.spi_out, sa.conn_id_out)
    return [*lines, "", "     outbound ah sas:", "", "     outbound pcp sas:"]


def _ipsec_sa(ctx: RenderContext, args: dict[str, str], detail: bool) -> str:
    tunnels = [t for t in ctx.tunnels() if "peer" not in args or str(t.peer) == args["peer"]]
    out: list[str] = []
    for intf in ctx.device.interfaces:
        mine = [t for t in tunnels if t.entry.interface == intf.name]
        if not intf.crypto_map or not mine:
            continue
        out += [f"interface: {intf.name}"]
        out += [f"    Crypto map tag: {intf.crypto_map}, local addr {intf.address}"]
        for t in mine:
            for sa in t.ipsec:  # every proxy pair, with or without an SA
                out += _ident_block(ctx, t, sa, detail)
        out.append("")
    return "\n".join(out)


def show_crypto_ipsec_sa(ctx: RenderContext, args: dict[str, str]) -> str:
    return _ipsec_sa(ctx, args, detail=False)


def show_crypto_ipsec_sa_detail(ctx: RenderContext, args: dict[str, str]) -> str:
    return _ipsec_sa(ctx, args, detail=True)


def show_crypto_ipsec_sa_address(ctx: RenderContext, args: dict[str, str]) -> str:
    """SAs grouped by destination: inbound ones under our address, outbound under the peer."""
    groups: dict[ipaddress.IPv4Address, list[str]] = {}
    for t in ctx.tunnels():
        for sa in (s for s in t.ipsec if s.has_sa):
            groups.setdefault(t.local, []).extend(_esp_sa(ctx, t, sa, sa.spi_in, sa.conn_id_in))
            groups.setdefault(t.peer, []).extend(_esp_sa(ctx, t, sa, sa.spi_out, sa.conn_id_out))
    out: list[str] = []
    for dest in sorted(groups):
        head = f"dest address: {dest}" if cfg.is_124(ctx) else f"fvrf/address: (none)/{dest}"
        out += [head, "   protocol: ESP", *groups[dest], ""]
    return "\n".join(out)


# -- show crypto session ------------------------------------------------------------

# Real legends pad the first two lines with trailing blanks [F ntc-templates samples].
_CODES_HEAD = [
    "Code: C - IKE Configuration mode, D - Dead Peer Detection     ",
    "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation     ",
    "X - IKE Extended Authentication, F - IKE Fragmentation",
]
_SESSION_CODES = {
    "classic": [*_CODES_HEAD, "R - IKE Auto Reconnect"],
    "xe": [*_CODES_HEAD, "R - IKE Auto Reconnect, U - IKE Dynamic Route Update", "S - SIP VPN"],
}


def _ike_lines(t: TunnelView, session_id: int, detail: bool) -> list[str]:
    ike = t.ike
    if ike is None:  # UP-NO-IKE and DOWN sessions have no IKE SA line
        return []
    state = "Active" if ike.established else "Inactive"
    sa = f"  IKEv{ike.version} SA: local {t.local}/500 remote {t.peer}/500 {state}"
    if not detail:
        return ([f"  Session ID: {session_id}  "] if ike.version == 2 else []) + [sa]
    if ike.established:
        cap = f"D connid:{ike.conn_id} lifetime:{lifetime_hms(ike.lifetime_left_s)}"
    else:
        cap = "(none) connid:0 lifetime:0"  # [F sample] a failing attempt shows no id yet
    return [f"  Session ID: {session_id} ", sa, f"          Capabilities:{cap}"]


def _flow_lines(sa: IpsecView, detail: bool) -> list[str]:
    active = 2 if sa.has_sa else 0
    lines = [
        f"  IPSEC FLOW: permit ip {flow_operand(sa.local_net)} {flow_operand(sa.remote_net)}",
        f"        Active SAs: {active}, origin: crypto map",
    ]
    if detail:
        life = f"{sa.lifetime_left_kb}/{sa.lifetime_left_s}" if sa.has_sa else "0/0"
        drop_out = sa.send_errors + sa.no_sa_send  # [E] packets with no SA count as drops
        lines.append(f"        Inbound:  #pkts dec'ed {sa.decaps} drop {sa.recv_errors} "
                     f"life (KB/Sec) {life}")  # fmt: skip
        lines.append(f"        Outbound: #pkts enc'ed {sa.encaps} drop {drop_out} "
                     f"life (KB/Sec) {life}")  # fmt: skip
    return lines


def _session_block(t: TunnelView, session_id: int, xe: bool, detail: bool) -> list[str]:
    lines = [f"Interface: {t.entry.interface}"]
    if detail and xe and t.entry.ike_version == 2:
        lines.append(f"Profile: {cfg.IKEV2_PROFILE}")
    if detail and t.uptime_s is not None:
        lines.append(f"Uptime: {duration(t.uptime_s)}")
    lines.append(f"Session status: {t.session_status:<13}")
    if detail:
        phase1 = str(t.peer) if t.ike is not None and t.ike.established else "(none)"
        lines.append(f"Peer: {t.peer} port 500 fvrf: (none) ivrf: (none)")
        lines += [f"      Phase1_id: {phase1}", "      Desc: (none)"]
    else:
        lines.append(f"Peer: {t.peer} port 500 ")
    lines += _ike_lines(t, session_id, detail)
    for sa in t.ipsec:
        lines += _flow_lines(sa, detail)
    return lines


def _crypto_session(ctx: RenderContext, detail: bool, args: dict[str, str]) -> str:
    sep = " " if detail else ""
    out = ["Crypto session current status", sep]
    if detail:
        out += [*_SESSION_CODES["xe" if cfg.is_xe(ctx) else "classic"], sep]
    # Site-to-site sessions have no VRF, user or group in the lab: a filter leaves none
    # (`remote X` keeps that peer's: ctx.only, from ipsec_ops.lab.render.variants).
    if not set(args) - {"remote"}:
        for i, t in enumerate(ctx.tunnels()):
            out += [*_session_block(t, _session_id(t, i), cfg.is_xe(ctx), detail), sep]
    out += ezvpn.session_blocks(ctx, args, detail)
    return "\n".join(out)


def show_crypto_session(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show crypto session [fvrf X | ivrf X | group X | username X]``."""
    return _crypto_session(ctx, False, args)


def show_crypto_session_detail(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show crypto session [fvrf X | ivrf X | group X | username X] detail``."""
    return _crypto_session(ctx, True, args)


# -- show crypto ikev2 sa -----------------------------------------------------------


def _ikev2_detail(ctx: RenderContext, t: TunnelView, ike: IkeView, sid: int) -> list[str]:
    done = "Negotiation done" if ike.established else "Negotiation in progress"  # [E] 2nd
    lines = [
        f"      CE id: {ike.conn_id}, Session-id: {sid}",
        f"      Status Description: {done}",
        f"      Local spi: {ikev2_spi(ike.local_spi)}       Remote spi: "
        f"{ikev2_spi(ike.remote_spi)}",
        f"      Local id: {t.local}",
        f"      Remote id: {t.peer if ike.established else ''}",
        f"      Local req msg id:  2              Remote req msg id:  {int(ike.established)}",
        f"      Local next msg id: 2              Remote next msg id: {int(ike.established)}",
        "      Local req queued:  2              Remote req queued:  0",
        "      Local window:      5              Remote window:      5",
        "      DPD configured for 10 seconds, retry 2",
        "      Fragmentation not  configured.",
    ]
    if cfg.is_xe(ctx):
        lines.append("      Dynamic Route Update: disabled")
    lines += ["      Extended Authentication not configured.", "      NAT-T is not detected  "]
    if cfg.is_xe(ctx):
        lines.append("      Cisco Trust Security SGT is disabled")
    return [*lines, f"      Initiator of SA : {'Yes' if ike.role == 'initiator' else 'No'}"]


def _ikev2_sa(ctx: RenderContext, detailed: bool) -> str:
    rows = [(i, t, t.ike) for i, t in enumerate(ctx.tunnels()) if t.ike and t.ike.version == 2]
    if not rows:
        return ""
    out = [" IPv4 Crypto IKEv2  SA ", ""]
    out.append("Tunnel-id Local                 Remote                fvrf/ivrf            Status ")
    for n, (i, t, ike) in enumerate(rows, start=1):
        local, remote = f"{t.local}/500", f"{t.peer}/500"
        out.append(f"{n:<10}{local:<22}{remote:<22}{'none/none':<21}{ike.state:<7}")
        out.append(f"      {ikev2_algorithms(ike.policy, ike.established)}")
        life = ike.policy.lifetime if ike.policy else 86400
        out.append(f"      Life/Active Time: {life}/{ike.age_s} sec")
        if detailed:
            out += _ikev2_detail(ctx, t, ike, _session_id(t, i))
        out.append("")
    return "\n".join([*out, " IPv6 Crypto IKEv2  SA ", ""])


def show_crypto_ikev2_sa(ctx: RenderContext, args: dict[str, str]) -> str:
    return _ikev2_sa(ctx, detailed=False)


def show_crypto_ikev2_sa_detailed(ctx: RenderContext, args: dict[str, str]) -> str:
    return _ikev2_sa(ctx, detailed=True)


# -- show crypto engine connections active ------------------------------------------


def _engine_row(conn: int, kind: str, alg: str, enc: int, dec: int, addr: object) -> str:
    seq = max(enc, dec)
    return f"{conn:>5}  {kind:<8}{alg:<20}{enc:>7}{dec:>9}{seq:>9} {addr}"


def show_crypto_engine_connections(ctx: RenderContext, args: dict[str, str]) -> str:
    rows: list[tuple[int, str]] = []
    for t in ctx.tunnels():
        ike = t.ike
        if ike is not None and ike.established and ike.policy is not None:
            kind = "IKE" if ike.version == 1 else "IKEv2"  # [E] Type label of IKEv2 SAs
            alg = engine_algorithm(ike.policy.encryption, ike.policy.hash)
            rows.append((ike.conn_id, _engine_row(ike.conn_id, kind, alg, 0, 0, t.local)))
        for sa in (s for s in t.ipsec if s.has_sa):
            alg = ipsec_algorithm(sa.transform)
            rows.append((sa.conn_id_in, _engine_row(sa.conn_id_in, "IPsec", alg, 0, sa.decaps,
                                                     t.local)))  # fmt: skip
            rows.append((sa.conn_id_out, _engine_row(sa.conn_id_out, "IPsec", alg, sa.encaps, 0,
                                                      t.local)))  # fmt: skip
    head = ["Crypto Engine Connections", ""]
    head.append("   ID  Type    Algorithm           Encrypt  Decrypt LastSeqN IP-Address")
    return "\n".join(head + [row for _, row in sorted(rows)])
