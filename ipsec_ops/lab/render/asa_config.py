"""ASA / PIX 7 configuration views: running-config, access lists, version, spelling.

Shared by :mod:`ipsec_ops.lab.render.asa` (state views) and
:mod:`ipsec_ops.lab.render.pix6`. Configuration values are stored in IOS
spelling ("aes 256", "esp-aes 256"); ASA and PIX print their own ("aes-256",
"esp-aes-256"). Secrets are never printed: keys and passwords show as ``*****``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from ipsec_ops.lab import syslog
from ipsec_ops.lab.config import AclLine, Device, IkePolicy, MapEntry, TransformSet
from ipsec_ops.lab.engine import stable_int
from ipsec_ops.lab.render.base import RenderContext, acl_operand, mask
from ipsec_ops.platforms import family

ASA_DEFAULT_SA_SECONDS = 28800  # ASA prints "set security-association lifetime" only when not this
DEFAULT_SA_KB = 4608000
MASKED = "*****"


@dataclass(frozen=True)
class Style:
    """What differs between the ASA-code families (8.2 and PIX 7 vs 8.4+/9.x)."""

    family: str
    nine: bool  # 8.4+ CLI: "ikev1" keyword, IKEv2, 9.x counters and layouts
    pix: bool  # PIX 7 logs %PIX- and prints its own show version

    @property
    def ikev1(self) -> str:
        return "ikev1" if self.nine else "isakmp"

    @property
    def tag(self) -> str:
        return "PIX" if self.pix else "ASA"


def style_of(family_name: str) -> Style:
    """The CLI style of an ASA-code family, read from the platform table.

    >>> style_of("asa9").ikev1, style_of("asa8.2").ikev1, style_of("pix7").tag
    ('ikev1', 'isakmp', 'PIX')
    """
    fam = family(family_name)
    return Style(family_name, nine=fam.ikev2, pix=fam.platform == "cisco_pix")


# -- spelling ---------------------------------------------------------------------


def dashed(value: str) -> str:
    """ASA spelling of an IOS cipher or transform: the key size joins with a dash.

    >>> dashed("aes 256"), dashed("esp-aes 256"), dashed("esp-sha-hmac")
    ('aes-256', 'esp-aes-256', 'esp-sha-hmac')
    """
    return "-".join(value.split())


def esp_cipher(ts: TransformSet | None) -> str:
    """The ESP encryption transform of a set, IOS spelling ("esp-aes 256")."""
    if ts is None:
        return "esp-aes 256"
    return next((t for t in ts.transforms if not t.endswith("-hmac")), "esp-null")


def esp_hmac(ts: TransformSet | None) -> str:
    """The ESP integrity transform of a set ("esp-sha-hmac", "esp-none" when absent)."""
    if ts is None:
        return "esp-sha-hmac"
    return next((t for t in ts.transforms if t.endswith("-hmac")), "esp-none")


def cipher_name(value: str) -> str:
    """Session-database name of a cipher (IKE policy or ESP transform).

    >>> cipher_name("aes 256"), cipher_name("esp-aes"), cipher_name("esp-3des")
    ('AES256', 'AES128', '3DES')
    """
    words = value.removeprefix("esp-").split()
    if words[0] == "aes":
        return "AES" + (words[1] if len(words) > 1 else "128")
    return words[0].upper()


def hash_name(value: str) -> str:
    """Session-database name of a hash (IKE ``sha`` or ESP ``esp-sha-hmac``).

    >>> hash_name("sha"), hash_name("esp-md5-hmac"), hash_name("sha256")
    ('SHA1', 'MD5', 'SHA256')
    """
    base = value.removeprefix("esp-").removesuffix("-hmac")
    return "SHA1" if base == "sha" else base.upper()


def iv_bytes(cipher: str) -> int:
    """IV length of an ESP cipher: 16 for AES, 8 for DES/3DES."""
    return 16 if "aes" in cipher else 8


def auth_words(policy: IkePolicy) -> tuple[str, str]:
    """(``show crypto isakmp sa detail`` word, session-database word) of the auth method."""
    if policy.auth == "pre-share":
        return "preshared", "preSharedKeys"
    return "rsa", "Certificate"


# -- identity ---------------------------------------------------------------------

_HARDWARE = {
    "ASA5516": "ASA5516, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)",
    "ASA5510": "ASA5510, 256 MB RAM, CPU Pentium 4 Celeron 1600 MHz",
    "ASA5520": "ASA5520, 512 MB RAM, CPU Pentium 4 Celeron 2000 MHz",
    "PIX-515E": "PIX-515E, 128 MB RAM, CPU Pentium II 433 MHz",
    "PIX-506E": "PIX-506E, 32 MB RAM, CPU Pentium II 300 MHz",
}


def hardware(device: Device) -> str:
    model = device.model or "ASA5520"
    return _HARDWARE.get(model, f"{model}, 2048 MB RAM, CPU Pentium 4 2000 MHz")


def serial_number(device: Device, numeric: bool = False) -> str:
    """The device's serial, or a stable made-up one (PIX serials are digits)."""
    if device.serial:
        return device.serial
    n = stable_int(device.name, "serial")
    if numeric:
        return f"80{n % 10_000_000:07d}"
    letters = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ"[(n >> (5 * i)) % 24] for i in range(3))
    return f"JAD{n % 10_000:04d}{letters}{n % 10}"


