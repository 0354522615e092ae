"""Routing-table views the next-step checks name on ASA-code and PIX 6 families.

``show route <addr>`` (ASA 7.x-9.x, PIX 7) prints the entry that carries one address,
in the IOS ``show ip route <addr>`` layout with dotted masks; ``show route`` (PIX 6.3)
prints the whole table, one line per route: interface name, network, mask, gateway
(the box's own address on a connected network), metric, type and ``static`` [E]. The
lab's routes are the connected networks of the interfaces and a default route to the
gateway of :func:`ipsec_ops.lab.render.ios_common.gateway` (the top host of the crypto
interface's subnet). Column layouts and wording are [E].
"""

from __future__ import annotations

import ipaddress

from ipsec_ops.lab.config import Device, Interface
from ipsec_ops.lab.render.base import RenderContext, mask
from ipsec_ops.lab.render.ios_common import gateway


def connected(device: Device) -> list[tuple[Interface, ipaddress.IPv4Network]]:
    """Each interface with the network it is connected to, in configuration order."""
    return [
        (i, ipaddress.IPv4Network(f"{i.address}/{i.prefixlen}", strict=False))
        for i in device.interfaces
    ]


def _name(intf: Interface) -> str:
    return intf.nameif or intf.name


def _entry(prefix: str, known: str, block: str) -> str:
    return (
        f"Routing entry for {prefix}\n  Known via {known}\n  Routing Descriptor Blocks:\n"
        f"  * {block}\n      Route metric is 0, traffic share count is 1"
    )


def asa_show_route(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show route <addr>``: the connected network holding the address, else the default."""
    addr = ipaddress.IPv4Address(args["addr"])
    for intf, net in connected(ctx.device):
        if addr in net:
            known = '"connected", distance 0, metric 0 (connected, via interface)'
            prefix = f"{net.network_address} {mask(net.prefixlen)}"
            return _entry(prefix, known, f"directly connected, via {_name(intf)}")
    gw = gateway(ctx.device)
    outside = next((i for i in ctx.device.interfaces if i.crypto_map), None)
    if gw is None or outside is None:
        return "% Network not in table"
    known = '"static", distance 1, metric 0, candidate default path'
    return _entry("0.0.0.0 0.0.0.0, supernet", known, f"{gw}, via {_name(outside)}")


def pix6_show_route(ctx: RenderContext, args: dict[str, str]) -> str:
    """``show route`` (PIX 6.3): the default route, then each connected network [E]."""
    lines: list[str] = []
    gw = gateway(ctx.device)
    outside = next((i for i in ctx.device.interfaces if i.crypto_map), None)
    if gw is not None and outside is not None:
        lines.append(f"        {_name(outside)} 0.0.0.0 0.0.0.0 {gw} 1 OTHER static")
    for intf, net in connected(ctx.device):
        row = f"{_name(intf)} {net.network_address} {mask(net.prefixlen)} {intf.address}"
        lines.append(f"        {row} 1 CONNECT static")
    return "\n".join(lines)
