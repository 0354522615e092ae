"""Helpers shared by the IOS / IOS-XE renderers of the lab: family tests, transform and
ACL spellings, the default gateway, and filler text for secrets.

Secrets never appear: type 6 / type 9 strings are derived from public names only
(hostname, peer, username), never from the secret, so they can neither leak a key nor
tell whether two ends hold the same one.

Format facts without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

import hashlib
import ipaddress

from ipsec_ops.lab.config import Device, MapEntry, TransformSet
from ipsec_ops.lab.render.base import RenderContext, acl_operand

IKEV2_PROFILE = "IKEV2-PROFILE"
IKEV2_KEYRING = "IKEV2-KEYRING"
LOG_BUFFER_BYTES = 51200
_TYPE9_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TYPE6_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefgh"  # [E] type 6 text stays in 'A'..'h'


# -- shared helpers -----------------------------------------------------------------


def is_xe(ctx: RenderContext) -> bool:
    return ctx.device.family.startswith("xe")


def is_124(ctx: RenderContext) -> bool:
    return ctx.device.family == "ios12.4"


def fake_text(seed: str, length: int, alphabet: str) -> str:
    """Deterministic filler text from a public seed (never from a secret).

    >>> fake_text("a", 5, "01") == fake_text("a", 5, "01"), len(fake_text("a", 40, "xyz"))
    (True, 40)
    """
    out: list[str] = []
    counter = 0
    while len(out) < length:
        digest = hashlib.blake2b(f"{seed}|{counter}".encode(), digest_size=32).digest()
        out.extend(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return "".join(out[:length])


def type9(seed: str) -> str:
    """A scrypt-looking ``$9$salt$hash`` string, derived from a public seed.

    >>> s = type9("HQ-RTR|enable"); s.startswith("$9$"), len(s)
    (True, 61)
    """
    return f"$9${fake_text(seed + '|salt', 14, _TYPE9_CHARS)}${fake_text(seed, 43, _TYPE9_CHARS)}"


def type6(seed: str) -> str:
    """An AES-obfuscated (type 6) looking string, derived from a public seed.

    >>> s = type6("HQ-RTR|198.51.100.3"); s.endswith("AAB"), len(s)
    (True, 35)
    """
    return fake_text(seed, 32, _TYPE6_CHARS) + "AAB"


def ios_transform(transform: str) -> str:
    """The SA / crypto-map spelling of a configured transform (key size moves to the front).

    >>> ios_transform("esp-aes 256"), ios_transform("esp-aes"), ios_transform("esp-sha-hmac")
    ('esp-256-aes', 'esp-aes', 'esp-sha-hmac')
    """
    name, _, size = transform.partition(" ")
    return f"esp-{size}-{name[4:]}" if size and name.startswith("esp-") else name


def transform_words(ts: TransformSet | None) -> str:
    """``esp-256-aes esp-sha-hmac`` for a transform set (empty when unknown)."""
    return " ".join(ios_transform(t) for t in ts.transforms) if ts else ""


def iv_size(ts: TransformSet | None) -> int:
    """ESP IV bytes: 16 for AES, 8 for (3)DES.

    >>> iv_size(TransformSet("T", ("esp-3des", "esp-md5-hmac")))
    8
    """
    des = ts and any(t.startswith(("esp-3des", "esp-des")) for t in ts.transforms)
    return 8 if des else 16


def acl_line_text(entry: MapEntry, index: int) -> str:
    """``permit ip A WILD B WILD`` for one crypto ACL line."""
    line = entry.acl[index]
    src, dst = acl_operand(line.src, True), acl_operand(line.dst, True)
    return f"{line.action} {line.protocol} {src} {dst}"


def unique_acls(device: Device) -> list[MapEntry]:
    """One map entry per crypto ACL name, in configuration order."""
    seen: dict[str, MapEntry] = {}
    for e in device.map_entries:
        seen.setdefault(e.acl_name, e)
    return list(seen.values())


def gateway(device: Device) -> ipaddress.IPv4Address | None:
    """Default gateway: the top host of the first crypto-map interface's subnet.

    Documentation ranges give no real gateway, so the lab picks .254 (.253 when
    the router itself holds .254).
    """
    outside = next((i for i in device.interfaces if i.crypto_map), None)
    if outside is None:
        return None
    net = ipaddress.IPv4Network(f"{outside.address}/{outside.prefixlen}", strict=False)
    top = net.broadcast_address - 1
    return top - 1 if top == outside.address else top


def short_version(version: str) -> str:
    """``version`` line of the config: major.minor.

    >>> short_version("15.5(3)M10"), short_version("17.9.4a"), short_version("12.4(24)T8")
    ('15.5', '17.9', '12.4')
    """
    major, minor = version.replace("(", ".").split(".")[:2]
    return f"{major}.{minor}"
