"""The crypto debug commands of each family, and what they do to the device's state.

State lives in :class:`~ipsec_ops.lab.render.base.DeviceState`, shared by every
session of the device (a debug left on outlives the session that set it):

* ``debugs``: IOS / IOS-XE hold the keywords after ``debug`` (``crypto isakmp``,
  ``crypto isakmp error``, ``crypto ikev2`` ...); ASA and PIX hold the keywords
  and the level (``crypto ikev1 127``, ``crypto ikev2 protocol 1``,
  ``crypto isakmp 1``), one entry per debug.
* ``debug_conditions``: the words after ``debug crypto condition``, parameters
  included: IOS ``peer ipv4 198.51.100.2``, ``peer subnet 10.0.0.0 255.0.0.0``,
  ``connid 1001 engine-id 1``, ``spi 256``, ``unmatched isakmp`` (one entry per
  unmatched flag); ASA 8.4+ ``peer 198.51.100.2``, ``subnet A M``, ``user X``,
  ``group X``, ``spi N``; ``error`` (``debug crypto condition error``: IKE debugs
  print their error lines only [E]; not a filter, cleared by the condition reset).

Releases without conditional debug (ASA 8.2, PIX 7, PIX 6.3) have no
``debug crypto condition`` at all: the command is refused as any unknown
command is, which is how the tool tells them apart
(:attr:`ipsec_ops.platforms.Family.conditional_debug`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipsec_ops.lab.personality import PERSONALITIES
from ipsec_ops.lab.render.base import DeviceState
from ipsec_ops.lab.render.ios_system import debug_line
from ipsec_ops.platforms import family

ALL_OFF = "All possible debugging has been turned off"
MAX_LEVEL = 255

_IOS_DEBUGS = (
    "isakmp",
    "isakmp error",
    "isakmp ha",
    "ipsec",
    "ipsec error",
    "routing",
    "ha",
    "engine",
    "engine error",
    "engine packet",
)
# IOS / IOS-XE with IKEv2 (15.1(1)T+ [E]); reference 4.1 lists the sub-debugs [E].
_IOS_IKEV2_DEBUGS = ("ikev2", "ikev2 packet", "ikev2 internal", "ikev2 error")
# (syntax after `debug crypto condition`, the condition stored)
_IOS_CONDITIONS = (
    ("peer ipv4 <ip:addr>", "peer ipv4 {addr}"),
    ("peer subnet <ip:addr> <ip:mask>", "peer subnet {addr} {mask}"),
    ("peer hostname <word:name>", "peer hostname {name}"),
    ("peer group <word:name>", "peer group {name}"),
    ("local ipv4 <ip:addr>", "local ipv4 {addr}"),
    ("fvrf <word:name>", "fvrf {name}"),
    ("ivrf <word:name>", "ivrf {name}"),
    ("isakmp profile <word:name>", "isakmp profile {name}"),
    ("username <word:name>", "username {name}"),
    ("connid <int:connid> engine-id <int:engine>", "connid {connid} engine-id {engine}"),
    ("spi <int:spi>", "spi {spi}"),
    ("unmatched", "unmatched"),
    ("unmatched isakmp", "unmatched isakmp"),
    ("unmatched ipsec", "unmatched ipsec"),
    ("unmatched engine", "unmatched engine"),
)
_ASA_CONDITIONS = (
    ("peer <ip:addr>", "peer {addr}"),
    ("subnet <ip:addr> <ip:mask>", "subnet {addr} {mask}"),
    ("user <word:name>", "user {name}"),
    ("group <word:name>", "group {name}"),
    ("spi <int:spi>", "spi {spi}"),
    ("error", "error"),  # 9.x: the IKE debugs print error lines only [E]
)
UNMATCHED = ("isakmp", "ipsec", "engine")


@dataclass(frozen=True)
class Reply:
    """What a debug command answers: text to print, or a refused level."""

    text: str = ""
    enabled: str = ""  # the debug turned on (keywords without level), for ASA ownership
    bad_level: bool = False


def debug_keywords(entry: str) -> str:
    """A stored debug without its level: the key a debug is turned off by.

    >>> debug_keywords("crypto ikev1 127"), debug_keywords("crypto isakmp error")
    ('crypto ikev1', 'crypto isakmp error')
    """
    words = entry.split()
    return " ".join(words[:-1] if words and words[-1].isdigit() else words)


def _debug_names(family_name: str) -> list[str]:
    """The debugs a family accepts, as ``crypto ...`` keywords."""
    fam = family(family_name)
    style = PERSONALITIES[family_name].style
    if style == "ios":
        return [f"crypto {d}" for d in (*_IOS_DEBUGS, *(_IOS_IKEV2_DEBUGS if fam.ikev2 else ()))]
    names = [f"crypto {fam.ikev1_keyword}", "crypto ipsec"]
    if fam.ikev2:
        names += ["crypto ikev2 protocol", "crypto ikev2 platform"]
    return names


def command_table(family_name: str) -> list[tuple[str, str]]:
    """``(syntax, action)`` of every debug command of a family (enable mode).

    Actions: ``on X`` / ``off X`` (a debug), ``cond+ C`` / ``cond- C`` (a condition,
    formatted with the parameters), ``reset`` (every condition), ``alloff``.
    """
    fam = family(family_name)
    ios = PERSONALITIES[family_name].style == "ios"
    level = "" if ios else " [<int:level>]"
    table: list[tuple[str, str]] = []
    for name in _debug_names(family_name):
        table.append((f"debug {name}{level}", f"on {name}"))
        table += [(f"{prefix} {name}{level}", f"off {name}") for prefix in ("no debug", "undebug")]
    if fam.conditional_debug:
        conditions = _IOS_CONDITIONS if ios else _ASA_CONDITIONS
        for syntax, stored in conditions:
            table.append((f"debug crypto condition {syntax}", f"cond+ {stored}"))
            table.append((f"no debug crypto condition {syntax}", f"cond- {stored}"))
        table.append(("debug crypto condition reset", "reset"))
    table += [("undebug all", "alloff"), ("no debug all", "alloff")]
    return table


def run(family_name: str, state: DeviceState, action: str, args: dict[str, str]) -> Reply:
    """Carry out one debug command on the device's state; returns what the CLI prints."""
    ios = PERSONALITIES[family_name].style == "ios"
    op, _, rest = action.partition(" ")
    if op == "alloff":
        state.debugs.clear()
        return Reply(ALL_OFF if ios else "")
    if op == "reset":
        state.debug_conditions.clear()
        return Reply()
    if op in ("cond+", "cond-"):
        change_condition(state.debug_conditions, rest.format(**args), add=op == "cond+")
        return Reply()
    if ios:
        return _ios_debug(state, rest, on=op == "on")
    return _leveled_debug(state, rest, args.get("level"), on=op == "on")


