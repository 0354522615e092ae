"""Platform facts: one table of data, read by the transport, the collector and the lab.

A *platform* is what the inventory names (``cisco_ios``, ``cisco_xe``,
``cisco_asa``, ``cisco_pix``); a *family* is a platform at a version range whose
CLI differs (ASA 8.4+ says `ikev1` where 8.2 says `isakmp`; PIX 6.3
is reached over telnet and has no IKEv2). Code asks this table; it never
branches on a platform name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

PLATFORMS = ("cisco_ios", "cisco_xe", "cisco_asa", "cisco_pix")


@dataclass(frozen=True)
class Family:
    """What one platform family does at the CLI and what it can do for us."""

    name: str
    platform: str
    netmiko_type: str
    transport: str  # "ssh" or "telnet"
    paging_off: str
    # How the device marks a command it rejected (regexes over the output).
    error_markers: tuple[str, ...]
    invalid_input: str  # the line printed under the caret
    more_prompt: str
    prompt_space: bool  # ASA/PIX prompts end with "# " (trailing space)
    ikev2: bool
    # IKEv1 keyword in show/clear commands: "isakmp" everywhere but ASA 8.4+ ("ikev1").
    ikev1_keyword: str
    example_version: str
    # Commands the collection runs (reference section 4.6); the lab renders each.
    show_commands: tuple[str, ...] = field(default_factory=tuple)
    # Read-only show variants (filters, VRF, detail) the family has, in the lab grammar's
    # syntax (`[a | b]` optional, `<ip:peer>` a parameter): `ipsec-ops show` allows these
    # and show_commands; the lab answers these and rejects the rest as the device would.
    show_variants: tuple[str, ...] = ()
    # Output modifiers after `|` that only filter what a show prints (read-only). IOS and
    # ASA/PIX 7 [D]; PIX 6.3 is given none: no reference or sample shows it has them.
    output_filters: tuple[str, ...] = ()
    # Whose TextFSM templates read its output: IOS-XE prints as IOS, PIX 7 runs ASA code.
    template_platform: str = "cisco_ios"
    # Sent after enable when netmiko's driver does not do it (PIX 6: no `terminal length`).
    after_enable: tuple[str, ...] = ()
    # Which IKEv1 state table the family prints (knowledge/states.yaml) and which
    # message family its logs belong to (knowledge/messages.yaml `platforms`).
    ike_state_table: str = "ikev1_ios"
    log_group: str = "ios"
    # The commands an engineer runs next, named for the findings' next steps.
    check_commands: dict[str, str] = field(default_factory=dict)
    debug: DebugSyntax | None = None
    clear: ClearSyntax | None = None
    logging: LoggingSyntax | None = None  # crypto logging of tunnel up/down (None: refused)

    @property
    def conditional_debug(self) -> bool:
        """Whether debugs can be limited to one peer (ASA 8.2 and PIX 6 cannot [E])."""
        return self.debug is not None and self.debug.condition_peer is not None


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


_IOS_CLEAR = ClearSyntax(
    both="clear crypto session remote {peer}",
    phase1="clear crypto isakmp {conn_id}",
    phase1_ikev2="clear crypto ikev2 sa remote {peer}",
    phase2="clear crypto sa peer {peer}",
)
_ASA9_CLEAR = ClearSyntax(
    both="vpn-sessiondb logoff ipaddress {peer}",
    phase1="clear crypto ikev1 sa {peer}",
    phase1_ikev2="clear crypto ikev2 sa {peer}",
    phase2="clear crypto ipsec sa peer {peer}",
    confirm="[confirm]",
)
# ASA 7.x-8.3: per-peer IKE clears vary by release [E]; logoff ends both phases for one peer.
_ASA82_CLEAR = ClearSyntax(
    both="vpn-sessiondb logoff ipaddress {peer}",
    phase1=None,
    phase1_ikev2=None,
    phase2="clear crypto ipsec sa peer {peer}",
    confirm="[confirm]",
)
_PIX6_CLEAR = ClearSyntax(
    both=None, phase1=None, phase1_ikev2=None, phase2="clear crypto ipsec sa peer {peer}"
)


_IOS_DEBUG = DebugSyntax(
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
_IOS124_DEBUG = replace(
    _IOS_DEBUG, kinds={k: v for k, v in _IOS_DEBUG.kinds.items() if not k.startswith("ikev2")}
)
# ASA 8.4+ IKEv2 (reference 4.1, D S3): `ikev2` arms the protocol debug (as it always did);
# `ikev2 protocol` names it explicitly and `ikev2 platform` arms the platform debug.
_ASA9_DEBUG = DebugSyntax(
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
_ASA82_DEBUG = DebugSyntax(
    kinds={"isakmp": "debug crypto isakmp 127", "ipsec": "debug crypto ipsec 127"},
    off_prefix="no ",
    show="show debug",
    all_off="undebug all",
    condition_peer=None,
    condition_show=None,
    condition_reset=None,
)
_PIX6_DEBUG = DebugSyntax(
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


_IOS_LOGGING = LoggingSyntax(
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
_ASA_LOGGING = LoggingSyntax(
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

    >>> f = _IOS_LOGGING.features["session"]
    >>> [has_logging_feature(f, v) for v in ("12.3(14)T", "12.3(11)T", "12.4(25)", "12.2(33)SXH")]
    [True, False, True, False]
    >>> e = _IOS_LOGGING.features["ezvpn"]
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


_IOS_ERRORS = (
    r"^% Invalid input detected",
    r"^% Incomplete command",
    r"^% Ambiguous command",
    r"^% Unknown command",
)
_ASA_ERRORS = (r"^ERROR: ", r"^% Incomplete command", r"^% Ambiguous command")
_PIX6_ERRORS = (r"^Type help or '\?' for a list of available commands", r"^ERROR: ")

_IOS_SHOWS = (
    "show version",
    "show running-config | section crypto",
    "show crypto isakmp sa",
    "show crypto isakmp sa detail",
    "show crypto ipsec sa",
    "show crypto ipsec sa detail",
    "show crypto session detail",
    "show crypto map",
    "show access-lists",
    "show crypto engine connections active",
    "show crypto debug-condition",
    "show debugging",
    "show logging",
)
_XE_SHOWS = (*_IOS_SHOWS, "show crypto ikev2 sa detailed")

# IOS 12.4 / 15 / IOS-XE alike (VRF-aware IPsec and conditional debug predate 12.4) [E].
_IOS_VARIANTS = (
    "show crypto isakmp sa [vrf <word:vrf>] [detail]",
    "show crypto isakmp peers [<ip:peer>]",
    "show crypto ipsec sa [address | detail]",
    "show crypto ipsec sa peer <ip:peer> [detail]",
    "show crypto ipsec sa interface <word:interface> [detail]",
    "show crypto ipsec sa map <word:map> [detail]",
    "show crypto ipsec sa vrf <word:vrf> [detail]",
    "show crypto engine connections active",
    "show crypto debug-condition [all | peer | fvrf | ivrf | isakmp | username | connid | spi]",
    # Easy VPN server and VRF filters of the session table (issue 10; lab: lab/ezvpn.py).
    "show crypto session [fvrf <word:fvrf> | ivrf <word:ivrf> | group <word:group> "
    "| username <word:username>] [detail]",
    # Reference 4.6: one peer's session, the one-line-per-peer summary, and the configured
    # phase 1 policies and transform sets (`remote` since 12.3(4)T [D S13]; `brief` [E]).
    "show crypto session remote <ip:remote> [detail]",
    "show crypto session brief",
    "show crypto isakmp policy",
    "show crypto ipsec transform-set",
    # The next-step checks (check_commands): one crypto ACL's hit counts, the route to a peer.
    "show access-lists <word:name>",
    "show ip route <ip:addr>",
)
_IKEV2_VARIANTS = ("show crypto ikev2 sa [detailed]", "show crypto ikev2 session [detailed]")


def _asa_variants(ikev1: str, ikev2: bool) -> tuple[str, ...]:
    """ASA 7.x-9.x filters of `show crypto ipsec sa` (peer, map, detail; no interface
    filter [E]); `ikev1`/`ikev2` keywords and conditional debug from 8.4 on."""
    ike = (f"show crypto {ikev1} sa [detail]", "show crypto isakmp sa [detail]")
    nine = ("show crypto ikev2 sa [detail]", "show crypto debug-condition") if ikev2 else ()
    return (
        *dict.fromkeys(ike),
        "show isakmp sa [detail]",
        "show crypto ipsec sa [detail]",
        "show crypto ipsec sa peer <ip:peer> [detail]",
        "show crypto ipsec sa map <word:map> [detail]",
        "show ipsec sa [peer <ip:peer>]",
        *nine,
        # Reference 4.6: the session database (one peer with `filter ipaddress`) and the
        # accelerated security path (drops since 7.0(1) [D]; vpn-context on 7.x-9.x [E]).
        "show vpn-sessiondb [detail] l2l [filter ipaddress <ip:ipaddress>]",
        "show asp drop",
        "show asp table vpn-context detail",
        # The next-step checks (check_commands): one ACL's hit counts, the route to a peer.
        "show access-list <word:name>",
        "show route <ip:addr>",
    )


def _asa_shows(ikev1: str, ikev2: bool) -> tuple[str, ...]:
    """The ASA command set: 8.4+ says `ikev1` where older releases say `isakmp`; releases
    with IKEv2 also have crypto debug conditions."""
    ike = [f"show crypto {ikev1} sa detail"] + (["show crypto ikev2 sa detail"] if ikev2 else [])
    debug = ["show debug"] + (["show crypto debug-condition"] if ikev2 else [])
    return (
        "show version",
        "show running-config crypto",
        "show running-config tunnel-group",
        "show access-list",
        *ike,
        "show crypto ipsec sa",
        "show vpn-sessiondb detail l2l",
        *debug,
        "show logging",
    )


_PIX6_SHOWS = (
    "show version",
    "show crypto isakmp sa",
    "show crypto ipsec sa",
    "show crypto map",
    "show debug",
)
# The next-step checks of PIX 6.3 (_PIX6_CHECKS): its ISAKMP policies (`show isakmp policy`,
# no `crypto` keyword before 7.0 [E]), transform sets, one ACL, the routing table.
_PIX6_VARIANTS = (
    "show isakmp policy",
    "show crypto ipsec transform-set",
    "show access-list <word:name>",
    "show route",
)


_IOS_CHECKS = {
    "acl_hits": "show access-lists {acl}",
    "route_peer": "show ip route {peer}",
    "ike_sa": "show crypto isakmp sa | include {peer}",
    "policies": "show crypto isakmp policy",
    "ipsec_sa": "show crypto ipsec sa peer {peer}",
    "transform_sets": "show crypto ipsec transform-set",
    "crypto_map": "show crypto map",
}
_ASA_CHECKS = {
    "acl_hits": "show access-list {acl}",
    "route_peer": "show route {peer}",
    "ike_sa": "show crypto {ikev1} sa",
    "policies": "show running-config crypto {ikev1}",
    "ipsec_sa": "show crypto ipsec sa peer {peer}",
    "transform_sets": "show running-config crypto ipsec",
    "crypto_map": "show running-config crypto map",
}
_PIX6_CHECKS = {
    "acl_hits": "show access-list {acl}",
    "route_peer": "show route",
    "ike_sa": "show crypto isakmp sa",
    "policies": "show isakmp policy",
    "ipsec_sa": "show crypto ipsec sa",
    "transform_sets": "show crypto ipsec transform-set",
    "crypto_map": "show crypto map",
}


def _ios(name: str, platform: str, version: str, ikev2: bool) -> Family:
    return Family(
        name=name,
        platform=platform,
        netmiko_type=platform,
        transport="ssh",
        paging_off="terminal length 0",
        error_markers=_IOS_ERRORS,
        invalid_input="% Invalid input detected at '^' marker.",
        more_prompt=" --More-- ",
        prompt_space=False,
        ikev2=ikev2,
        ikev1_keyword="isakmp",
        example_version=version,
        show_commands=_XE_SHOWS if ikev2 else _IOS_SHOWS,
        show_variants=_IOS_VARIANTS + (_IKEV2_VARIANTS if ikev2 else ()),
        check_commands=_IOS_CHECKS,
        debug=_IOS_DEBUG if ikev2 else _IOS124_DEBUG,
        clear=_IOS_CLEAR,
        logging=_IOS_LOGGING,
        output_filters=("include", "exclude", "begin", "section"),
    )


def _asa(name: str, platform: str, version: str, ikev2: bool, keyword: str) -> Family:
    return Family(
        name=name,
        platform=platform,
        netmiko_type="cisco_asa",
        transport="ssh",
        paging_off="terminal pager 0",
        error_markers=_ASA_ERRORS,
        invalid_input="ERROR: % Invalid input detected at '^' marker.",
        more_prompt="<--- More --->",
        prompt_space=True,
        ikev2=ikev2,
        ikev1_keyword=keyword,
        example_version=version,
        show_commands=_asa_shows(keyword, ikev2),
        show_variants=_asa_variants(keyword, ikev2),
        ike_state_table="ikev1_asa",
        log_group="asa",
        check_commands={k: v.replace("{ikev1}", keyword) for k, v in _ASA_CHECKS.items()},
        debug=_ASA9_DEBUG if ikev2 else _ASA82_DEBUG,
        clear=_ASA9_CLEAR if keyword == "ikev1" else _ASA82_CLEAR,
        logging=_ASA_LOGGING,
        output_filters=("include", "exclude", "begin", "grep"),
        template_platform="cisco_asa",
    )


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        _ios("ios12.4", "cisco_ios", "12.4(24)T8", ikev2=False),
        _ios("ios15", "cisco_ios", "15.5(3)M10", ikev2=True),
        _ios("xe16", "cisco_xe", "16.9.8", ikev2=True),
        _ios("xe17", "cisco_xe", "17.9.4a", ikev2=True),
        _asa("asa8.2", "cisco_asa", "8.2(5)", ikev2=False, keyword="isakmp"),
        _asa("asa9", "cisco_asa", "9.16(4)", ikev2=True, keyword="ikev1"),
        _asa("pix7", "cisco_pix", "7.2(4)", ikev2=False, keyword="isakmp"),
        Family(
            name="pix6.3",
            platform="cisco_pix",
            netmiko_type="cisco_ios_telnet",
            transport="telnet",
            paging_off="pager 0",
            error_markers=_PIX6_ERRORS,
            invalid_input="Type help or '?' for a list of available commands.",
            more_prompt="<--- More --->",
            prompt_space=True,
            ikev2=False,
            ikev1_keyword="isakmp",
            example_version="6.3(5)",
            show_commands=_PIX6_SHOWS,
            show_variants=_PIX6_VARIANTS,
            after_enable=("pager 0",),
            template_platform="cisco_pix",
            log_group="pix",
            check_commands=_PIX6_CHECKS,
            debug=_PIX6_DEBUG,
            clear=_PIX6_CLEAR,
        ),
    )
}

# The family a platform gets when the inventory gives no version.
DEFAULT_FAMILY = {
    "cisco_ios": "ios15",
    "cisco_xe": "xe17",
    "cisco_asa": "asa9",
    "cisco_pix": "pix7",
}


def family(name: str) -> Family:
    """Return the Family called ``name``.

    >>> family("asa9").paging_off
    'terminal pager 0'
    """
    try:
        return FAMILIES[name]
    except KeyError:
        known = ", ".join(sorted(FAMILIES))
        raise KeyError(f"unknown platform family {name!r} (known: {known})") from None


def is_rejected(output: str, fam: Family) -> bool:
    """Return True when ``output`` carries the family's marker of a rejected command.

    >>> is_rejected("% Invalid input detected at '^' marker.", family("ios15"))
    True
    >>> is_rejected("interface: outside", family("asa9"))
    False
    """
    return any(re.search(p, output, re.MULTILINE) for p in fam.error_markers)


# How `show version` names the software, and which family each version falls in.
# (platform, regex over show version, family by (major, minor) -> name)
_VERSION_PATTERNS: tuple[tuple[str, str], ...] = (
    ("cisco_pix", r"PIX Firewall Version (\S+)"),
    ("cisco_pix", r"PIX Security Appliance Software Version (\S+)"),
    ("cisco_asa", r"Adaptive Security Appliance Software Version (\S+)"),
    ("cisco_xe", r"Cisco IOS XE Software, Version (\S+)"),
    ("cisco_xe", r"Cisco IOS Software.*Version (\S+?),"),
    ("cisco_ios", r"Cisco IOS Software.*Version (\S+?),"),
    ("cisco_ios", r"IOS \(tm\).*Version (\S+?),"),
)
# First matching (platform, lowest version) wins, scanning from the highest.
_FAMILY_BY_VERSION: tuple[tuple[str, tuple[int, int], str], ...] = (
    ("cisco_pix", (7, 0), "pix7"),
    ("cisco_pix", (0, 0), "pix6.3"),
    ("cisco_asa", (8, 4), "asa9"),
    ("cisco_asa", (0, 0), "asa8.2"),
    ("cisco_xe", (17, 0), "xe17"),
    ("cisco_xe", (0, 0), "xe16"),
    ("cisco_ios", (15, 0), "ios15"),
    ("cisco_ios", (0, 0), "ios12.4"),
)


def version_of(platform: str, show_version: str) -> str | None:
    """The software version a ``show version`` output names, or None.

    >>> version_of("cisco_asa", "Cisco Adaptive Security Appliance Software Version 8.2(5) ")
    '8.2(5)'
    >>> version_of("cisco_ios", "Cisco IOS Software, C2900 Software, Version 15.5(3)M10, RELEASE")
    '15.5(3)M10'
    """
    for plat, pattern in _VERSION_PATTERNS:
        if plat == platform:
            m = re.search(pattern, show_version)
            if m:
                return m.group(1)
    return None


def family_for_version(platform: str, version: str) -> str:
    """The family a platform's software version belongs to.

    >>> family_for_version("cisco_asa", "8.2(5)"), family_for_version("cisco_asa", "9.16(4)")
    ('asa8.2', 'asa9')
    >>> family_for_version("cisco_pix", "6.3(5)"), family_for_version("cisco_xe", "16.9.8")
    ('pix6.3', 'xe16')
    """
    m = re.match(r"(\d+)\.(\d+)", version)
    numbers = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    for plat, lowest, name in _FAMILY_BY_VERSION:
        if plat == platform and numbers >= lowest:
            return name
    return DEFAULT_FAMILY[platform]
