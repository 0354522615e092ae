"""IOS / IOS-XE ``show crypto session [detail]`` (and its fvrf / ivrf / group / username
filters) in the lab: one block per site-to-site tunnel, then the Easy VPN sessions.

Layouts follow real output (ntc-templates samples); facts without a cited source are
tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

from ipsec_ops.lab import ezvpn
from ipsec_ops.lab.render import ios_common as cfg
from ipsec_ops.lab.render.base import RenderContext, duration
from ipsec_ops.lab.render.ios_names import flow_operand, lifetime_hms, session_id
from ipsec_ops.lab.views import IpsecView, TunnelView

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
            out += [*_session_block(t, session_id(t, i), cfg.is_xe(ctx), detail), sep]
    out += ezvpn.session_blocks(ctx, args, detail)
    return "\n".join(out)


def show_crypto_session(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show crypto session [fvrf X | ivrf X | group X | username X]``."""
    return _crypto_session(ctx, False, args)


def show_crypto_session_detail(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show crypto session [fvrf X | ivrf X | group X | username X] detail``."""
    return _crypto_session(ctx, True, args)