def _ios_debug(state: DeviceState, name: str, on: bool) -> Reply:
    if on:
        state.debugs.add(name)
        return Reply(debug_line(name), enabled=name)
    state.debugs.discard(name)
    return Reply(debug_line(name).replace(" is on", " is off"))


def _leveled_debug(state: DeviceState, name: str, level: str | None, on: bool) -> Reply:
    """ASA / PIX: one entry per debug, ``<keywords> <level>`` (level 1 unless given)."""
    if level is not None and not 1 <= int(level) <= MAX_LEVEL:
        return Reply(bad_level=True)
    for entry in [e for e in state.debugs if debug_keywords(e) == name]:
        state.debugs.discard(entry)
    if not on:
        return Reply()
    state.debugs.add(f"{name} {int(level or 1)}")
    return Reply(enabled=name)


def change_condition(conditions: list[str], condition: str, add: bool) -> None:
    """Add or remove one condition; bare ``unmatched`` stands for every unmatched flag.

    >>> conds = ["peer ipv4 192.0.2.1"]
    >>> change_condition(conds, "unmatched", add=True); conds
    ['peer ipv4 192.0.2.1', 'unmatched isakmp', 'unmatched ipsec', 'unmatched engine']
    >>> change_condition(conds, "peer ipv4 192.0.2.1", add=False); conds[0]
    'unmatched isakmp'
    """
    items = [f"unmatched {k}" for k in UNMATCHED] if condition == "unmatched" else [condition]
    for item in items:
        if add and item not in conditions:
            conditions.append(item)
        elif not add and item in conditions:
            conditions.remove(item)
