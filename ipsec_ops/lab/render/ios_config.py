"""IOS / IOS-XE renderers of the configuration-side commands, and helpers ios.py shares.

``show running-config``, ``show crypto map``, ``show access-lists``, ``show ip route
<addr>``, ``show version``, ``show logging``, ``show debugging`` and ``show crypto
debug-condition``. Secrets never appear: type 6 / type 9 strings are derived from
public names only (hostname, peer, username), never from the secret, so they can
neither leak a key nor tell whether two ends hold the same one.

Format facts without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time

from ipsec_ops.lab import ezvpn, syslog
from ipsec_ops.lab.config import Device, IkePolicy, Interface, MapEntry, TransformSet
from ipsec_ops.lab.render.base import RenderContext, acl_operand, mask, syslog_time

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


# -- show running-config ------------------------------------------------------------


def _isakmp_policy(p: IkePolicy) -> list[str]:
    # IOS hides defaults: "hash sha" and "lifetime 86400" are not printed [E].
    lines = [f"crypto isakmp policy {p.priority}", f" encr {p.encryption}"]
    lines += [f" hash {p.hash}"] if p.hash != "sha" else []
    lines += [f" authentication {p.auth}", f" group {p.group}"]
    lines += [f" lifetime {p.lifetime}"] if p.lifetime != 86400 else []
    return [*lines, "!"]


def ikev2_encryption(policy: IkePolicy) -> str:
    """IKEv2 proposal keyword for an IOS ISAKMP encryption.

    >>> ikev2_encryption(IkePolicy(1, "aes 256")), ikev2_encryption(IkePolicy(1, "3des"))
    ('aes-cbc-256', '3des')
    """
    name, _, size = policy.encryption.partition(" ")
    return f"aes-cbc-{size or '128'}" if name == "aes" else name


def _ikev2_blocks(device: Device, v2: list[MapEntry]) -> list[str]:
    lines: list[str] = []
    for p in device.ike_policies:
        integrity = "sha1" if p.hash == "sha" else p.hash
        lines += [f"crypto ikev2 proposal PROP-{p.priority} ", f" encryption {ikev2_encryption(p)}"]
        lines += [f" integrity {integrity}", f" group {p.group}", "!"]
    lines.append("crypto ikev2 policy IKEV2-POLICY ")
    lines += [f" proposal PROP-{p.priority}" for p in device.ike_policies]
    lines += ["!", f"crypto ikev2 keyring {IKEV2_KEYRING}"]
    for e in v2:
        secret = type6(f"{device.hostname}|ikev2|{e.peer}|{e.seq}")
        lines += [f" peer PEER-{e.seq}", f"  address {e.peer}", f"  pre-shared-key 6 {secret}"]
        lines.append(" !")
    lines += ["!", "!", f"crypto ikev2 profile {IKEV2_PROFILE}"]
    lines += [f" match identity remote address {e.peer} 255.255.255.255 " for e in v2]
    lines += [" authentication remote pre-share", " authentication local pre-share"]
    return [*lines, f" keyring local {IKEV2_KEYRING}", " dpd 10 2 on-demand", "!"]


def _map_entry_config(e: MapEntry) -> list[str]:
    lines = [f"crypto map {e.map_name} {e.seq} ipsec-isakmp "]
    lines += [f" description {e.description}"] if e.description else []
    lines += [f" set peer {e.peer}", f" set transform-set {e.transform_set} "]
    if e.sa_lifetime_s != 3600:
        lines.append(f" set security-association lifetime seconds {e.sa_lifetime_s}")
    if e.sa_lifetime_kb != 4608000:
        lines.append(f" set security-association lifetime kilobytes {e.sa_lifetime_kb}")
    lines += [f" set pfs group{e.pfs_group}"] if e.pfs_group is not None else []
    lines += [f" set ikev2-profile {IKEV2_PROFILE}"] if e.ike_version == 2 else []
    return [*lines, f" match address {e.acl_name}"]


def _crypto_config(device: Device) -> list[str]:
    v1 = [e for e in device.map_entries if e.ike_version == 1]
    v2 = [e for e in device.map_entries if e.ike_version == 2]
    lines = _ikev2_blocks(device, v2) if v2 else []
    if v1 or not v2:
        for p in sorted(device.ike_policies, key=lambda p: p.priority):
            lines += _isakmp_policy(p)
        for e in v1:
            secret = type6(f"{device.hostname}|isakmp|{e.peer}|{e.seq}")
            lines.append(f"crypto isakmp key 6 {secret} address {e.peer}")
        lines.append("crypto isakmp keepalive 10")  # the "D" capability of the SAs
    lines.append("!")
    for ts in device.transform_sets:
        lines += [f"crypto ipsec transform-set {ts.name} {' '.join(ts.transforms)} "]
        lines += [f" mode {ts.mode}", "!"]
    for e in device.map_entries:
        lines += _map_entry_config(e)
    return lines


def _interface_config(ctx: RenderContext, intf: Interface) -> list[str]:
    lines = [f"interface {intf.name}"]
    lines += [f" description {intf.description}"] if intf.description else []
    lines.append(f" ip address {intf.address} {mask(intf.prefixlen)}")
    lines += [" negotiation auto"] if is_xe(ctx) else [" duplex auto", " speed auto"]
    lines += [f" crypto map {intf.crypto_map}"] if intf.crypto_map else []
    return [*lines, "!"]


_CONFIG_HEAD = """\
!
! Last configuration change at {changed} by {who}
!
version {version}
service timestamps debug datetime msec
service timestamps log datetime msec
service password-encryption
!
hostname {hostname}
!
boot-start-marker
boot-end-marker
!
!
logging buffered {buffer} informational
enable secret 9 {enable}
!
no aaa new-model
!
ip cef
no ipv6 cef
!
password encryption aes"""


def _head(ctx: RenderContext) -> list[str]:
    dev = ctx.device
    text = _CONFIG_HEAD.format(
        changed=time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(ctx.state.boot_time)),
        who=dev.users[0].username if dev.users else "admin",
        version=short_version(dev.version),
        hostname=dev.hostname,
        buffer=LOG_BUFFER_BYTES,
        enable=type9(dev.hostname + "|enable"),
    )
    lines = [*text.splitlines(), *syslog.ios_config_lines(ctx.state.log_off)]
    lines.append("!")
    for user in dev.users:
        secret = type9(f"{dev.hostname}|user|{user.username}")
        lines.append(f"username {user.username} privilege 15 secret 9 {secret}")
    return [*lines, "!"]


def _tail(device: Device) -> list[str]:
    gw = gateway(device)
    lines = ["ip forward-protocol nd", "no ip http server", "no ip http secure-server", "!"]
    lines += [f"ip route 0.0.0.0 0.0.0.0 {gw}"] if gw is not None else []
    lines += ["ip ssh version 2", "!"]
    for e in unique_acls(device):
        lines.append(f"ip access-list extended {e.acl_name}")
        lines += [f" {acl_line_text(e, i)}" for i in range(len(e.acl))]
    lines += ["!", "!", "line con 0", " logging synchronous", "line vty 0 4"]
    return [*lines, " login local", " transport input ssh", "!", "end"]


def show_running_config(ctx: RenderContext, args: dict[str, str]) -> str:
    body = _head(ctx) + _crypto_config(ctx.device) + ["!"]
    for intf in ctx.device.interfaces:
        body += _interface_config(ctx, intf)
    text = "\n".join(body + _tail(ctx.device))
    return f"Building configuration...\n\nCurrent configuration : {len(text) + 1} bytes\n{text}"


# -- show crypto map ----------------------------------------------------------------


def _map_entry_block(ctx: RenderContext, e: MapEntry) -> list[str]:
    ipv4 = "" if is_124(ctx) else "IPv4 "
    lines = [f'Crypto Map {ipv4}"{e.map_name}" {e.seq} ipsec-isakmp']
    lines += [f"\tDescription: {e.description}"] if e.description else []
    lines.append(f"\tPeer = {e.peer}")
    lines += [f"\tIKEv2 Profile: {IKEV2_PROFILE}"] if e.ike_version == 2 else []
    lines.append(f"\tExtended IP access list {e.acl_name}")
    lines += [f"\t    access-list {e.acl_name} {acl_line_text(e, i)}" for i in range(len(e.acl))]
    lines.append(f"\tCurrent peer: {e.peer}")
    life = f"{e.sa_lifetime_kb} kilobytes/{e.sa_lifetime_s} seconds"
    lines.append(f"\tSecurity association lifetime: {life}")
    lines += [] if is_124(ctx) else ["\tResponder-Only (Y/N): N"]
    lines.append(f"\tPFS (Y/N): {'N' if e.pfs_group is None else 'Y'}")
    lines += [f"\tDH group:  group{e.pfs_group}"] if e.pfs_group is not None else []
    lines += [] if is_124(ctx) else ["\tMixed-mode : Disabled"]
    words = transform_words(ctx.device.transform_set(e.transform_set))
    return [*lines, "\tTransform sets={ ", f"\t\t{e.transform_set}:  {{ {words}  }} , ", "\t}"]


def show_crypto_map(ctx: RenderContext, args: dict[str, str]) -> str:
    out: list[str] = []
    names = dict.fromkeys(e.map_name for e in ctx.device.map_entries)
    for name in names:
        entries = [e for e in ctx.device.map_entries if e.map_name == name]
        for e in sorted(entries, key=lambda e: e.seq):
            out += [*_map_entry_block(ctx, e), ""]
        # [E] the interface list follows the map's last entry, one name per line
        out.append(f"\tInterfaces using crypto map {name}:")
        out += [f"\t\t{i.name}" for i in ctx.device.interfaces if i.crypto_map == name]
        out.append("")
    return "\n".join(out)


# -- show access-lists / show ip route ----------------------------------------------


def show_access_lists(ctx: RenderContext, args: dict[str, str]) -> str:
    wanted = args.get("name")
    hits = {t.entry.acl_name: t.acl_hits for t in ctx.tunnels()}
    out: list[str] = []
    for e in unique_acls(ctx.device):
        if wanted is not None and e.acl_name != wanted:
            continue
        out.append(f"Extended IP access list {e.acl_name}")
        counts = hits.get(e.acl_name, ())
        for i in range(len(e.acl)):
            n = counts[i] if i < len(counts) else 0
            matches = f" ({n} matches)" if n else ""  # IOS omits a zero count
            out.append(f"    {10 * (i + 1)} {acl_line_text(e, i)}{matches}")
    return "\n".join(out)


def _route_entry(prefix: str, known: str, block: str) -> str:
    return (
        f"Routing entry for {prefix}\n  Known via {known}\n  Routing Descriptor Blocks:\n"
        f"  * {block}\n      Route metric is 0, traffic share count is 1"
    )


def show_ip_route_addr(ctx: RenderContext, args: dict[str, str]) -> str:
    addr = ipaddress.IPv4Address(args["addr"])
    for intf in ctx.device.interfaces:
        net = ipaddress.IPv4Network(f"{intf.address}/{intf.prefixlen}", strict=False)
        via = f"directly connected, via {intf.name}"
        if addr == intf.address and not is_124(ctx):  # 15.0+ installs local /32 routes [E]
            return _route_entry(f"{addr}/32", '"connected", distance 0, metric 0 (connected)', via)
        if addr in net:
            known = '"connected", distance 0, metric 0 (connected, via interface)'
            return _route_entry(str(net), known, via)
    gw = gateway(ctx.device)
    if gw is None:
        return "% Network not in table"
    known = '"static", distance 1, metric 0, candidate default path'
    return _route_entry("0.0.0.0/0, supernet", known, str(gw))


# -- show version -------------------------------------------------------------------

_XE_TRAINS = {"16.9": "Fuji", "16.12": "Gibraltar", "17.3": "Amsterdam", "17.6": "Bengaluru"}

_CLASSIC_VERSION = """\
Cisco IOS Software, {series} Software ({series}-UNIVERSALK9-M), Version {version}, \
RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2019 by Cisco Systems, Inc.
Compiled Fri 09-Aug-19 06:07 by prod_rel_team

