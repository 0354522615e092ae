"""How each family arms, shows and resets crypto debugs, clears one peer's SAs, and turns
crypto logging on: the action side of the platform table (:mod:`ipsec_ops.platforms`
puts these into each :class:`~ipsec_ops.platforms.Family`). Data, with the reference
section each row comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class DebugSyntax:
    """How a family arms, shows and resets crypto debugs (reference sections 4.1-4.3)."""

    kinds: dict[str, str]  # kind -> command that turns it on
    off_prefix: str  # "no " + the on command turns one off
    show: str  # what lists the debugs that are on
    all_off: str
    condition_peer: str | None  # None: no conditional debug on this family
    condition_show: str | None
    condition_reset: str | None
    condition_kinds: dict[str, str] = field(default_factory=dict)  # other condition types
    monitor_on: str | None = None  # IOS: debug output reaches a vty only with this
    monitor_off: str | None = None
    unmatched: str | None = None
    # ASA 9.x `debug crypto condition error` [E]: the IKE debugs print their error lines
    # only. A condition (cleared by condition_reset, listed by condition_show), so the
    # reset and its verification are the conditions' own. None: refused.
    errors_only: str | None = None


@dataclass(frozen=True)
class ClearSyntax:
    """Peer-scoped clears of a family (reference section 4.4); None where the family has none.

    Placeholders: {peer}, {conn_id}. A phase the family cannot clear for one peer only
    (PIX 6 phase 1 is `clear crypto isakmp sa`, every peer) is None: refused, never global.
    """

    both: str | None
    phase1: str | None
    phase1_ikev2: str | None
    phase2: str | None
    confirm: str | None = None  # a prompt the command asks, answered with Enter


IOS_CLEAR = ClearSyntax(
    both="clear crypto session remote {peer}",
    phase1="clear crypto isakmp {conn_id}",
    phase1_ikev2="clear crypto ikev2 sa remote {peer}",
    phase2="clear crypto sa peer {peer}",
)
ASA9_CLEAR = ClearSyntax(
    both="vpn-sessiondb logoff ipaddress {peer}",
    phase1="clear crypto ikev1 sa {peer}",
    phase1_ikev2="clear crypto ikev2 sa {peer}",
    phase2="clear crypto ipsec sa peer {peer}",
    confirm="[confirm]",
)
# ASA 7.x-8.3: per-peer IKE clears vary by release [E]; logoff ends both phases for one peer.
ASA82_CLEAR = ClearSyntax(
    both="vpn-sessiondb logoff ipaddress {peer}",
    phase1=None,
    phase1_ikev2=None,
    phase2="clear crypto ipsec sa peer {peer}",
    confirm="[confirm]",
)
PIX6_CLEAR = ClearSyntax(
    both=None, phase1=None, phase1_ikev2=None, phase2="clear crypto ipsec sa peer {peer}"
)


IOS_DEBUG = DebugSyntax(
    kinds={
        "isakmp": "debug crypto isakmp",
        "isakmp error": "debug crypto isakmp error",
        "isakmp ha": "debug crypto isakmp ha",
        "ipsec": "debug crypto ipsec",
        "ipsec error": "debug crypto ipsec error",
        "routing": "debug crypto routing",
        "ha": "debug crypto ha",
        "engine": "debug crypto engine",
        "engine error": "debug crypto engine error",
        "engine packet": "debug crypto engine packet",
        "ikev2": "debug crypto ikev2",
        # IKEv2 sub-debugs (reference 4.1 [E]): packet dumps, internal events, errors only.
        "ikev2 packet": "debug crypto ikev2 packet",
        "ikev2 internal": "debug crypto ikev2 internal",
        "ikev2 error": "debug crypto ikev2 error",
    },
    off_prefix="no ",
    show="show debugging",
    all_off="undebug all",
    condition_peer="debug crypto condition peer ipv4 {value}",
    condition_show="show crypto debug-condition",
    condition_reset="debug crypto condition reset",
    condition_kinds={
        "fvrf": "debug crypto condition fvrf {value}",
        "ivrf": "debug crypto condition ivrf {value}",
        "isakmp profile": "debug crypto condition isakmp profile {value}",
        "local ipv4": "debug crypto condition local ipv4 {value}",
        "peer group": "debug crypto condition peer group {value}",
        "peer subnet": "debug crypto condition peer subnet {value}",
        "peer hostname": "debug crypto condition peer hostname {value}",
        "username": "debug crypto condition username {value}",
        "connid": "debug crypto condition connid {value}",
        "spi": "debug crypto condition spi {value}",
    },
    monitor_on="terminal monitor",
    monitor_off="terminal no monitor",
    unmatched="debug crypto condition unmatched {value}",
)
# IOS 12.4 has no IKEv2 (it came with 15.1(1)T [E]): no `debug crypto ikev2 ...` either.
IOS124_DEBUG = replace(
    IOS_DEBUG, kinds={k: v for k, v in IOS_DEBUG.kinds.items() if not k.startswith("ikev2")}
)
# ASA 8.4+ IKEv2 (reference 4.1, D S3): `ikev2` arms the protocol debug (as it always did);
# `ikev2 protocol` names it explicitly and `ikev2 platform` arms the platform debug.
ASA9_DEBUG = DebugSyntax(
    kinds={
        "isakmp": "debug crypto ikev1 127",
        "ipsec": "debug crypto ipsec 127",
        "ikev2": "debug crypto ikev2 protocol 127",
        "ikev2 protocol": "debug crypto ikev2 protocol 127",
        "ikev2 platform": "debug crypto ikev2 platform 127",
    },
    off_prefix="no ",
    show="show debug",
    all_off="undebug all",
    condition_peer="debug crypto condition peer {value}",
    condition_show="show crypto debug-condition",
    condition_reset="debug crypto condition reset",
    condition_kinds={
        "peer subnet": "debug crypto condition subnet {value}",
        "username": "debug crypto condition user {value}",
        "peer group": "debug crypto condition group {value}",
        "spi": "debug crypto condition spi {value}",
    },
    errors_only="debug crypto condition error",
)
ASA82_DEBUG = DebugSyntax(
    kinds={"isakmp": "debug crypto isakmp 127", "ipsec": "debug crypto ipsec 127"},
    off_prefix="no ",
    show="show debug",
    all_off="undebug all",
    condition_peer=None,
    condition_show=None,
    condition_reset=None,
)
PIX6_DEBUG = DebugSyntax(
    kinds={"isakmp": "debug crypto isakmp", "ipsec": "debug crypto ipsec"},
    off_prefix="no ",
    show="show debug",
    all_off="undebug all",
    condition_peer=None,
    condition_show=None,
    condition_reset=None,
    monitor_on="terminal monitor",
    monitor_off="terminal no monitor",
)


@dataclass(frozen=True)
class LoggingFeature:
    """One crypto logging feature: the lines that turn it on and off, and since which release.

    A release has it when its major.minor is ``all_from`` or later, or when it is of the
    ``first`` release's major.minor and train with at least that rebuild (``12.3(14)T``:
    12.3(14)T and later 12.3T rebuilds, not 12.3 mainline).
    """

    on: tuple[str, ...]
    off: tuple[str, ...]
    present: tuple[str, ...]  # regexes over the config read back: all match when on
    absent: tuple[str, ...] = ()  # and none of these
    first: str | None = None  # None: every release of the family
    all_from: tuple[int, int] = (0, 0)
    logs: tuple[str, ...] = ()  # the messages it writes (reference 3I)


@dataclass(frozen=True)
class LoggingSyntax:
    """How a family configures crypto logging and how the result is read back."""

    show: str
    features: dict[str, LoggingFeature]


IOS_LOGGING = LoggingSyntax(
    show="show running-config | include crypto logging",
    features={
        # Reference 3I C70 [E]: SESSION_STATUS needs `crypto logging session`; the feature came
        # with IOS 12.3(14)T and is in every release built on it (12.4 on) [E].
        "session": LoggingFeature(
            on=("crypto logging session",),
            off=("no crypto logging session",),
            present=(r"^crypto logging session\s*$",),
            first="12.3(14)T",
            all_from=(12, 4),
            logs=("%CRYPTO-5-SESSION_STATUS", "%CRYPTO-5-IKEV2_SESSION_STATUS"),
        ),
        # `crypto logging ezvpn`: 12.4(4)T; 12.4 mainline lacks it, 15.0 on has it [E].
        "ezvpn": LoggingFeature(
            on=("crypto logging ezvpn",),
            off=("no crypto logging ezvpn",),
            present=(r"^crypto logging ezvpn\s*$",),
            first="12.4(4)T",
            all_from=(15, 0),
            logs=("%CRYPTO-6-EZVPN_CONNECTION_UP", "%CRYPTO-6-EZVPN_CONNECTION_DOWN"),
        ),
    },
)
# ASA / PIX 7: tunnel up/down are ordinary syslog ids (reference 3I C72-C79, S5 [D]); they
# reach the buffer with `logging enable` and a buffered level that includes them (602303/
# 602304 are level 6, so informational); `no logging message N` silences one id [E].
ASA_TUNNEL_MESSAGES = (
    "713119",
    "713120",
    "713049",
    "713050",
    "602303",
    "602304",
    "113019",
    "750006",
)
ASA_LOGGING = LoggingSyntax(
    show="show running-config | include logging",
    features={
        "session": LoggingFeature(
            on=(
                "logging enable",
                "logging buffered informational",
                *(f"logging message {n}" for n in ASA_TUNNEL_MESSAGES),
            ),
            off=tuple(f"no logging message {n}" for n in ASA_TUNNEL_MESSAGES),
            present=(
                r"^logging enable\s*$",
                r"^logging buffered (?:informational|debugging|[67])\s*$",
            ),
            absent=tuple(rf"^no logging message {n}\s*$" for n in ASA_TUNNEL_MESSAGES),
            logs=tuple(f"%ASA-x-{n}" for n in ASA_TUNNEL_MESSAGES),
        )
    },
)


def release_key(version: str) -> tuple[int, int, int, str]:
    """(major, minor, rebuild, train) of a Cisco release string.

    >>> release_key("12.3(14)T"), release_key("12.4(24)T8"), release_key("15.5(3)M10")
    ((12, 3, 14, 'T'), (12, 4, 24, 'T'), (15, 5, 3, 'M'))
    >>> release_key("12.2(33)SXH"), release_key("17.9.4a"), release_key("12.4(25)")
    ((12, 2, 33, 'SXH'), (17, 9, 4, ''), (12, 4, 25, ''))
    """
    m = re.match(r"(\d+)\.(\d+)(?:\((\d+)[a-z]?\)([A-Z]*)|\.(\d+))?", version.strip())
    if not m:
        return (0, 0, 0, "")
    rebuild = m.group(3) or m.group(5) or "0"
    return (int(m.group(1)), int(m.group(2)), int(rebuild), m.group(4) or "")


def has_logging_feature(feature: LoggingFeature, version: str) -> bool:
    """Whether a release has a crypto logging feature (see :class:`LoggingFeature`).

    >>> f = IOS_LOGGING.features["session"]
    >>> [has_logging_feature(f, v) for v in ("12.3(14)T", "12.3(11)T", "12.4(25)", "12.2(33)SXH")]
    [True, False, True, False]
    >>> e = IOS_LOGGING.features["ezvpn"]
    >>> [has_logging_feature(e, v) for v in ("12.4(4)T", "12.4(25)", "15.5(3)M10", "17.9.4a")]
    [True, False, True, True]
    """
    if feature.first is None:
        return True
    major, minor, rebuild, train = release_key(version)
    if (major, minor) >= feature.all_from:
        return True
    f_major, f_minor, f_rebuild, f_train = release_key(feature.first)
    return (major, minor, train) == (f_major, f_minor, f_train) and rebuild >= f_rebuild
