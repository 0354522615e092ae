"""Renderers of PIX Firewall 6.3 show commands.

PIX 6 predates the ASA code: its IPsec views follow the IOS 12.2 layout (IOS state
words, ``QM_IDLE`` once phase 1 is up), its configuration is flat (no
sub-modes) and it has no IKEv2 and no conditional debug.
"""

from __future__ import annotations

from ipsec_ops.lab.engine import stable_int
from ipsec_ops.lab.render import asa_config as cfg
from ipsec_ops.lab.render import pix6_policy
from ipsec_ops.lab.render.base import RenderContext, Renderer, asa_time, mask, net_mask
from ipsec_ops.lab.views import IpsecView, LogEvent, TunnelView


def _words(text: str) -> list[str]:
    return text.split()


# Real PIX 6.3 keywords the lab does not simulate (keeps abbreviations as ambiguous).
KNOWN: dict[str, list[str]] = {
    "show": _words(
        "aaa aaa-server access-group activation-key age alias arp auth-prompt blocks ca "
        "capture checksum chunkstat clock conduit conn console cpu crashinfo ctiqbe dhcpd "
        "dhcprelay domain-name established failover filter fixup flashfs fragment global "
        "h225 h245 h323-ras history hostname icmp igmp interface ip isakmp local-host "
        "management-access memory mgcp mroute mtu name nameif names nat ntp object-group "
        "outbound pager passwd pdm perfmon privilege processes rip route routing service shun "
        "sip skinny snmp-server ssh startup-config static sysopt tcpstat tech-support telnet "
        "terminal tftp-server timeout traffic uauth url-block url-cache url-server username "
        "virtual vpdn vpnclient who xlate"
    ),
    "show crypto": _words("dynamic-map engine interface"),
    "write": _words("erase floppy memory net standby"),
}


def _outside(ctx: RenderContext, t: TunnelView) -> str:
    return cfg.nameif(ctx.device, t.entry)


# -- show crypto isakmp sa ------------------------------------------------------------


def isakmp_sa(ctx: RenderContext, args: dict[str, str]) -> str:
    """``Total/Embryonic`` header and one row per IKE SA; dst is the responder [E]."""
    rows = [t for t in ctx.tunnels() if t.ike is not None]
    embryonic = sum(1 for t in rows if t.ike is not None and not t.ike.established)
    lines = [
        f"Total     : {len(rows)}",
        f"Embryonic : {embryonic}",
        "        dst               src        state     pending     created",
    ]
    for t in rows:
        assert t.ike is not None
        dst, src = (t.peer, t.local) if t.ike.role == "initiator" else (t.local, t.peer)
        created = sum(1 for sa in t.ipsec if sa.has_sa)
        lines.append(f"{dst!s:>15}{src!s:>17}    {t.ike.state:<12}{0:>5}{created:>12}")
    return "\n".join(lines)


# -- show crypto ipsec sa ---------------------------------------------------------------


def _esp(ctx: RenderContext, t: TunnelView, sa: IpsecView, spi: int) -> list[str]:
    if not sa.has_sa:
        return []
    cipher = cfg.esp_cipher(sa.transform)
    return [
        f"      spi: 0x{spi:X}({spi})",
        f"        transform: {cfg.dashed(cipher)} {cfg.dashed(cfg.esp_hmac(sa.transform))} ,",
        "        in use settings ={Tunnel, }",
        f"        slot: 0, conn id: {sa.conn_id_in}, crypto map: {t.entry.map_name}",
        "        sa timing: remaining key lifetime (k/sec): "
        f"({sa.lifetime_left_kb}/{sa.lifetime_left_s})",
        f"        IV size: {cfg.iv_bytes(cipher)} bytes",
        "        replay detection support: Y",
    ]


