"""Platform facts: one table of data, read by the transport, the collector and the lab.

A *platform* is what the inventory names (``cisco_ios``, ``cisco_xe``,
``cisco_asa``, ``cisco_pix``); a *family* is a platform at a version range whose
CLI differs (ASA 8.4+ says `ikev1` where 8.2 says `isakmp`; PIX 6.3
is reached over telnet and has no IKEv2). Code asks this table; it never
branches on a platform name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ipsec_ops.platform_actions import (
    ASA9_CLEAR,
    ASA9_DEBUG,
    ASA82_CLEAR,
    ASA82_DEBUG,
    ASA_LOGGING,
    IOS124_DEBUG,
    IOS_CLEAR,
    IOS_DEBUG,
    IOS_LOGGING,
    PIX6_CLEAR,
    PIX6_DEBUG,
    ClearSyntax,
    DebugSyntax,
    LoggingSyntax,
)

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
        debug=IOS_DEBUG if ikev2 else IOS124_DEBUG,
        clear=IOS_CLEAR,
        logging=IOS_LOGGING,
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
        debug=ASA9_DEBUG if ikev2 else ASA82_DEBUG,
        clear=ASA9_CLEAR if keyword == "ikev1" else ASA82_CLEAR,
        logging=ASA_LOGGING,
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
            debug=PIX6_DEBUG,
            clear=PIX6_CLEAR,
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
