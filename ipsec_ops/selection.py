"""Which hosts of an inventory a run touches: ``--host``, ``--group``, ``--platform``,
``--filter KEY=VALUE`` (over ``data``).

>>> from pathlib import Path
>>> from ipsec_ops.inventory import load_inventory
>>> example = Path(__file__).parents[1] / "inventory" / "example"
>>> inv = load_inventory(example, env={"IPSEC_OPS_PASSWORD": "pw", "IPSEC_OPS_ENABLE": "en"})
>>> [h.name for h in select(inv, Selection(groups=("asa",)))]
['fw-dc1', 'fw-dc2-old']
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ipsec_ops.errors import UsageError
from ipsec_ops.platforms import PLATFORMS

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host, Inventory

_Opt = list[str] | None  # a repeatable Typer option


@dataclass(frozen=True)
class Selection:
    """Which hosts a run touches: AND across kinds, OR within a kind.

    Filters on the same key are OR-ed, filters on different keys AND-ed.
    Empty means every host.
    """

    hosts: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_options(cls, host: _Opt, group: _Opt, platform: _Opt, filter_: _Opt) -> Selection:
        """Return the Selection for the shared CLI options (``--filter`` must be KEY=VALUE).

        >>> Selection.from_options(["r1"], None, None, ["site=hq"]).filters
        (('site', 'hq'),)
        >>> Selection.from_options(None, None, None, ["site"])
        Traceback (most recent call last):
        ...
        ipsec_ops.errors.UsageError: --filter 'site': expected KEY=VALUE (e.g. site=hq)
        """
        filters = tuple(_parse_filter(f) for f in filter_ or ())
        return cls(tuple(host or ()), tuple(group or ()), tuple(platform or ()), filters)


def _parse_filter(text: str) -> tuple[str, str]:
    """Return (key, value) from ``KEY=VALUE``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--filter {text!r}: expected KEY=VALUE (e.g. site=hq)")
    return key.strip(), value


def select(inventory: Inventory, selection: Selection) -> list[Host]:
    """Return the selected hosts, sorted by name.

    A ``--host``, ``--group`` or ``--platform`` that cannot match is a UsageError.
    """
    _check_selection(inventory, selection)
    keys = {k for k, _ in selection.filters}
    chosen = [
        h
        for h in inventory.hosts.values()
        if (not selection.hosts or h.name in selection.hosts)
        and (not selection.groups or set(h.member_of) & set(selection.groups))
        and (not selection.platforms or h.platform in selection.platforms)
        and all(_matches(h, k, [v for fk, v in selection.filters if fk == k]) for k in keys)
    ]
    return sorted(chosen, key=lambda h: h.name)


def _check_selection(inventory: Inventory, selection: Selection) -> None:
    """Raise UsageError naming a --host, --group or --platform that cannot match."""
    _require_known("--host", selection.hosts, list(inventory.hosts), "not in the inventory")
    _require_known("--group", selection.groups, list(inventory.groups), "no such group")
    _require_known("--platform", selection.platforms, list(PLATFORMS), "unknown platform")


def _require_known(flag: str, names: tuple[str, ...], known: list[str], problem: str) -> None:
    """Raise UsageError for the first of ``names`` not in ``known``, with a hint."""
    for name in names:
        if name not in known:
            # A fleet has hundreds of hosts: list them all only when there are few.
            close = difflib.get_close_matches(name, known, n=3)
            if len(known) <= 10:
                hint = f"known: {', '.join(sorted(known)) or 'none'}"
            else:
                hint = f"did you mean {', '.join(close)}?" if close else f"{len(known)} known"
            raise UsageError(f"{flag} {name!r}: {problem} ({hint})")


def _matches(host: Host, key: str, values: list[str]) -> bool:
    """True when ``host.data[key]`` equals one of ``values`` (or, for a list, contains one)."""
    if key not in host.data:
        return False
    found = host.data[key]
    items = found if isinstance(found, list) else [found]
    return any(_as_text(item) in values for item in items)


def _as_text(value: Any) -> str:
    """Return ``value`` as the command line spells it (YAML booleans in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)
