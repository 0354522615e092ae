"""``ipsec-ops inventory check``: validate an inventory and show what a run would contact.

Nothing is contacted and no secret is printed: the listing shows names,
addresses, platforms and transports; warnings (plain-text secrets) go to stderr.
Errors are the project's exceptions, turned into one line and exit 64 by the
main CLI.
"""

from __future__ import annotations

import typer

from ipsec_ops.errors import UsageError
from ipsec_ops.inventory import Host, load_inventory
from ipsec_ops.options import FilterOpt, GroupOpt, HostOpt, InventoryOpt, PlatformOpt
from ipsec_ops.selection import Selection, select

inventory_app = typer.Typer(
    help="Validate inventories (Nornir SimpleInventory format).", no_args_is_help=True
)


@inventory_app.command("check")
def check(
    inventory: InventoryOpt = None,
    host: HostOpt = None,
    group: GroupOpt = None,
    platform: PlatformOpt = None,
    filter_: FilterOpt = None,
) -> None:
    """Validate the inventory and list the hosts a run would contact (contacts none)."""
    if inventory is None:
        raise UsageError("inventory check: give the inventory with -i/--inventory PATH")
    selection = Selection.from_options(host, group, platform, filter_)
    inv = load_inventory(inventory)
    chosen = select(inv, selection)
    for line in host_lines(chosen):
        typer.echo(line)
    typer.echo(f"{len(chosen)} hosts selected of {len(inv.hosts)}")
    for warning in inv.warnings:
        typer.echo(f"warning: {warning}", err=True)


def host_lines(hosts: list[Host]) -> list[str]:
    """Return one aligned line per host: name, address:port, platform, family, transport, groups.

    >>> from ipsec_ops.secrets import Secret
    >>> h = Host("r1", "192.0.2.1", 22, "cisco_ios", "ios15", "ssh", "u", Secret("p"), None,
    ...          ("core",), {})
    >>> host_lines([h])
    ['r1  192.0.2.1:22  cisco_ios  ios15  ssh  core']
    """
    rows = [
        (
            h.name,
            f"{_address(h.hostname)}:{h.port}",
            h.platform,
            h.family,
            h.transport,
            ",".join(h.groups) or "-",
        )
        for h in hosts
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(6)] if rows else []
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _address(hostname: str) -> str:
    """Return ``hostname`` ready for ``:port`` (IPv6 literals in brackets)."""
    return f"[{hostname}]" if ":" in hostname else hostname