def _ipsec_block(ctx: RenderContext, t: TunnelView, sa: IpsecView) -> list[str]:
    """One proxy pair, IOS 12.2 layout (old IOS prints ``spi: 0xHEX(DEC)`` without a space)."""
    overhead = 56 if cfg.iv_bytes(cfg.esp_cipher(sa.transform)) == 16 else 48
    flags = "origin_is_acl," if sa.has_sa else "origin_is_acl,ipsec_sa_request_sent"
    return [
        f"    Crypto map tag: {t.entry.map_name}, local addr. {t.local}",
        "",
        f"   local  ident (addr/mask/prot/port): ({net_mask(sa.local_net)}/0/0)",
        f"   remote ident (addr/mask/prot/port): ({net_mask(sa.remote_net)}/0/0)",
        f"   current_peer: {t.peer}:500",
        f"     PERMIT, flags={{{flags}}}",
        f"    #pkts encaps: {sa.encaps}, #pkts encrypt: {sa.encaps}, #pkts digest {sa.encaps}",
        f"    #pkts decaps: {sa.decaps}, #pkts decrypt: {sa.decaps}, #pkts verify {sa.decaps}",
        "    #pkts compressed: 0, #pkts decompressed: 0",
        "    #pkts not compressed: 0, #pkts compr. failed: 0, #pkts decompress failed: 0",
        f"    #send errors {sa.send_errors}, #recv errors {sa.recv_errors}",
        "",
        f"     local crypto endpt.: {t.local}, remote crypto endpt.: {t.peer}",
        f"     path mtu 1500, ipsec overhead {overhead if sa.has_sa else 0}, media mtu 1500",
        f"     current outbound spi: {sa.spi_out:X}",
        "",
        "     inbound esp sas:",
        *_esp(ctx, t, sa, sa.spi_in),
        "",
        "",
        "     inbound ah sas:",
        "",
        "",
        "     inbound pcp sas:",
        "",
        "",
        "     outbound esp sas:",
        *_esp(ctx, t, sa, sa.spi_out),
        "",
        "",
        "     outbound ah sas:",
        "",
        "",
        "     outbound pcp sas:",
        "",
    ]


def ipsec_sa(ctx: RenderContext, args: dict[str, str]) -> str:
    """Every crypto map entry of the interface, with its SAs when they exist."""
    by_intf: dict[str, list[str]] = {}
    for t in ctx.tunnels():
        blocks = by_intf.setdefault(_outside(ctx, t), [])
        for sa in t.ipsec:
            blocks += _ipsec_block(ctx, t, sa)
    lines: list[str] = []
    for intf, blocks in by_intf.items():
        lines += ["", f"interface: {intf}", *blocks]
    return "\n".join(lines)


# -- show crypto map -----------------------------------------------------------------------


def crypto_map(ctx: RenderContext, args: dict[str, str]) -> str:
    tunnels = ctx.tunnels()
    lines: list[str] = []
    for name in dict.fromkeys(t.entry.map_name for t in tunnels):
        mine = [t for t in tunnels if t.entry.map_name == name]
        intfs = ", ".join(dict.fromkeys(_outside(ctx, t) for t in mine))
        lines += ["", f'Crypto Map: "{name}" interfaces: {{ {intfs} }}']
        for t in mine:
            e = t.entry
            first = 2 if e.description else 1
            lines += [
                "",
                f'Crypto Map "{name}" {e.seq} ipsec-isakmp',
                f"        Peer = {e.peer}",
                f"        access-list {e.acl_name}; {len(e.acl)} elements",
            ]
            acl = f"        access-list {e.acl_name} line"
            lines += [
                f"{acl} {first + i} {cfg.acl_text(a)} (hitcnt={hits})"
                for i, (a, hits) in enumerate(zip(e.acl, t.acl_hits, strict=False))
            ]
            lines += [
                f"        Current peer: {e.peer}",
                "        Security association lifetime: "
                f"{e.sa_lifetime_kb} kilobytes/{e.sa_lifetime_s} seconds",
                f"        PFS (Y/N): {'Y' if e.pfs_group else 'N'}",
            ]
            if e.pfs_group:
                lines.append(f"        DH group:  group{e.pfs_group}")
            lines.append(f"        Transform sets={{ {e.transform_set}, }}")
    return "\n".join(lines)


# -- show version --------------------------------------------------------------------------