ROM: System Bootstrap, Version 15.0(1r)M16, RELEASE SOFTWARE (fc1)

{hostname} uptime is {uptime}
System returned to ROM by power-on
System image file is "flash0:{image}"
Last reload type: Normal Reload
Last reload reason: power-on

{notice}
{cisco} {model} (revision 1.0) with 483328K/40960K bytes of memory.
Processor board ID {serial}
{ports} Gigabit Ethernet interfaces
1 terminal line
1 Virtual Private Network (VPN) Module
DRAM configuration is 64 bits wide with parity enabled.
255K bytes of non-volatile configuration memory.
250880K bytes of ATA System CompactFlash 0 (Read/Write)

Configuration register is 0x2102"""

_XE_VERSION = """\
Cisco IOS XE Software, Version {long}
Cisco IOS Software [{train}], {pkg} Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), \
Version {version}, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:44 by mcpre


ROM: 17.3(1r)

{hostname} uptime is {uptime}
Uptime for this control processor is {uptime}
System returned to ROM by Reload Command
System image file is "bootflash:{pkg}-universalk9.{long}.SPA.bin"
Last reload reason: Reload Command

{notice}
cisco {model} (1RU) processor with 3747220K/6147K bytes of memory.
Processor board ID {serial}
Router operating mode: Autonomous
{ports} Gigabit Ethernet interfaces
32768K bytes of non-volatile configuration memory.
8388608K bytes of physical memory.
6201343K bytes of flash memory at bootflash:.

