"""IOS / IOS-XE renderers of the device-status commands: ``show version``, ``show
logging``, ``show debugging`` and ``show crypto debug-condition``.

Format facts without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

import re

from ipsec_ops.lab import ezvpn, syslog
from ipsec_ops.lab.render.base import RenderContext, syslog_time
from ipsec_ops.lab.render.ios_common import (
    LOG_BUFFER_BYTES,
    fake_text,
    is_124,
    is_xe,
    short_version,
)

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
    "crypto ikev2 packet": "Crypto IKEv2 packet debugging is on",  # [E] wording
    "crypto ikev2 internal": "Crypto IKEv2 internal debugging is on",  # [E]
    "crypto ikev2 error": "Crypto IKEv2 error debugging is on",  # [E]
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