def mac_address(device: Device, index: int) -> str:
    n = stable_int(device.name, "mac") & 0xFFFFFF
    return f"00a3.{(n >> 8) & 0xFFFF:04x}.{(n + index) & 0xFF:02x}{index:02x}"


def uptime_words(seconds: int) -> str:
    """ASA/PIX ``show version`` uptime: the two largest units.

    >>> uptime_words(12 * 86400 + 5 * 3600 + 60), uptime_words(3725), uptime_words(61)
    ('12 days 5 hours', '1 hour 2 mins', '1 min 1 sec')
    """
    seconds = max(0, int(seconds))
    parts: list[str] = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "min"), (1, "sec")):
        count, seconds = divmod(seconds, size)
        if count or parts:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) if parts else "0 secs"


def clock_words(at: float) -> str:
    """ASA long time stamp: ``09:32:03.000 UTC Mon Aug 2 2004``."""
    t = time.gmtime(at)
    day = f"{time.strftime('%a %b', t)} {t.tm_mday} {t.tm_year}"
    return f"{time.strftime('%H:%M:%S', t)}.000 UTC {day}"


def _versions(version: str) -> tuple[int, int]:
    major, _, rest = version.partition(".")
    minor = "".join(c for c in rest.split("(")[0] if c.isdigit())
    return int(major or 9), int(minor or 0)