Configuration register is 0x2102"""

_CRYPTO_NOTICE = """\
This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
"""


def xe_long_version(version: str) -> str:
    """IOS-XE package version: minor and rebuild on two digits.

    >>> xe_long_version("17.9.4a"), xe_long_version("16.12.10")
    ('17.09.04a', '16.12.10')
    """
    major, *rest = version.split(".")
    return ".".join([major, *(re.sub(r"^(\d+)", lambda m: m[1].zfill(2), p) for p in rest)])


def ios_image(version: str, series: str) -> str:
    """Classic IOS image file name for a version.

    >>> ios_image("15.5(3)M10", "C2900")
    'c2900-universalk9-mz.SPA.155-3.M10.bin'
    """
    major, _, rest = version.replace(".", "", 1).partition("(")
    rebuild, _, train = rest.partition(")")
    return f"{series.lower()}-universalk9-mz.SPA.{major}-{rebuild}.{train}.bin"


def uptime_words(seconds: int) -> str:
    """``show version`` uptime, from the first non-zero unit down to minutes.

    >>> uptime_words(12 * 86400 + 5 * 3600 + 180)
    '1 week, 5 days, 5 hours, 3 minutes'
    >>> uptime_words(3660)
    '1 hour, 1 minute'
    """
    units = (("year", 31536000), ("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60))
    parts: list[str] = []
    rest = max(0, seconds)
    for name, size in units:
        n, rest = divmod(rest, size)
        if n or parts or name == "minute":
            parts.append(f"{n} {name}{'' if n == 1 else 's'}")
    return ", ".join(parts)


def show_version(ctx: RenderContext, args: dict[str, str]) -> str:
    dev = ctx.device
    serial = dev.serial or "FGL" + fake_text(dev.hostname + "|serial", 8, "0123456789ABCDEFGHJK")
    common = {
        "version": dev.version,
        "hostname": dev.hostname,
        "uptime": uptime_words(ctx.uptime_s),
        "notice": _CRYPTO_NOTICE,
        "serial": serial,
        "ports": len(dev.interfaces),
    }
    if is_xe(ctx):
        model = dev.model or "C8200-1N-4T"
        train = _XE_TRAINS.get(short_version(dev.version), "Cupertino")
        pkg = "c8000be" if model.startswith("C8") else "isr4300"
        long = xe_long_version(dev.version)
        return _XE_VERSION.format(long=long, train=train, pkg=pkg, model=model, **common)
    model = dev.model or "CISCO2921/K9"
    series = "C" + (model[5:7] if model.startswith("CISCO") else "29") + "00"
    cisco = "cisco" if is_124(ctx) else "Cisco"  # 12.x printed the vendor lower-case [E]
    image = ios_image(dev.version, series)
    return _CLASSIC_VERSION.format(series=series, image=image, cisco=cisco, model=model, **common)


# -- show logging -------------------------------------------------------------------

_LOGGING_HEAD = """\
Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, \
0 overruns, xml disabled, filtering disabled)

