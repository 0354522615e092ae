"""IOS / IOS-XE show commands of reference section 4.6 that only some families answer.

``show crypto session brief``, ``show crypto ikev2 session [detailed]`` (families with
IKEv2), ``show crypto isakmp policy`` and ``show crypto ipsec transform-set``. They are
offered through :data:`VARIANTS`; :func:`ipsec_ops.lab.render.variants.extend` adds one
to a family's grammar only where the family's ``show_variants`` data lists it, so a
release without it answers invalid input.

Layouts: the IKEv2 session block follows the ``show crypto ikev2 sa`` layout plus the
session and child SA lines of Cisco's IOS IKEv2 technote (reference S4, S36); the policy
and transform-set listings the IOS 12.4 / 15 form. Column widths, the brief status
codes and the default suite texts are [E].
"""

from __future__ import annotations

import ipaddress
import re

from ipsec_ops.lab import ezvpn
from ipsec_ops.lab.config import IkePolicy, TransformSet
from ipsec_ops.lab.render.base import RenderContext, Renderer, duration
from ipsec_ops.lab.render.ios_common import transform_words
from ipsec_ops.lab.render.ios_names import ikev2_algorithms, session_id
from ipsec_ops.lab.render.ios_sa import ikev2_detail
from ipsec_ops.lab.views import IkeView, TunnelView

# -- show crypto session brief --------------------------------------------------------

# Session status -> the brief form's code [E]: first letter Up/Down, then the sub-state.
BRIEF_CODES = {
    "UP-ACTIVE": "UA",
    "UP-IDLE": "UI",
    "UP-NO-IKE": "UK",
    "UP-NEGOTIATING": "UN",
    "DOWN-NEGOTIATING": "DN",
    "DOWN": "D",
}
_BRIEF_HEAD = (
    "Status: A- Active, U - Up, D - Down, I - Idle, S - Standby, N - Negotiating ",
    "        K - No IKE",
    "ivrf = (none)",
    " Peer            I/F          Username        Group/Phase1_id          Uptime   Status",
)


def short_interface(name: str) -> str:
    """The abbreviated interface name of the brief form [E].

    >>> short_interface("GigabitEthernet0/0"), short_interface("Virtual-Access2")
    ('Gi0/0', 'Vi2')
    """
    m = re.fullmatch(r"([A-Za-z-]+)(\S*)", name)
    return f"{m.group(1)[:2]}{m.group(2)}" if m else name


def _brief_row(peer: object, intf: str, user: str, group: str, up: int | None, code: str) -> str:
    uptime = duration(up) if up is not None else "00:00:00"
    return f"{peer!s:<17}{short_interface(intf):<13}{user:<16}{group:<25}{uptime:<9}{code}"


def show_crypto_session_brief(ctx: RenderContext, args: dict[str, str]) -> str:
    """One line per session: site-to-site peers, then connected Easy VPN clients."""
    rows = []
    for t in ctx.tunnels():
        phase1 = str(t.peer) if t.ike is not None and t.ike.established else ""
        code = BRIEF_CODES.get(t.session_status, "D")
        rows.append(_brief_row(t.peer, t.entry.interface, "", phase1, t.uptime_s, code))
    if ctx.device.ezvpn_clients:
        for s in ezvpn.sessions(ctx.device, ctx.engine.start, ctx.now):
            if s.up:
                c = s.client
                up = int(ctx.now - s.since)
                rows.append(_brief_row(c.public, s.interface, c.username, c.group, up, "UA"))
    return "\n".join([*_BRIEF_HEAD, *rows, ""])


# -- show crypto ikev2 session [detailed] ---------------------------------------------


def _selector(net: ipaddress.IPv4Network) -> str:
    return f"{net.network_address}/0 - {net.broadcast_address}/65535"


def esp_names(ts: TransformSet | None) -> tuple[str, str]:
    """The child SA ``Encr:`` and ``esp_hmac:`` words of a transform set.

    >>> esp_names(TransformSet("T")), esp_names(TransformSet("T", ("esp-3des", "esp-md5-hmac")))
    (('AES-CBC, keysize: 256', 'SHA96'), ('3DES', 'MD596'))
    """
    transforms = ts.transforms if ts else ()
    cipher = next((x for x in transforms if not x.endswith("-hmac")), "esp-aes")
    hmac = next((x for x in transforms if x.endswith("-hmac")), "esp-sha-hmac")
    name, _, size = cipher.removeprefix("esp-").partition(" ")
    encr = f"AES-CBC, keysize: {size or '128'}" if name == "aes" else name.upper()
    digest = hmac.removeprefix("esp-").removesuffix("-hmac")
    return encr, {"sha": "SHA96", "md5": "MD596"}.get(digest, digest.upper())


def _child_lines(t: TunnelView, detailed: bool) -> list[str]:
    lines = []
    for sa in (s for s in t.ipsec if s.has_sa):
        lines += [
            f"Child sa: local selector  {_selector(sa.local_net)}",
            f"          remote selector {_selector(sa.remote_net)}",
            f"          ESP spi in/out: 0x{sa.spi_in:X}/0x{sa.spi_out:X}  ",
        ]
        if detailed:
            encr, hmac = esp_names(sa.transform)
            lines += [
                "          AH spi in/out: 0x0/0x0  ",
                "          CPI in/out: 0x0/0x0  ",
                f"          Encr: {encr}, esp_hmac: {hmac}",
                "          ah_hmac: None, comp: IPCOMP_NONE, mode tunnel",
            ]
    return lines