def show_version(style: Style, ctx: RenderContext) -> str:
    """``show version`` of an ASA or a PIX 7 (lines the public ASA template knows)."""
    dev = ctx.device
    major, minor = _versions(dev.version)
    digits = "".join(c for c in dev.version if c.isdigit())
    if style.pix:
        banner = f"Cisco PIX Security Appliance Software Version {dev.version}"
        image = f"flash:/pix{digits}.bin"
    else:
        banner = f"Cisco Adaptive Security Appliance Software Version {dev.version}"
        image = f"disk0:/asa{digits}-k8.bin" if major < 9 else f"disk0:/asa{digits}-lfbff-k8.SPA"
    lines = [
        "",
        f"{banner} ",
        f"Device Manager Version {max(1, major - 2)}.{minor}(1)",
        "",
        f"Compiled on Wed 01-Jun-{ {7: 8, 8: 11}.get(major, 6 + minor):02d} 12:00 PDT by builders",
        f'System image file is "{image}"',
        'Config file at boot was "startup-config"',
        "",
        f"{dev.hostname} up {uptime_words(ctx.uptime_s)}",
    ]
    if dev.failover_prompt:
        lines.append(f"failover cluster up {uptime_words(ctx.uptime_s)}")
    lines += ["", f"Hardware:   {hardware(dev)}"]
    if not style.pix:
        lines.append(
            "Internal ATA Compact Flash, 8192MB"
            if major >= 9
            else "Internal ATA Compact Flash, 256MB"
        )
    lines += ["BIOS Flash M25P64 @ 0xffbb0000, 16384KB", ""]
    for n, intf in enumerate(dev.interfaces):
        lines.append(f" {n}: Ext: {intf.name:<20}: address is {mac_address(dev, n)}, irq {10 + n}")
    failover = "Active/Standby" if dev.failover_prompt else "Disabled"
    lines += [
        "",
        "Licensed features for this platform:",
        "Maximum Physical Interfaces       : Unlimited      perpetual",
        "Maximum VLANs                     : 100            perpetual",
        "Inside Hosts                      : Unlimited      perpetual",
        f"Failover                          : {failover:<15}perpetual",
        "VPN-DES                           : Enabled        perpetual",
        "VPN-3DES-AES                      : Enabled        perpetual",
        "Security Contexts                 : 2              perpetual",
        "GTP/GPRS                          : Disabled       perpetual",
        "Other VPN Peers                   : 250            perpetual",
        "Total VPN Peers                   : 250            perpetual",
        "",
        "This platform has an Unrestricted (UR) license."
        if style.pix
        else "This platform has an ASA Security Plus license.",
        "",
        f"Serial Number: {serial_number(dev, numeric=style.pix)}",
        f"Running Permanent Activation Key: 0x{stable_int(dev.name, 'key') & 0xFFFFFFFF:08x} ",
        "Configuration register is 0x1",
        f"Configuration last modified by enable_15 at {clock_words(ctx.now - ctx.uptime_s + 120)}",
    ]
    return "\n".join(lines)


# -- access lists -----------------------------------------------------------------


def acl_text(line: AclLine) -> str:
    """``permit ip A MASK B MASK`` as ASA and PIX print an ACE."""
    return (
        f"{line.action} {line.protocol} {acl_operand(line.src, wildcard=False)} "
        f"{acl_operand(line.dst, wildcard=False)}"
    )


def acl_config(entries: Iterable[MapEntry], extended: bool) -> list[str]:
    """Config lines of the crypto ACLs, each preceded by the entry's description as remark."""
    lines = []
    for entry in entries:
        if entry.description:
            lines.append(f"access-list {entry.acl_name} remark {entry.description}")
        kind = "extended " if extended else ""
        lines += [f"access-list {entry.acl_name} {kind}{acl_text(a)} " for a in entry.acl]
    return lines


def acl_hash(*parts: object) -> str:
    return f"0x{stable_int('acl', *parts) & 0xFFFFFFFF:08x}"


def show_access_list(ctx: RenderContext, name: str, extended: bool, hashes: bool) -> str:
    """``show access-list [NAME]`` with hit counts from the tunnel views."""
    tunnels = [t for t in ctx.tunnels() if not name or t.entry.acl_name == name]
    if name and not tunnels:
        return f"ERROR: access-list <{name}> does not exist"
    lines = [
        "access-list cached ACL log flows: total 0, denied 0 (deny-flow-max 4096)",
        "            alert-interval 300",
    ]
    kind = "extended " if extended else ""
    for t in tunnels:
        acl = t.entry.acl_name
        head = f"access-list {acl}; {len(t.acl)} elements"
        lines.append(head + (f"; name hash: {acl_hash(acl)}" if hashes else ""))
        n = 1
        if t.entry.description:
            lines.append(f"access-list {acl} line 1 remark {t.entry.description}")
            n = 2
        for i, (ace, hits) in enumerate(zip(t.acl, t.acl_hits, strict=False)):
            tail = f" {acl_hash(acl, i)}" if hashes else ""
            lines.append(
                f"access-list {acl} line {n + i} {kind}{acl_text(ace)} (hitcnt={hits}){tail}"
            )
    return "\n".join(lines)


# -- running-config ---------------------------------------------------------------


def nameif(device: Device, entry: MapEntry) -> str:
    intf = device.interface(entry.interface)
    return (intf.nameif or intf.name) if intf else entry.interface


