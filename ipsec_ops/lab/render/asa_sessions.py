"""ASA / PIX 7 ``show vpn-sessiondb [detail] l2l`` (split out of :mod:`.asa`) and the
accelerated security path: ``show asp drop``, ``show asp table vpn-context detail``.

Layouts follow the ntc-templates samples (9.x) and the 8.x sample of the public
documents named in tests/templates/README.md. The asp commands are offered through
:data:`VARIANTS` (answered where the family's ``show_variants`` lists them).
"""

from __future__ import annotations

import time

from ipsec_ops.lab.engine import stable_int
from ipsec_ops.lab.render import asa_config as cfg
from ipsec_ops.lab.render import routes
from ipsec_ops.lab.render.asa_common import (
    BYTES_PER_PACKET,
    IDLE_TIMEOUT_MIN,
    duration,
    policy_of,
    style_for,
)
from ipsec_ops.lab.render.asa_config import Style
from ipsec_ops.lab.render.base import RenderContext, Renderer, net_mask
from ipsec_ops.lab.timeline import STALE_FROZEN_BEFORE_START_S
from ipsec_ops.lab.views import IkeView, IpsecView, TunnelView

# -- show vpn-sessiondb [detail] l2l ----------------------------------------------------


def _field(
    label: str, value: object, label2: str = "", value2: object = "", indent: str = ""
) -> str:
    if not label2:
        return f"{indent}{label:<13}: {value}"
    return f"{indent}{label:<13}: {value!s:<23}{label2:<13}: {value2}"


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
    p = policy_of(ctx, t.ike) if t.ike else None
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
        _field("Duration", duration(up)),
    ]


def _index(t: TunnelView) -> int:
    return (t.ike.conn_id if t.ike else t.ipsec[0].conn_id_in) % 100_000


Row = tuple[str, object, str, object]


def _sub_block(title: str, rows: list[Row]) -> list[str]:
    """An indented ``IKEv1:`` / ``IPsec:`` / ``NAC:`` block of label : value pairs."""
    return ["", f"{title}:", *(_field(*row, indent="  ") for row in rows)]


def _ike_rows(ctx: RenderContext, idx: int, ike: IkeView, nine: bool) -> list[Row]:
    p = policy_of(ctx, ike)
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
    s = style_for(ctx, style)
    rows = _session_rows(ctx)
    if not rows:
        return "INFO: There are presently no active sessions of the type specified."
    lines = ["", f"Session Type: LAN-to-LAN{' Detailed' if detail else ''}"]
    for t, sas in rows:
        lines += ["", *_session_head(s, ctx, t, sas)]
        if detail:
            lines += _session_detail(s, ctx, t, sas)
    return "\n".join(lines)


# -- show asp drop / show asp table vpn-context detail ---------------------------------

# Drop reasons the lab derives from its faults [E: which reason a real ASA charges].
# (keyword, description as `show asp drop` prints it)
ASP_FRAME_DROPS = (
    ("ipsec-need-sa", "IPSec SA Not Negotiated Yet"),
    ("np-sp-invalid-spi", "Invalid SPI"),
)


def _stale_drops(ctx: RenderContext, t: TunnelView) -> int:
    """Packets the peer sent since our SA froze: they carry an SPI we do not hold [E]."""
    if "stale" not in t.entry.faults or not any(sa.has_sa for sa in t.ipsec):
        return 0
    frozen = ctx.engine.start - STALE_FROZEN_BEFORE_START_S
    return int(t.entry.pps * max(0.0, ctx.now - frozen))


def asp_frame_drops(ctx: RenderContext) -> dict[str, int]:
    """The non-zero frame drop counters of a device, from its tunnels' state.

    ``ipsec-need-sa``: packets that matched a crypto ACL while no SA existed (the
    tunnel's ``no_sa_send``); ``np-sp-invalid-spi``: the peer's packets after a stale
    SA froze. Counters are never cleared in the lab ("Last clearing: Never").
    """
    tunnels = ctx.tunnels()
    counts = {
        "ipsec-need-sa": sum(sa.no_sa_send for t in tunnels for sa in t.ipsec),
        "np-sp-invalid-spi": sum(_stale_drops(ctx, t) for t in tunnels),
    }
    return {k: v for k, v in counts.items() if v}


def show_asp_drop(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show asp drop``: frame then flow drops, one ``description (keyword)  count`` line
    each (only the non-zero ones), each section closed by its last-clearing line."""
    counts = asp_frame_drops(ctx)
    rows = [
        f"  {f'{text} ({key})':<66}{counts[key]:>12}"
        for key, text in ASP_FRAME_DROPS
        if key in counts
    ]
    never = "Last clearing: Never"
    return "\n".join(["", "Frame drop:", *rows, "", never, "", "Flow drop:", "", never, ""])


def _context(peer: object, handle: int, inbound: bool, spi: int, packets: int) -> list[str]:
    pointer = (stable_int(peer, handle) | 0xC0000000) & 0xFFFFFFF0
    return [
        f"VPN CTX  = 0x{handle & 0xFFFFFFFF:08X}",
        "",
        f"Peer IP  = {peer}",
        f"Pointer  = 0x{pointer:08X}",
        "State    = UP",
        f"Flags    = {'DECR' if inbound else 'ENCR'}+ESP",
        f"SA   = 0x{stable_int(handle, spi) & 0x0FFFFFFF:08X}",
        f"SPI  = 0x{spi:08X}",
        "Group    = 0",
        f"Pkts     = {packets}",
        "Bad Pkts = 0",
        "Bad SPI  = 0",
        "Spoof    = 0",
        "Bad Crypto = 0",
        "Rekey Pkt  = 0",
        "Rekey Call = 0",
        "VPN Filter = <none>",
        "",
    ]


def show_asp_vpn_context_detail(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show asp table vpn-context detail``: one decrypt and one encrypt context per
    established SA pair (layout of the public ntc-templates sample; Group 0 and the
    zero error counters are [E] for a site-to-site SA without NAT-T)."""
    lines: list[str] = []
    for t in ctx.tunnels():
        for sa in (s for s in t.ipsec if s.has_sa):
            lines += _context(t.peer, 0x01000000 + sa.conn_id_in * 16, True, sa.spi_in, sa.decaps)
            lines += _context(
                t.peer, 0x01000000 + sa.conn_id_out * 16, False, sa.spi_out, sa.encaps
            )
    return "\n".join(lines)


VARIANTS: dict[str, Renderer] = {
    "show asp drop": show_asp_drop,
    "show asp table vpn-context detail": show_asp_vpn_context_detail,
    "show route <ip:addr>": routes.asa_show_route,
}
