"""Easy VPN server sessions on lab devices: who is connected, since when, and what was logged.

Clients are declared in the scenario (``ezvpn.clients``) and never contacted. A client is
connected from ``connected_s`` before lab start on; a ``flapping`` client connects and drops
on the tunnels' flap cycle. Counters grow with time like a tunnel's. Output follows the
Easy VPN server block of ``show crypto session`` (genie sample in tests/templates: Username,
Profile, Group, Assigned address; IKEv1 with xauth and mode-config, capabilities ``CX``) and
``%CRYPTO-6-EZVPN_CONNECTION_UP/DOWN`` (field order seen on a client's log [F]; ``(Server)``
on the server [E]).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ipsec_ops.lab import syslog
from ipsec_ops.lab.config import Device, EzvpnClient
from ipsec_ops.lab.render.base import RenderContext, duration
from ipsec_ops.lab.timeline import FLAP_PERIOD_S, FLAP_UP_S, stable_int
from ipsec_ops.lab.views import LogEvent

PROFILE = "RA-PROFILE"
PACKETS_PER_S = 2.0
SA_LIFETIME_S = 3600
SA_LIFETIME_KB = 4608000
IKE_LIFETIME_S = 86400


@dataclass(frozen=True)
class EzvpnSession:
    """One client as the server sees it at one instant."""

    client: EzvpnClient
    index: int
    up: bool
    since: float  # when the current state began
    interface: str  # Virtual-Access N
    local: ipaddress.IPv4Address
    conn_id: int
    encaps: int
    decaps: int


def _server_address(device: Device) -> ipaddress.IPv4Address:
    intf = device.interface(device.ezvpn_interface or "")
    if intf is None:  # the scenario loader checks the interface exists
        raise ValueError(f"{device.name}: Easy VPN interface not defined")
    return intf.address


def _cycle_start(start: float, client: EzvpnClient) -> float:
    return start - client.connected_s


def state_at(client: EzvpnClient, start: float, t: float) -> tuple[bool, float]:
    """(connected, since when) of one client at instant ``t``.

    >>> c = EzvpnClient("u", "G", ipaddress.IPv4Address("192.0.2.1"),
    ...                 ipaddress.IPv4Address("10.9.0.1"), connected_s=100)
    >>> state_at(c, 1000.0, 1000.0)
    (True, 900.0)
    >>> f = EzvpnClient("u", "G", c.public, c.assigned, connected_s=0, faults=("flapping",))
    >>> state_at(f, 1000.0, 1010.0), state_at(f, 1000.0, 1080.0)
    ((True, 1000.0), (False, 1075.0))
    """
    t0 = _cycle_start(start, client)
    if "flapping" not in client.faults:
        return (t >= t0, t0)
    cycle = int((t - t0) // FLAP_PERIOD_S)
    up_at = t0 + cycle * FLAP_PERIOD_S
    if t - up_at < FLAP_UP_S:
        return (True, up_at)
    return (False, up_at + FLAP_UP_S)


def sessions(device: Device, start: float, t: float) -> list[EzvpnSession]:
    """Every declared client of ``device`` at instant ``t`` (connected or not)."""
    local = _server_address(device)
    out = []
    for i, client in enumerate(device.ezvpn_clients):
        up, since = state_at(client, start, t)
        packets = int(max(0.0, t - since) * PACKETS_PER_S) if up else 0
        out.append(
            EzvpnSession(
                client=client,
                index=i,
                up=up,
                since=since,
                interface=f"Virtual-Access{i + 2}",
                local=local,
                conn_id=2001 + i + int(since) % 1000 * 10,
                encaps=packets,
                decaps=packets + stable_int(client.username) % 7,
            )
        )
    return out


def events(device: Device, start: float, until: float) -> list[LogEvent]:
    """Connect / disconnect events of the clients from lab start (and a little before)."""
    local = _server_address(device) if device.ezvpn_clients else None
    out: list[LogEvent] = []
    for client in device.ezvpn_clients:
        assert local is not None

        def ev(at: float, kind: str, c: EzvpnClient = client) -> LogEvent:
            return LogEvent(at, kind, local, c.public, "", 1, "responder", c.username)

        t0 = _cycle_start(start, client)
        if "flapping" not in client.faults:
            if start - 600 <= t0 <= until:
                out.append(ev(t0, "up"))
            continue
        cycle = int(max(0.0, start - 600 - t0) // FLAP_PERIOD_S)
        while (up_at := t0 + cycle * FLAP_PERIOD_S) <= until:
            out.append(ev(up_at, "up"))
            if up_at + FLAP_UP_S <= until:
                out.append(ev(up_at + FLAP_UP_S, "down"))
            cycle += 1
    return out


def client_for(device: Device, peer: ipaddress.IPv4Address) -> EzvpnClient | None:
    """The declared client at ``peer``, if any."""
    return next((c for c in device.ezvpn_clients if c.public == peer), None)


def connection_line(device: Device, client: EzvpnClient, up: bool) -> str:
    """``%CRYPTO-6-EZVPN_CONNECTION_UP|DOWN`` as the server logs it [F field order, E prefix]."""
    state = "UP" if up else "DOWN"
    return (
        f"%CRYPTO-6-EZVPN_CONNECTION_{state}: (Server)  User={client.username}  "
        f"Group={client.group}  Client_public_addr={client.public}  "
        f"Server_public_addr={_server_address(device)}  "
        f"Assigned_client_addr={client.assigned}  "
    )


def _flow(s: EzvpnSession) -> str:
    """The IPSEC FLOW of a client: everything to its assigned address in client mode
    [F genie sample], to its LAN in network-extension mode [E]."""
    net = s.client.network
    dst = f"{net.network_address}/{net.netmask}" if net else f"host {s.client.assigned}"
    return f"  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 {dst}"


def session_block(s: EzvpnSession, now: float, detail: bool) -> list[str]:
    """One Easy VPN server block of ``show crypto session [detail]``."""
    c = s.client
    status = "UP-ACTIVE" if s.up else "DOWN"
    lines = [f"Interface: {s.interface}", f"Username: {c.username}", f"Profile: {PROFILE}"]
    lines += [f"Group: {c.group}", f"Assigned address: {c.assigned}"]
    if detail and s.up:
        lines.append(f"Uptime: {duration(int(now - s.since))}")
    lines.append(f"Session status: {status:<13}")
    if detail:
        lines.append(f"Peer: {c.public} port 4500 fvrf: (none) ivrf: (none)")
        lines += [f"      Phase1_id: {c.group}", "      Desc: (none)"]
    else:
        lines.append(f"Peer: {c.public} port 4500 ")
    if not s.up:
        return lines
    sa = f"  IKEv1 SA: local {s.local}/4500 remote {c.public}/4500 Active"
    if detail:
        left = max(0, IKE_LIFETIME_S - int(now - s.since) % IKE_LIFETIME_S)
        h, rem = divmod(left, 3600)
        life = f"{h:02d}:{rem // 60:02d}:{rem % 60:02d}"
        lines += ["  Session ID: 0 ", sa, f"          Capabilities:CXN connid:{s.conn_id} "
                  f"lifetime:{life}"]  # fmt: skip
    else:
        lines.append(sa)
    lines += [_flow(s), "        Active SAs: 2, origin: dynamic crypto map"]
    if detail:
        age = int(now - s.since)
        life_s = SA_LIFETIME_S - age % int(SA_LIFETIME_S * 0.9)
        life_kb = SA_LIFETIME_KB - s.encaps // 2 % SA_LIFETIME_KB
        lines.append(f"        Inbound:  #pkts dec'ed {s.decaps} drop 0 life (KB/Sec) "
                     f"{life_kb}/{life_s}")  # fmt: skip
        lines.append(f"        Outbound: #pkts enc'ed {s.encaps} drop 0 life (KB/Sec) "
                     f"{life_kb}/{life_s}")  # fmt: skip
    return lines


def select(found: list[EzvpnSession], args: dict[str, str]) -> list[EzvpnSession]:
    """The sessions a ``group X`` / ``username X`` / ``remote X`` (client's public address)
    filter keeps (``fvrf``/``ivrf``: none here)."""
    if "remote" in args:
        return [s for s in found if str(s.client.public) == args["remote"]]
    if "group" in args:
        return [s for s in found if s.client.group == args["group"]]
    if "username" in args:
        return [s for s in found if s.client.username == args["username"]]
    return found


def session_blocks(ctx: RenderContext, args: dict[str, str], detail: bool) -> list[str]:
    """The connected clients' blocks for ``show crypto session`` (a filter applied), each
    followed by the separator line the command prints between blocks."""
    if not ctx.device.ezvpn_clients or "fvrf" in args or "ivrf" in args:
        return []  # lab clients arrive in the global table: no VRF has them
    sep = " " if detail else ""
    out: list[str] = []
    for s in select(sessions(ctx.device, ctx.engine.start, ctx.now), args):
        if s.up:  # a disconnected client's Virtual-Access is gone: no block at all
            out += [*session_block(s, ctx.now, detail), sep]
    return out


def log_lines(ctx: RenderContext, ev: LogEvent) -> list[str]:
    """An Easy VPN client's connect or disconnect: the session and the ezvpn message [E]."""
    client = client_for(ctx.device, ev.peer)
    out = []
    if syslog.is_on(ctx.state.log_off, "session", ev.at):
        state = ev.kind.upper()
        peer = f"{ev.peer}:4500"
        out.append(f"%CRYPTO-5-SESSION_STATUS: Crypto tunnel is {state}  .  Peer {peer} "
                   f"      Id: {ev.peer}")  # fmt: skip
    if client is not None and syslog.is_on(ctx.state.log_off, "ezvpn", ev.at):
        out.append(connection_line(ctx.device, client, ev.kind == "up"))
    return out
