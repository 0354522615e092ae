"""Easy VPN (remote-access) sessions on a server, from ``show crypto session`` and the logs (pure).

A session block with ``Username:`` or ``Group:`` (the Easy VPN server lines of IOS
``show crypto session [detail]``) is a remote-access client, not a site-to-site tunnel:
it is listed in the report's ``ezvpn_sessions`` and kept out of the tunnels, so a client
that disconnects never shows as a broken tunnel. The mode is read from the IPsec flow:
traffic to one host (the assigned address) is client mode, to a network is network
extension [E]. "Since" is the collection time minus the session's uptime, or else the
time of the client's last connect line in the log (``%CRYPTO-6-EZVPN_CONNECTION_UP``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ipsec_ops import events
from ipsec_ops.isotime import epoch, iso_time
from ipsec_ops.model import EzvpnSession

SESSION_COMMANDS = ("show crypto session detail", "show crypto session")


def _first(parsed: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    for command in SESSION_COMMANDS:
        if command in parsed:
            return parsed[command]
    return []


def is_remote_access(record: dict[str, Any]) -> bool:
    """A session record of an Easy VPN client (it names a user or a group).

    >>> is_remote_access({"username": "bob", "group": ""}), is_remote_access({"username": ""})
    (True, False)
    """
    return bool(record.get("username") or record.get("group"))


def ra_peers(parsed: dict[str, list[dict[str, Any]]]) -> set[str]:
    """The public addresses of remote-access clients (kept out of the tunnels)."""
    return {str(r.get("peer")) for r in _first(parsed) if is_remote_access(r) and r.get("peer")}


def uptime_seconds(text: str | None) -> int | None:
    """IOS uptime forms in seconds: ``01:02:03``, ``3d04h``, ``1w2d``.

    >>> uptime_seconds("01:02:03"), uptime_seconds("3d04h"), uptime_seconds("1w2d")
    (3723, 273600, 777600)
    >>> uptime_seconds("never") is None
    True
    """
    if not text:
        return None
    if m := re.fullmatch(r"(\d+):(\d{2}):(\d{2})", text):
        h, mi, s = (int(x) for x in m.groups())
        return h * 3600 + mi * 60 + s
    if m := re.fullmatch(r"(\d+)d(\d+)h", text):
        return int(m.group(1)) * 86400 + int(m.group(2)) * 3600
    if m := re.fullmatch(r"(\d+)w(\d+)d", text):
        return int(m.group(1)) * 604800 + int(m.group(2)) * 86400
    return None


def _mode(record: dict[str, Any]) -> str:
    """``client`` when every flow goes to one host, else ``network-extension`` [E]."""
    masks = record.get("dst_mask") or []
    masks = masks if isinstance(masks, list) else [masks]
    wide = any(m not in ("", "255.255.255.255") for m in masks)
    return "network-extension" if wide else "client"


def sessions(
    device: str,
    parsed: dict[str, list[dict[str, Any]]],
    log_lines: list[str],
    log_group: str,
    generated_at: str,
) -> list[EzvpnSession]:
    """The remote-access sessions of one device, in the order the device listed them."""
    stamp = epoch(generated_at)
    now = dt.datetime.fromtimestamp(stamp, dt.UTC) if stamp is not None else None
    logged = events.from_lines(device, log_lines, log_group, now)
    connects: dict[str, dt.datetime] = {}
    transitions: dict[str, int] = {}
    for ev in events.transitions(logged):
        if ev.kind.startswith("ezvpn_"):
            transitions[ev.peer] = transitions.get(ev.peer, 0) + 1
            if ev.kind == "ezvpn_up" and ev.at is not None:
                connects[ev.peer] = ev.at
    out = []
    for r in _first(parsed):
        if not is_remote_access(r):
            continue
        peer = str(r.get("peer"))
        up = uptime_seconds(r.get("uptime"))
        since = now - dt.timedelta(seconds=up) if now and up is not None else connects.get(peer)
        out.append(
            EzvpnSession(
                device=device,
                user=r.get("username") or None,
                group=r.get("group") or None,
                mode=_mode(r),
                public=peer,
                assigned=r.get("assigned_address") or None,
                status=str(r.get("session_status") or ""),
                since=iso_time(since.timestamp()) if since else None,
                uptime=r.get("uptime") or None,
                interface=r.get("interface") or None,
                events=transitions.get(peer, 0),
            )
        )
    return out