def _map_names(device: Device) -> list[str]:
    return list(dict.fromkeys(e.map_name for e in device.map_entries))


def _map_lines(style: Style, device: Device) -> list[str]:
    lines = []
    for entry in device.map_entries:
        head = f"crypto map {entry.map_name} {entry.seq}"
        lines.append(f"{head} match address {entry.acl_name}")
        if entry.pfs_group:
            lines.append(f"{head} set pfs group{entry.pfs_group}")
        lines.append(f"{head} set peer {entry.peer} ")
        if not style.nine:
            lines.append(f"{head} set transform-set {entry.transform_set}")
        elif entry.ike_version == 2:
            lines.append(f"{head} set ikev2 ipsec-proposal {entry.transform_set}")
        else:
            lines.append(f"{head} set ikev1 transform-set {entry.transform_set}")
        if entry.sa_lifetime_s != ASA_DEFAULT_SA_SECONDS:
            lines.append(f"{head} set security-association lifetime seconds {entry.sa_lifetime_s}")
        if entry.sa_lifetime_kb != DEFAULT_SA_KB:
            lines.append(
                f"{head} set security-association lifetime kilobytes {entry.sa_lifetime_kb}"
            )
    for name in _map_names(device):
        first = next(e for e in device.map_entries if e.map_name == name)
        lines.append(f"crypto map {name} interface {nameif(device, first)}")
    return lines


def _ipsec_lines(style: Style, device: Device) -> list[str]:
    v2_sets = {e.transform_set for e in device.map_entries if e.ike_version == 2}
    keyword = "crypto ipsec ikev1 transform-set" if style.nine else "crypto ipsec transform-set"
    lines = [
        f"{keyword} {ts.name} {' '.join(dashed(t) for t in ts.transforms)} "
        for ts in device.transform_sets
    ]
    for ts in device.transform_sets:
        if style.nine and ts.name in v2_sets:
            integrity = hash_name(esp_hmac(ts)).lower().replace("sha", "sha-")
            lines += [
                f"crypto ipsec ikev2 ipsec-proposal {ts.name}",
                f" protocol esp encryption {dashed(esp_cipher(ts).removeprefix('esp-'))}",
                f" protocol esp integrity {integrity}",
            ]
    if style.nine:
        lines.append("crypto ipsec security-association pmtu-aging infinite")
    return lines


def _policy_lines(style: Style, device: Device, version: int) -> list[str]:
    outside = list(dict.fromkeys(nameif(device, e) for e in device.map_entries))
    keyword = ("ikev2" if version == 2 else "ikev1") if style.nine else "isakmp"
    lines = [f"crypto {keyword} enable {name}" for name in outside]
    for p in sorted(device.ike_policies, key=lambda p: p.priority):
        lines.append(f"crypto {keyword} policy {p.priority}")
        if version == 2:
            lines += [
                f" encryption {dashed(p.encryption)}",
                f" integrity {p.hash}",
                f" group {p.group}",
                f" prf {p.hash}",
                f" lifetime seconds {p.lifetime}",
            ]
        else:
            lines += [
                f" authentication {p.auth}",
                f" encryption {dashed(p.encryption)}",
                f" hash {p.hash}",
                f" group {p.group}",
                f" lifetime {p.lifetime}",
            ]
    return lines


CRYPTO_SECTIONS = ("map", "ipsec", "ikev1", "ikev2", "isakmp")


def crypto_config(style: Style, device: Device, section: str = "") -> list[str]:
    """``show running-config crypto [map | ipsec | ikev1 | ikev2 | isakmp]`` lines."""
    parts: dict[str, list[str]] = {
        "ipsec": _ipsec_lines(style, device),
        "map": _map_lines(style, device),
        style.ikev1: _policy_lines(style, device, 1),
    }
    if style.nine and any(e.ike_version == 2 for e in device.map_entries):
        parts["ikev2"] = _policy_lines(style, device, 2)
    if section:
        return parts.get(section, [])
    return [line for lines in parts.values() for line in lines]


