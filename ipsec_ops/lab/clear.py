"""The device side of clears: peer-scoped and global clears restart negotiations.

Replies follow the platforms (reference section 4.4): IOS and ASA clears print
nothing; `vpn-sessiondb logoff` asks `[confirm]` and answers with an INFO line.
What comes back is the engine's business: a stale SA renegotiates with new SPIs
after a few seconds, a misconfigured tunnel returns to its failure state.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from ipsec_ops.lab.grammar import Match

if TYPE_CHECKING:
    from ipsec_ops.lab.session import CliSession

# (syntax, modes) per CLI style, compiled with the other built-ins (method "clear").
CLEAR_COMMANDS: dict[str, list[str]] = {
    "ios": [
        "clear crypto session [remote <ip:peer>]",
        "clear crypto sa [peer <ip:peer>]",
        "clear crypto isakmp [<int:conn>]",
        "clear crypto ikev2 sa [remote <ip:peer>]",
    ],
    "asa": [
        "clear crypto ipsec sa [peer <ip:peer>]",
        "clear crypto {ikev1 | ikev2} sa [<ip:peer>]",
        "clear crypto isakmp sa [<ip:peer>]",
        "vpn-sessiondb logoff ipaddress <ip:peer> [noconfirm]",
    ],
    "pix6": [
        "clear crypto ipsec sa [peer <ip:peer>]",
        "clear crypto isakmp sa",
    ],
}


def _peers(session: CliSession, match: Match[object]) -> list[ipaddress.IPv4Address]:
    """The peers a clear names: one, the owner of a conn-id, or every peer (global)."""
    device = session.node.device
    if "peer" in match.args:
        return [ipaddress.IPv4Address(match.args["peer"])]
    if "conn" in match.args:
        conn = int(match.args["conn"])
        views = session.node.engine.tunnels(device)
        return [v.peer for v in views if v.ike is not None and v.ike.conn_id == conn]
    return [e.peer for e in device.map_entries]


def _has_session(session: CliSession, peer: ipaddress.IPv4Address) -> bool:
    views = session.node.engine.tunnels(session.node.device)
    return any(
        v.peer == peer and (v.ike is not None or any(sa.has_sa for sa in v.ipsec)) for v in views
    )


async def run_clear(session: CliSession, match: Match[object]) -> None:
    """Carry out one clear command on the session's device."""
    engine, device = session.node.engine, session.node.device
    peers = _peers(session, match)
    if "logoff" in match.words:
        peer = peers[0]
        if "noconfirm" not in match.words:
            session.write("Do you want to logoff the VPN session(s)? [confirm]")
            answer = await session.read_line(echo=False)
            if answer.strip().lower().startswith("n"):
                return
        count = 1 if _has_session(session, peer) else 0
        if count:
            engine.clear(device, peer)
        session.write(f'INFO: Number of sessions with IP "{peer}" logged off : {count}\r\n')
        return
    for peer in peers:
        engine.clear(device, peer)
