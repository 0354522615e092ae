"""ASA / PIX 7 ``show logging``, ``show debug`` and ``show crypto debug-condition``
(split out of :mod:`.asa`)."""

from __future__ import annotations

import ipaddress

from ipsec_ops.lab import syslog
from ipsec_ops.lab.engine import stable_int
from ipsec_ops.lab.render import asa_config as cfg
from ipsec_ops.lab.render.asa_common import BYTES_PER_PACKET, duration, style_for
from ipsec_ops.lab.render.asa_config import Style
from ipsec_ops.lab.render.base import RenderContext, asa_time, net_mask
from ipsec_ops.lab.views import IpsecView, LogEvent, TunnelView

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
        f"disconnected. Session Type: LAN-to-LAN, Duration: {duration(up)}, Bytes xmt: "
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
    s = style_for(ctx, style)
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
