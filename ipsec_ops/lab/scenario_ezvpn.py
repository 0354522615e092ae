"""The ``ezvpn`` section of a scenario device: an Easy VPN server and its clients."""

from __future__ import annotations

import ipaddress
from typing import Any

from ipsec_ops.lab.config import EzvpnClient, Interface
from ipsec_ops.lab.scenario_reader import Reader, as_str, faults_of

EZVPN_MODES = ("client", "network-extension")


def ezvpn_fields(r: Reader, interfaces: list[Interface]) -> dict[str, Any]:
    """``ezvpn: {interface, clients: [...]}``: an Easy VPN server and its connected clients."""
    if r.data.get("ezvpn") is None:
        return {}
    e = Reader(r.data["ezvpn"], r.where, r.field("ezvpn"))
    e.check_keys({"interface", "clients"})
    name = e.get("interface", as_str)
    if not any(i.name == name for i in interfaces):
        raise e.error("interface", f"no interface named {name!r}")
    clients = []
    for dotted, item in e.items("clients"):
        c = Reader(item, r.where, dotted)
        c.check_keys(
            {"username", "group", "public", "assigned", "mode", "connected_s", "faults", "network"}
        )
        mode = c.get("mode", as_str, "client")
        if mode not in EZVPN_MODES:
            raise c.error("mode", f"unknown mode {mode!r} (known: {', '.join(EZVPN_MODES)})")
        network = c.opt("network", ipaddress.IPv4Network)
        if (mode == "network-extension") != (network is not None):
            raise c.error("network", "a network-extension client needs its network; others none")
        clients.append(
            EzvpnClient(
                username=c.get("username", as_str),
                group=c.get("group", as_str),
                public=c.get("public", ipaddress.IPv4Address),
                assigned=c.get("assigned", ipaddress.IPv4Address),
                mode=mode,
                connected_s=c.get("connected_s", int, 3600),
                faults=c.get("faults", faults_of(("flapping",)), ()),
                network=network,
            )
        )
    return {"ezvpn_interface": name, "ezvpn_clients": tuple(clients)}