def _ikev2_session(ctx: RenderContext, detailed: bool) -> str:
    out = [" IPv4 Crypto IKEv2 Session ", ""]
    rows = [(i, t, t.ike) for i, t in enumerate(ctx.tunnels()) if t.ike and t.ike.version == 2]
    for n, (i, t, ike) in enumerate(rows, start=1):
        sid = session_id(t, i)
        children = sum(1 for s in t.ipsec if s.has_sa)
        out += [
            f"Session-id:{sid}, Status:{t.session_status}, IKE count:1, CHILD count:{children}",
            "",
            "Tunnel-id Local                 Remote                fvrf/ivrf            Status ",
            *_tunnel_lines(ctx, n, t, ike, sid, detailed),
            *_child_lines(t, detailed),
            "",
        ]
    return "\n".join([*out, " IPv6 Crypto IKEv2 Session ", ""])


def _tunnel_lines(
    ctx: RenderContext, n: int, t: TunnelView, ike: IkeView, sid: int, detailed: bool
) -> list[str]:
    local, remote = f"{t.local}/500", f"{t.peer}/500"
    life = ike.policy.lifetime if ike.policy else 86400
    lines = [
        f"{n:<10}{local:<22}{remote:<22}{'none/none':<21}{ike.state:<7}",
        f"      {ikev2_algorithms(ike.policy, ike.established)}",
        f"      Life/Active Time: {life}/{ike.age_s} sec",
    ]
    return lines + (ikev2_detail(ctx, t, ike, sid) if detailed else [])


def show_crypto_ikev2_session(ctx: RenderContext, args: dict[str, str]) -> str:
    return _ikev2_session(ctx, detailed=False)


def show_crypto_ikev2_session_detailed(ctx: RenderContext, args: dict[str, str]) -> str:
    return _ikev2_session(ctx, detailed=True)


# -- show crypto isakmp policy / show crypto ipsec transform-set ------------------------

_ENCRYPTION = {
    "des": "DES - Data Encryption Standard (56 bit keys).",
    "3des": "Three key triple DES",
    "aes": "AES - Advanced Encryption Standard (128 bit keys).",
    "aes 192": "AES - Advanced Encryption Standard (192 bit keys).",
    "aes 256": "AES - Advanced Encryption Standard (256 bit keys).",
}
_HASH = {
    "sha": "Secure Hash Standard",
    "md5": "Message Digest 5",
    "sha256": "Secure Hash Standard 2 (256 bit)",
    "sha384": "Secure Hash Standard 2 (384 bit)",
    "sha512": "Secure Hash Standard 2 (512 bit)",
}
_AUTH = {"pre-share": "Pre-Shared Key", "rsa-sig": "Rivest-Shamir-Adleman Signature"}
DH_BITS = {
    1: "768 bit",
    2: "1024 bit",
    5: "1536 bit",
    14: "2048 bit",
    15: "3072 bit",
    16: "4096 bit",
    19: "256 bit ecp",
    20: "384 bit ecp",
    24: "2048 bit, 256 bit subgroup",
}
DEFAULT_SUITE = IkePolicy(65535, encryption="des", hash="sha", group=1, auth="rsa-sig")


def suite_lines(policy: IkePolicy) -> list[str]:
    """The five attribute lines of one protection suite (IOS 12.x-15 and PIX 6 layout [E])."""
    return [
        f"\tencryption algorithm:\t{_ENCRYPTION.get(policy.encryption, policy.encryption)}",
        f"\thash algorithm:\t\t{_HASH.get(policy.hash, policy.hash)}",
        f"\tauthentication method:\t{_AUTH.get(policy.auth, policy.auth)}",
        f"\tDiffie-Hellman group:\t#{policy.group} ({DH_BITS.get(policy.group, 'unknown')})",
        f"\tlifetime:\t\t{policy.lifetime} seconds, no volume limit",
    ]


def show_crypto_isakmp_policy(ctx: RenderContext, args: dict[str, str]) -> str:
    """The configured ISAKMP policies by priority, then the default suite [E]."""
    out = ["Global IKE policy"]
    for p in sorted(ctx.device.ike_policies, key=lambda p: p.priority):
        out += [f"Protection suite of priority {p.priority}", *suite_lines(p)]
    return "\n".join([*out, "Default protection suite", *suite_lines(DEFAULT_SUITE)])


def _transform_set(ts: TransformSet) -> list[str]:
    mode = "Transport" if ts.mode == "transport" else "Tunnel"
    return [
        f"Transform set {ts.name}: {{ {transform_words(ts)}  }} ",
        f"   will negotiate = {{ {mode},  }}, ",
        "",
    ]


def show_crypto_ipsec_transform_set(ctx: RenderContext, args: dict[str, str]) -> str:
    """Every configured transform set, in configuration order."""
    return "\n".join(line for ts in ctx.device.transform_sets for line in _transform_set(ts))


VARIANTS: dict[str, Renderer] = {
    "show crypto session brief": show_crypto_session_brief,
    "show crypto ikev2 session": show_crypto_ikev2_session,
    "show crypto ikev2 session detailed": show_crypto_ikev2_session_detailed,
    "show crypto isakmp policy": show_crypto_isakmp_policy,
    "show crypto ipsec transform-set": show_crypto_ipsec_transform_set,
}
