"""The filtered and detail variants of the crypto show commands, from the platform table.

Which variants a family has is data (:attr:`ipsec_ops.platforms.Family.show_variants`,
the same syntax strings ``ipsec-ops show`` allows). Each concrete form of those
syntaxes is answered here by a base renderer (the unfiltered command, from the
family's own table) run on a context that keeps only the tunnels the filter selects:

* ``peer X``: tunnels to that peer; ``map NAME``: entries of that crypto map (exact,
  case-sensitive, as the device compares names); ``interface X``: tunnels on that
  interface (IOS abbreviations such as ``Gi0/0`` accepted);
* ``vrf NAME``: the lab has no VRFs (every tunnel is in the global table), so a VRF
  filter selects nothing and the command prints what an empty table prints [E];
* ``show crypto debug-condition KIND`` (IOS): only that kind's filter section [E];
* ``remote X`` (IOS ``show crypto session``) and ``filter ipaddress X`` (ASA
  ``show vpn-sessiondb``): the sessions with that peer (Easy VPN clients by their public
  address); a filter word the device prints before the keyword (``filter``) is dropped
  with it when the base command is looked up.

Commands that are not a filter over another one (``show crypto session brief``,
``show asp drop``) are offered by the platform's renderer module through its
``variants()`` table (concrete syntax -> renderer, :mod:`.ios_sessions`,
:mod:`.asa_sessions`, :mod:`.pix6_policy`); the lab answers one only where the family's
data lists it.

A form the family's data does not list is not in its grammar, so the lab answers it
with the family's invalid-input error, as a release without it does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from ipsec_ops.lab.grammar import expand
from ipsec_ops.lab.render.base import RenderContext, Renderer
from ipsec_ops.lab.render.ios_system import condition_lines
from ipsec_ops.lab.views import TunnelView
from ipsec_ops.platforms import family

Predicate = Callable[[TunnelView], bool]


def same_interface(typed: str, real: str) -> bool:
    """Whether an interface name as typed (possibly abbreviated) names ``real``.

    >>> same_interface("Gi0/0", "GigabitEthernet0/0"), same_interface("gi0/1", "GigabitEthernet0/0")
    (True, False)
    >>> same_interface("GigabitEthernet1", "GigabitEthernet1"), same_interface("0/0", "Gi0/0")
    (True, False)
    """
    t = re.fullmatch(r"([A-Za-z-]+)(\S*)", typed)
    r = re.fullmatch(r"([A-Za-z-]+)(\S*)", real)
    if t is None or r is None:
        return False
    return r.group(1).lower().startswith(t.group(1).lower()) and t.group(2) == r.group(2)


# Filter keyword (its parameter has the same name) -> what it keeps, given the value.
FILTERS: dict[str, Callable[[str], Predicate]] = {
    "peer": lambda value: lambda t: str(t.peer) == value,
    "map": lambda value: lambda t: t.entry.map_name == value,
    "interface": lambda value: lambda t: same_interface(value, t.entry.interface),
    "vrf": lambda value: lambda t: False,  # the lab has no VRFs: nothing is in VRF `value`
    "remote": lambda value: lambda t: str(t.peer) == value,
    "ipaddress": lambda value: lambda t: str(t.peer) == value,
}
# Words a filter keyword may follow that belong to the filter (`filter ipaddress X`).
FILTER_LEADS = ("filter",)

# `show crypto debug-condition KIND` (IOS): the stored conditions each kind lists [E].
CONDITION_KINDS: dict[str, tuple[str, ...]] = {
    "peer": ("peer ipv4 ", "peer subnet ", "peer hostname ", "peer group "),
    "fvrf": ("fvrf ",),
    "ivrf": ("ivrf ",),
    "isakmp": ("isakmp profile ",),
    "username": ("username ",),
    "connid": ("connid ",),
    "spi": ("spi ",),
}


def filtered(base: Renderer, keyword: str) -> Renderer:
    """``base`` on the tunnels the filter ``keyword`` (with its argument) keeps."""

    def render(ctx: RenderContext, args: dict[str, str]) -> str:
        keep = FILTERS[keyword](args[keyword])
        return base(dataclasses.replace(ctx, only=keep), args)

    return render


def condition_section(kind: str) -> Renderer:
    """``show crypto debug-condition KIND``: the filters of that kind only (nothing if none)."""

    def render(ctx: RenderContext, args: dict[str, str]) -> str:
        prefixes = CONDITION_KINDS[kind]
        chosen = [c for c in ctx.state.debug_conditions if c.startswith(prefixes)]
        return "\n".join(condition_lines(chosen)).lstrip("\n")

    return render


def _concrete(table: list[tuple[str, Renderer]]) -> dict[str, Renderer]:
    """Every concrete token sequence of a command table (later syntaxes win, as in the grammar)."""
    return {" ".join(tokens): r for syntax, r in table for tokens in expand(syntax)}


def _variant(
    tokens: list[str], base: dict[str, Renderer], extra: dict[str, Renderer]
) -> Renderer | None:
    """The renderer of one concrete variant (a command of the module's ``variants()`` table,
    a filter over a base command, or a section); None when the lab has none (the form is
    then answered as an invalid command, and tests/lab/test_show_variants.py reports the gap)."""
    concrete = " ".join(tokens)
    if concrete in extra:
        return extra[concrete]
    for i, word in enumerate(tokens[:-1]):
        if word in FILTERS and tokens[i + 1].startswith("<"):
            start = i - 1 if i and tokens[i - 1] in FILTER_LEADS else i
            rest = " ".join(tokens[:start] + tokens[i + 2 :])
            if rest in base:
                return filtered(base[rest], word)
            if rest in extra:
                return filtered(extra[rest], word)
    head, last = " ".join(tokens[:-1]), tokens[-1]
    if head == "show crypto debug-condition" and head in base:
        return base[head] if last == "all" else condition_section(last)
    return None


def extend(
    family_name: str,
    table: list[tuple[str, Renderer]],
    extra: dict[str, Renderer] | None = None,
) -> list[tuple[str, Renderer]]:
    """The family's command table plus every variant its platform data lists.

    ``extra``: the renderer module's ``variants()`` (commands answered only where listed).

    >>> from ipsec_ops.lab.render import asa
    >>> added = extend("asa9", asa.commands("asa9"))[len(asa.commands("asa9")) :]
    >>> sorted(s for s, _ in added)[:2]
    ['show crypto ipsec sa map <word:map>', 'show crypto ipsec sa map <word:map> detail']
    """
    base = _concrete(table)
    added: list[tuple[str, Renderer]] = []
    for syntax in family(family_name).show_variants:
        for tokens in expand(syntax):
            concrete = " ".join(tokens)
            renderer = None if concrete in base else _variant(tokens, base, extra or {})
            if renderer is not None:
                added.append((concrete, renderer))
    return table + added
