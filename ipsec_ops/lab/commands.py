"""The command tables of each simulated CLI, per family and mode.

Two kinds of commands: *built-ins* change the session (``enable``,
``terminal length 0``, ``configure terminal``) and are carried out by
:class:`ipsec_ops.lab.session.CliSession`; *renderers* print device state and
live in :mod:`ipsec_ops.lab.render`. Both are compiled into one grammar per
(family, mode) so abbreviations and errors behave as on the device.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from ipsec_ops.lab import config_mode, debug_cli
from ipsec_ops.lab.clear import CLEAR_COMMANDS
from ipsec_ops.lab.grammar import Grammar, build
from ipsec_ops.lab.personality import PERSONALITIES
from ipsec_ops.lab.render import variants
from ipsec_ops.lab.render.base import Renderer

MODES = ("user", "enable", "config")


@dataclass(frozen=True)
class Builtin:
    """A session command, carried out by the CliSession method ``name``.

    ``action`` says what a shared method does for this syntax (the debug commands:
    see :func:`ipsec_ops.lab.debug_cli.command_table`).
    """

    name: str
    action: str = ""


Action = Builtin | Renderer

# (syntax, method, modes) per CLI style. Sources: reference section 4.5 and
# netmiko-notes (what netmiko sends at connect).
_SESSION = ("exit", "logout", "quit")
BUILTINS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "ios": [
        *((w, "exit", ("user", "enable")) for w in _SESSION),
        ("enable", "enable", ("user", "enable")),
        ("disable", "disable", ("enable",)),
        ("terminal length <int:n>", "terminal_length", ("user", "enable")),
        ("terminal width <int:n>", "terminal_width", ("user", "enable")),
        ("terminal monitor", "terminal_monitor", ("user", "enable")),
        ("terminal no monitor", "terminal_no_monitor", ("user", "enable")),
        ("configure terminal", "configure", ("enable",)),
        ("end", "end", ("config",)),
        ("exit", "end", ("config",)),
    ],
    "asa": [
        *((w, "exit", ("user", "enable")) for w in _SESSION),
        ("enable", "enable", ("user", "enable")),
        ("disable", "disable", ("enable",)),
        ("show curpriv", "show_curpriv", MODES),
        ("terminal pager [lines] <int:n>", "terminal_length", ("user", "enable", "config")),
        ("terminal monitor", "terminal_monitor", ("enable",)),
        ("terminal no monitor", "terminal_no_monitor", ("enable",)),
        ("configure terminal", "configure", ("enable",)),
        ("changeto context <word:name>", "changeto", ("enable",)),
        ("changeto system", "changeto_system", ("enable",)),
        ("terminal width <int:n>", "terminal_width", ("config",)),
        ("pager lines <int:n>", "terminal_length", ("config",)),
        ("no pager", "no_pager", ("config",)),
        ("end", "end", ("config",)),
        ("exit", "end", ("config",)),
    ],
    "pix6": [
        *((w, "exit", ("user", "enable")) for w in _SESSION),
        ("enable", "enable", ("user", "enable")),
        ("disable", "disable", ("enable",)),
        ("pager [lines] <int:n>", "terminal_length", ("enable", "config")),
        ("no pager", "no_pager", ("enable", "config")),
        ("terminal width <int:n>", "terminal_width", ("enable", "config")),
        ("terminal monitor", "terminal_monitor", ("enable",)),
        ("terminal no monitor", "terminal_no_monitor", ("enable",)),
        ("configure terminal", "configure", ("enable",)),
        ("end", "end", ("config",)),
        ("exit", "end", ("config",)),
    ],
}
for _style, _syntaxes in CLEAR_COMMANDS.items():
    BUILTINS[_style] += [(syntax, "clear", ("enable",)) for syntax in _syntaxes]

# Real debug keywords the lab does not simulate (so `debug all` is refused, not run,
# and abbreviations stay as ambiguous as on the device). IOS 15 / ASA 9 / PIX 6 `?`.
# fmt: off
DEBUG_KNOWN: dict[str, dict[str, list[str]]] = {
    "ios": {
        "debug": ["aaa", "all", "arp", "condition", "interface", "ip", "ppp", "snmp", "tcp"],
        "debug crypto": ["ca", "gdoi", "ipv6", "kmi", "mib", "pki", "socket", "verbose"],
    },
    "asa": {
        "debug": ["aaa", "all", "arp", "dhcpd", "fover", "icmp", "nat", "ssh", "webvpn"],
        "debug crypto": ["ca", "engine", "ike-common", "ss-api", "vpnclient"],
    },
    "pix6": {
        "debug": ["aaa", "all", "arp", "dhcpd", "fover", "icmp", "packet", "ssh"],
        "debug crypto": ["ca", "vpnclient"],
    },
}
# fmt: on

# Renderers reachable before `enable` (IOS and ASA allow `show version` at level 1).
_USER_SHOWS = ("show version",)
# Modes in which the style's show commands work (ASA and PIX run show in config mode).
_SHOW_MODES = {"ios": ("enable",), "asa": ("enable", "config"), "pix6": ("enable", "config")}


def _renderer_module(style: str) -> ModuleType:
    return import_module(
        f"ipsec_ops.lab.render.{ {'ios': 'ios', 'asa': 'asa', 'pix6': 'pix6'}[style] }"
    )


@functools.cache
def grammars(family_name: str) -> dict[str, Grammar[Action]]:
    """The compiled grammar of each mode for one family (shared by all its devices)."""
    style = PERSONALITIES[family_name].style
    module = _renderer_module(style)
    rendered: list[tuple[str, Renderer]] = variants.extend(
        family_name,
        module.commands(family_name),
        module.variants() if hasattr(module, "variants") else {},
    )
    known: dict[str, Iterable[str]] = {**getattr(module, "KNOWN", {}), **DEBUG_KNOWN[style]}
    debugs = debug_cli.command_table(family_name)
    out: dict[str, Grammar[Action]] = {}
    for mode in MODES:
        table: list[tuple[str, Action]] = [
            (syntax, Builtin(method)) for syntax, method, modes in BUILTINS[style] if mode in modes
        ]
        if mode == "enable":
            table += [(syntax, Builtin("debug", action)) for syntax, action in debugs]
        for syntax, renderer in rendered:
            if mode in _SHOW_MODES[style] or (mode == "user" and syntax in _USER_SHOWS):
                table.append((syntax, renderer))
        if mode == "config":  # configuration lines (ipsec_ops.lab.config_mode)
            table += config_mode.commands(family_name)
        out[mode] = build(table, known)
    return out