def show_version(ctx: RenderContext, args: dict[str, str]) -> str:
    dev = ctx.device
    serial = cfg.serial_number(dev, numeric=True)
    lines = [
        "",
        f"Cisco PIX Firewall Version {dev.version}",
        "Cisco PIX Device Manager Version 3.0(4)",
        "",
        "Compiled on Thu 04-Aug-05 21:40 by morlee",
        "",
        f"{dev.hostname} up {cfg.uptime_words(ctx.uptime_s)}",
        "",
        f"Hardware:   {cfg.hardware(dev)}",
        "Flash E28F640J3 @ 0x300, 8MB",
        "BIOS Flash AM29F400B @ 0xfffd8000, 32KB",
        "",
    ]
    for n, intf in enumerate(dev.interfaces):
        lines.append(f"{n}: {intf.name}: address is {cfg.mac_address(dev, n)}, irq {10 + n}")
    lines += [
        "Licensed Features:",
        f"Failover:                    {'Enabled' if dev.failover_prompt else 'Disabled'}",
        "VPN-DES:                     Enabled",
        "VPN-3DES-AES:                Enabled",
        "Maximum Physical Interfaces: 2",
        "Maximum Interfaces:          4",
        "Cut-through Proxy:           Enabled",
        "Guards:                      Enabled",
        "URL-filtering:               Enabled",
        "Inside Hosts:                Unlimited",
        "Throughput:                  Unlimited",
        "IKE peers:                   Unlimited",
        "",
        "This PIX has a Restricted (R) license.",
        "",
        f"Serial Number: {serial} (0x{int(serial):x})",
        f"Running Activation Key: 0x{stable_int(dev.name, 'key') & 0xFFFFFFFF:08x} "
        f"0x{stable_int(dev.name, 'key2') & 0xFFFFFFFF:08x}",
        f"Configuration last modified by enable_15 at {cfg.clock_words(ctx.now - ctx.uptime_s)}",
    ]
    return "\n".join(lines)


# -- show logging ---------------------------------------------------------------------------


def _sa_lines(ctx: RenderContext, ev: LogEvent, created: bool) -> list[str]:
    """602301/602302 for each SA of the pair; PIX 6 logs negotiation failures at debug only."""
    at = ev.at if created else ev.at - 0.5
    t = next((t for t in ctx.engine.tunnels(ctx.device, at) if t.peer == ev.peer), None)
    sa = next((s for s in t.ipsec if s.has_sa), None) if t else None
    if sa is None:
        return []
    transform = (
        f"{cfg.dashed(cfg.esp_cipher(sa.transform))} {cfg.dashed(cfg.esp_hmac(sa.transform))} "
    )
    head = "602301: sa created" if created else "602302: deleting sa"
    return [
        f"%PIX-6-{head}, (sa) sa_dest= {dest}, sa_prot= 50, sa_spi= 0x{spi:x}({spi}), "
        f"sa_trans= {transform}, sa_conn_id= {conn}"
        for dest, spi, conn in (
            (ev.local, sa.spi_in, sa.conn_id_in),
            (ev.peer, sa.spi_out, sa.conn_id_out),
        )
    ]


def show_logging(ctx: RenderContext, args: dict[str, str]) -> str:
    messages = [
        f"{asa_time(ev.at)}: {line}"
        for ev in ctx.events()
        if ev.kind in ("up", "down")
        for line in _sa_lines(ctx, ev, created=ev.kind == "up")
    ]
    head = [
        "Syslog logging: enabled",
        "    Facility: 20",
        "    Timestamp logging: enabled",
        "    Standby logging: disabled",
        "    Console logging: disabled",
        "    Monitor logging: disabled",
        f"    Buffer logging: level informational, {len(messages)} messages logged",
        "    Trap logging: disabled",
        "    History logging: disabled",
        "    Device ID: disabled",
    ]
    return "\n".join(head + messages)


# -- show access-list / debug ---------------------------------------------------------------


def show_access_list(ctx: RenderContext, args: dict[str, str]) -> str:
    return cfg.show_access_list(ctx, args.get("name", ""), extended=False, hashes=False)


def show_debug(ctx: RenderContext, args: dict[str, str]) -> str:
    """PIX 6 lists each debug as the command that enabled it, with its level [E]."""
    lines = []
    for entry in sorted(ctx.state.debugs):
        words = entry.split()
        words = words[1:] if words and words[0] == "debug" else words
        if words and words[0] == "crypto" and not words[-1].isdigit():
            words.append("1")
        if words:
            lines.append("debug " + " ".join(words))
    return "\n".join(lines)


# -- running configuration -------------------------------------------------------------------