No Active Message Discriminator.



No Inactive Message Discriminator.


    Console logging: disabled
    Monitor logging: level debugging, 0 messages logged, xml disabled,
                     filtering disabled
    Buffer logging:  level informational, {n} messages logged, xml disabled,
                    filtering disabled
    Exception Logging: size (4096 bytes)
    Count and timestamp logging messages: disabled
    Persistent logging: disabled

No active filter modules.

    Trap logging: level informational, {n} message lines logged
        Logging Source-Interface:       VRF Name:

Log Buffer ({size} bytes):
"""


def log_line(
    ctx: RenderContext, kind: str, peer: str, version: int, at: float | None = None
) -> str | None:
    """One syslog message (no timestamp) for a lab event, or None where IOS stays silent.

    ``at``: when it happened; SESSION_STATUS is written only if ``crypto logging session``
    was on then (:mod:`ipsec_ops.lab.syslog`).

    [E] SESSION_STATUS needs ``crypto logging session``; IKEv2 sessions log
    ``%CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is UP`` (reference 3I, C70).
    IOS does not syslog retransmissions ("no_answer"), and IKEv2 negotiation
    failures only show in debugs, so those print nothing [E].
    """
    if kind in ("up", "down"):
        if not syslog.is_on(ctx.state.log_off, "session", ctx.now if at is None else at):
            return None
        tag, v2 = ("IKEV2_SESSION_STATUS", "v2 ") if version == 2 else ("SESSION_STATUS", "")
        state = kind.upper()
        return f"%CRYPTO-5-{tag}: Crypto tunnel {v2}is {state}  .  Peer {peer}:500       Id: {peer}"
    if version == 2:
        return None
    if kind == "p1_auth":
        why = "failed its sanity check or is malformed"
        return f"%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from {peer} {why}"
    mode = {"p1_policy": "Main", "p2_transform": "Quick", "p2_proxy": "Quick"}.get(kind)
    if mode is None:
        return None
    return f"%CRYPTO-6-IKMP_MODE_FAILURE: Processing of {mode} mode failed with peer at {peer}"


def show_logging(ctx: RenderContext, args: dict[str, str]) -> str:
    lines: list[str] = []
    clients = ezvpn.events(ctx.device, ctx.engine.start, ctx.now)
    for ev in sorted([*ctx.events(), *clients], key=lambda e: e.at):
        if ev.map_name == "" and ev.detail:  # an Easy VPN client (ipsec_ops.lab.ezvpn)
            texts = ezvpn.log_lines(ctx, ev)
        else:
            text = log_line(ctx, ev.kind, str(ev.peer), ev.ike_version, ev.at)
            texts = [text] if text is not None else []
        lines += [f"{syslog_time(ev.at)}: {text}" for text in texts]
    head = _LOGGING_HEAD.format(n=len(lines), size=LOG_BUFFER_BYTES)
    return "\n".join([*head.splitlines(), "", *lines])


# -- show debugging / show crypto debug-condition -----------------------------------

_DEBUG_NAMES = {
    "crypto isakmp": "Crypto ISAKMP debugging is on",
    "crypto ipsec": "Crypto IPSEC debugging is on",
    "crypto ikev2": "Crypto IKEv2 debugging is on",
    "crypto engine": "Crypto Engine debugging is on",
}
_ACRONYMS = {"pki", "ipsec", "isakmp", "ike", "ca", "gdoi", "ha"}


def debug_line(name: str) -> str:
    """``show debugging`` wording of one enabled debug [E].

    >>> debug_line("debug crypto isakmp"), debug_line("crypto pki transactions")
    ('Crypto ISAKMP debugging is on', 'Crypto PKI Transactions debugging is on')
    """
    key = " ".join(name.lower().split()).removeprefix("debug ")
    if key in _DEBUG_NAMES:
        return _DEBUG_NAMES[key]
    words = key.removeprefix("crypto ").split()
    pretty = " ".join(w.upper() if w in _ACRONYMS else w.title() for w in words)
    return f"Crypto {pretty} debugging is on"


def show_debugging(ctx: RenderContext, args: dict[str, str]) -> str:
    # With nothing enabled IOS prints only the empty line the shell ends every output with.
    debugs = sorted(ctx.state.debugs)
    if not debugs:
        return ""
    return "\n".join(["Cryptographic Subsystem:", *(f"  {debug_line(d)}" for d in debugs)])


# Heading of each filter kind (the condition's leading keywords, as stored by
# ipsec_ops.lab.debug_cli) [E].
_FILTER_HEADINGS = (
    ("peer ipv4", "IKE peer IP address"),
    ("peer subnet", "IKE peer subnet"),
    ("peer hostname", "IKE peer hostname"),
    ("peer group", "IKE peer group"),
    ("local ipv4", "IKE local IP address"),
    ("fvrf", "Front VRF"),
    ("ivrf", "Inside VRF"),
    ("isakmp profile", "ISAKMP profile"),
    ("username", "Username"),
    ("connid", "Connection-id"),
    ("spi", "SPI"),
)


def condition_lines(conditions: list[str]) -> list[str]:
    """Conditions grouped under IOS-like headings, values of one kind on one line [E].

    >>> condition_lines(["peer ipv4 198.51.100.2", "spi 256"])
    ['', 'IKE peer IP address filters:', '198.51.100.2 ', '', 'SPI filters:', '256 ']
    >>> condition_lines(["peer subnet 10.0.0.0 255.0.0.0", "connid 1001 engine-id 1"])[1:3]
    ['IKE peer subnet filters:', '10.0.0.0/255.0.0.0 ']
    """
    lines: list[str] = []
    for prefix, heading in _FILTER_HEADINGS:
        values = [
            "/".join(c.removeprefix(prefix).split()).replace("/engine-id/", ":")
            for c in conditions
            if c.startswith(prefix + " ")
        ]
        if values:
            lines += ["", f"{heading} filters:", " ".join(values) + " "]
    return lines


def show_crypto_debug_condition(ctx: RenderContext, args: dict[str, str]) -> str:
    conditions = list(ctx.state.debug_conditions)
    filters = [c for c in conditions if not c.startswith("unmatched ")]

    def flag(kind: str) -> str:
        return "ON" if f"unmatched {kind}" in conditions else "OFF"

    lines = [
        f"Crypto conditional debug currently is turned {'ON' if filters else 'OFF'}",
        f"IKE debug context unmatched flag:{flag('isakmp')}",
        f"IPsec debug context unmatched flag:{flag('ipsec')}",
        f"Crypto Engine debug context unmatched flag:{flag('engine')}",
    ]
    return "\n".join(lines + condition_lines(filters))