def tunnel_group_config(style: Style, device: Device) -> list[str]:
    """``show running-config tunnel-group``: one L2L group per peer, keys masked."""
    lines = []
    for peer in dict.fromkeys(e.peer for e in device.map_entries):
        entry = next(e for e in device.map_entries if e.peer == peer)
        lines += [f"tunnel-group {peer} type ipsec-l2l", f"tunnel-group {peer} ipsec-attributes"]
        if not entry.psk:
            continue
        if not style.nine:
            lines.append(f" pre-shared-key {MASKED}")
        elif entry.ike_version == 2:
            lines += [
                f" ikev2 remote-authentication pre-shared-key {MASKED}",
                f" ikev2 local-authentication pre-shared-key {MASKED}",
            ]
        else:
            lines.append(f" ikev1 pre-shared-key {MASKED}")
    return lines


def _interface_lines(device: Device) -> list[str]:
    lines = []
    for intf in device.interfaces:
        lines.append(f"interface {intf.name}")
        if intf.description:
            lines.append(f" description {intf.description}")
        lines += [
            f" nameif {intf.nameif or intf.name.lower()}",
            f" security-level {intf.security_level}",
            f" ip address {intf.address} {mask(intf.prefixlen)} ",
            "!",
        ]
    return lines


def _gateway(device: Device) -> str:
    outside = next((i for i in device.interfaces if i.crypto_map), device.interfaces[0])
    network = int(outside.address) & ~((1 << (32 - outside.prefixlen)) - 1)
    return str(type(outside.address)(network + (1 << (32 - outside.prefixlen)) - 2))


def running_config(style: Style, ctx: RenderContext) -> str:
    """The whole ``show running-config``: passwords and keys masked."""
    dev = ctx.device
    major, _ = _versions(dev.version)
    hashed = "pbkdf2" if style.nine else "encrypted"
    product = "PIX" if style.pix else "ASA"
    lines = [
        ": Saved",
        ":",
        f": Serial Number: {serial_number(dev, numeric=style.pix)}",
        f": Hardware:   {hardware(dev)}",
        ":",
        f"{product} Version {dev.version} ",
        "!",
        f"hostname {dev.hostname}",
        f"enable password {MASKED} {hashed}",
    ]
    if not style.nine:
        lines.append(f"passwd {MASKED} encrypted")
    lines += ["names", "!", *_interface_lines(dev)]
    lines += ["ftp mode passive", *acl_config(dev.map_entries, extended=True)]
    lines += [
        "pager lines 24",
        "logging enable",
        "logging timestamp",
        "logging buffered informational",
        *syslog.asa_config_lines(ctx.state.log_off),
    ]
    lines += [f"mtu {i.nameif or i.name.lower()} 1500" for i in dev.interfaces]
    if dev.failover_prompt:
        unit = "secondary" if dev.failover_prompt.startswith("sec") else "primary"
        lines += ["failover", f"failover lan unit {unit}"]
    lines += [
        "icmp unreachable rate-limit 1 burst-size 1",
        "arp timeout 14400",
        f"route {nameif(dev, dev.map_entries[0]) if dev.map_entries else 'outside'} "
        f"0.0.0.0 0.0.0.0 {_gateway(dev)} 1",
        "timeout xlate 3:00:00",
        "aaa authentication ssh console LOCAL",
        "sysopt connection permit-vpn" if major >= 8 else "sysopt connection permit-ipsec",
        *crypto_config(style, dev),
        "telnet timeout 5",
        "ssh timeout 5",
        "console timeout 0",
    ]
    lines += [f"username {u.username} password {MASKED} {hashed} privilege 15" for u in dev.users]
    lines += tunnel_group_config(style, dev)
    lines.append("!")
    if dev.failover_prompt:
        lines.append("prompt hostname priority state")
    lines += [
        f"Cryptochecksum:{stable_int(dev.name, 'config'):016x}{stable_int(dev.hostname):016x}",
        ": end",
    ]
    return "\n".join(lines)