def _crypto_lines(ctx: RenderContext) -> list[str]:
    dev = ctx.device
    lines = [
        f"crypto ipsec transform-set {ts.name} {' '.join(cfg.dashed(t) for t in ts.transforms)}"
        for ts in dev.transform_sets
    ]
    for e in dev.map_entries:
        head = f"crypto map {e.map_name} {e.seq}"
        lines += [f"{head} ipsec-isakmp", f"{head} match address {e.acl_name}"]
        if e.pfs_group:
            lines.append(f"{head} set pfs group{e.pfs_group}")
        lines += [f"{head} set peer {e.peer}", f"{head} set transform-set {e.transform_set}"]
        if e.sa_lifetime_s != cfg.ASA_DEFAULT_SA_SECONDS:
            lines.append(f"{head} set security-association lifetime seconds {e.sa_lifetime_s}")
    for name in dict.fromkeys(e.map_name for e in dev.map_entries):
        first = next(e for e in dev.map_entries if e.map_name == name)
        lines.append(f"crypto map {name} interface {cfg.nameif(dev, first)}")
    outside = dict.fromkeys(cfg.nameif(dev, e) for e in dev.map_entries)
    lines += [f"isakmp enable {name}" for name in outside]
    lines += [
        f"isakmp key ******** address {e.peer} netmask 255.255.255.255 no-xauth no-config-mode "
        for e in dev.map_entries
        if e.psk
    ]
    lines.append("isakmp identity address")
    for p in sorted(dev.ike_policies, key=lambda p: p.priority):
        head = f"isakmp policy {p.priority}"
        lines += [
            f"{head} authentication {p.auth}",
            f"{head} encryption {cfg.dashed(p.encryption)}",
            f"{head} hash {p.hash}",
            f"{head} group {p.group}",
            f"{head} lifetime {p.lifetime}",
        ]
    return lines


def running_config(ctx: RenderContext, args: dict[str, str]) -> str:
    """``write terminal``: flat PIX 6 configuration, passwords and keys masked."""
    dev = ctx.device
    lines = [": Saved", ":", f"PIX Version {dev.version}"]
    for n, intf in enumerate(dev.interfaces):
        lines.append(f"interface {intf.name} {'auto' if n == 0 else '100full'}")
    for n, intf in enumerate(dev.interfaces):
        name = intf.nameif or f"intf{n}"
        lines.append(f"nameif {intf.name} {name} security{intf.security_level}")
    lines += [
        f"enable password {cfg.MASKED} encrypted",
        f"passwd {cfg.MASKED} encrypted",
        f"hostname {dev.hostname}",
        "fixup protocol ftp 21",
        "fixup protocol http 80",
        "fixup protocol smtp 25",
        "names",
        *cfg.acl_config(dev.map_entries, extended=False),
        "pager lines 24",
        "logging on",
        "logging timestamp",
        "logging buffered informational",
    ]
    lines += [f"mtu {i.nameif or i.name} 1500" for i in dev.interfaces]
    lines += [
        f"ip address {i.nameif or i.name} {i.address} {mask(i.prefixlen)}" for i in dev.interfaces
    ]
    lines += [
        "pdm history enable",
        "arp timeout 14400",
        "timeout xlate 3:00:00",
        "sysopt connection permit-ipsec",
        *_crypto_lines(ctx),
        "telnet timeout 5",
        "ssh timeout 5",
        "console timeout 0",
        "terminal width 80",
        f"Cryptochecksum:{stable_int(dev.name, 'config'):016x}{stable_int(dev.hostname):016x}",
        ": end",
    ]
    return "\n".join(lines)


# -- the command table ------------------------------------------------------------------------


def commands(family_name: str) -> list[tuple[str, Renderer]]:
    """Syntax and renderer of every simulated PIX 6.3 show command."""
    return [
        ("show crypto isakmp sa", isakmp_sa),
        ("show crypto ipsec sa", ipsec_sa),
        ("show crypto map", crypto_map),
        ("show version", show_version),
        ("show logging", show_logging),
        ("show access-list [<word:name>]", show_access_list),
        ("show debug", show_debug),
        ("show running-config", running_config),
        ("write terminal", running_config),
    ]


def variants() -> dict[str, Renderer]:
    """Commands answered only where the family's ``show_variants`` lists them."""
    return pix6_policy.VARIANTS
