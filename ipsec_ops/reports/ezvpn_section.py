"""The Easy VPN (remote-access) section shared by the table, Markdown and HTML reports.

Only printed when the report has remote-access sessions, so reports of site-to-site
fleets keep their layout; JSON always carries ``ezvpn_sessions``.
"""

from __future__ import annotations

from ipsec_ops.model import EzvpnSession, Report

TITLE = "Easy VPN sessions (remote access)"
HEADER = ["Device", "User", "Group", "Mode", "Public", "Assigned", "Status", "Since"]


def row(s: EzvpnSession) -> list[str]:
    """One session as table cells (``-`` where the device did not say).

    >>> row(EzvpnSession("ra", "bob", "G", "client", "192.0.2.1", None, "UP-ACTIVE"))
    ['ra', 'bob', 'G', 'client', '192.0.2.1', '-', 'UP-ACTIVE', '-']
    """
    cells = [s.device, s.user, s.group, s.mode, s.public, s.assigned, s.status, s.since]
    return [c or "-" for c in cells]


def rows(report: Report) -> list[list[str]]:
    """Every session, by device then public address, as cells."""
    ordered = sorted(report.ezvpn_sessions, key=lambda s: (s.device, s.public))
    return [row(s) for s in ordered]
