"""Platform facts: one table of data, read by the transport, the collector and the lab.

A *platform* is what the inventory names (``cisco_ios``, ``cisco_xe``,
``cisco_asa``, ``cisco_pix``); a *family* is a platform at a version range whose
CLI differs (ASA 8.2 prints a one-line IKE table, 9.x a block per peer; PIX 6.3
is reached over telnet and has no IKEv2). Code asks this table; it never
branches on a platform name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    conditional_debug: bool
    # IKEv1 keyword in show/clear commands: "isakmp" everywhere but ASA 8.4+ ("ikev1").
    ikev1_keyword: str
    example_version: str
    # Commands the collection runs (reference section 4.6); the lab renders each.
    show_commands: tuple[str, ...] = field(default_factory=tuple)


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
    "show crypto engine connection active",
    "show crypto debug-condition",
    "show debugging",
    "show logging",
)
_XE_SHOWS = (*_IOS_SHOWS, "show crypto ikev2 sa detailed")
_ASA82_SHOWS = (
    "show version",
    "show running-config crypto",
    "show running-config tunnel-group",
    "show crypto isakmp sa detail",
    "show crypto ipsec sa",
    "show vpn-sessiondb detail l2l",
    "show debug",
    "show logging",
)
_ASA9_SHOWS = (
    "show version",
    "show running-config crypto",
    "show running-config tunnel-group",
    "show crypto ikev1 sa detail",
    "show crypto ikev2 sa detail",
    "show crypto ipsec sa",
    "show vpn-sessiondb detail l2l",
    "show debug",
    "show logging",
)
_PIX6_SHOWS = (
    "show version",
    "show crypto isakmp sa",
    "show crypto ipsec sa",
    "show crypto map",
    "show debug",
)


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
        conditional_debug=True,
        ikev1_keyword="isakmp",
        example_version=version,
        show_commands=_XE_SHOWS if ikev2 else _IOS_SHOWS,
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
        conditional_debug=ikev2,  # ASA 8.2 has no crypto conditional debug [E]
        ikev1_keyword=keyword,
        example_version=version,
        show_commands=_ASA9_SHOWS if ikev2 else _ASA82_SHOWS,
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
            conditional_debug=False,
            ikev1_keyword="isakmp",
            example_version="6.3(5)",
            show_commands=_PIX6_SHOWS,
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
