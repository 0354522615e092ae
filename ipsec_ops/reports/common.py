"""Shared views of a Report for the renderers: ordering, groups and short texts.

Every renderer orders things the same way, so a person comparing the table, the
Markdown and the HTML sees the same tunnel in the same place: devices with
problems first, and within a device the worst tunnel first.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ipsec_ops.model import HEALTHS, Device, Finding, Report, Tunnel

# Display order, worst first: a down tunnel is certain trouble, an unknown one may be fine.
WORST_FIRST = ("down", "degraded", "unknown", "up")
# Nagios words for Report.exit_code().
STATE_WORDS = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
_SEVERITY_HEALTH = {"critical": "down", "warning": "degraded", "info": "up"}


def health_rank(health: str) -> int:
    """Position of ``health`` in :data:`WORST_FIRST` (0 is the worst; unknown words last).

    >>> [health_rank(h) for h in ("down", "up", "bogus")]
    [0, 3, 4]
    """
    return WORST_FIRST.index(health) if health in WORST_FIRST else len(WORST_FIRST)


def peer_key(peer: str) -> tuple[int, int, str]:
    """Sort key that orders IP addresses numerically, and names after them.

    >>> sorted(["203.0.113.10", "203.0.113.9", "peer-b"], key=peer_key)
    ['203.0.113.9', '203.0.113.10', 'peer-b']
    """
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return (1, 0, peer)
    return (0, int(address) + (address.version << 128), peer)


def tunnel_order(t: Tunnel) -> tuple[int, tuple[int, int, str]]:
    """Sort key for tunnels of one device: worst health first, then peer address."""
    return (health_rank(t.health), peer_key(t.peer))


def stable_order(t: Tunnel) -> tuple[str, tuple[int, int, str]]:
    """Sort key for machine formats: device name then peer, so daily files diff line by line."""
    return (t.device, peer_key(t.peer))


def severity_health(finding: Finding) -> str:
    """The tunnel health a finding of this severity implies (critical is down)."""
    return _SEVERITY_HEALTH.get(finding.severity, "degraded")


@dataclass
class DeviceGroup:
    """One device of the report with its tunnels, worst first."""

    device: Device
    tunnels: list[Tunnel] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """True when the device was read (its status is "ok")."""
        return self.device.status == "ok"

    @property
    def health(self) -> str:
        """The worst of the device's tunnels and its own findings; unknown when unreadable."""
        healths = [t.health for t in self.tunnels]
        if self.readable:
            healths += [severity_health(f) for f in self.device.findings]
        else:
            # Its COLLECTION_FAILED finding says why the state is unknown, not that it is down.
            healths.append("unknown")
        return min(healths, key=health_rank, default="up")

    def counts(self) -> dict[str, int]:
        """Tunnels of this device per health, in :data:`HEALTHS` order."""
        out = {h: 0 for h in HEALTHS}
        for t in self.tunnels:
            out[t.health] = out.get(t.health, 0) + 1
        return out


def device_groups(report: Report) -> list[DeviceGroup]:
    """Every device with its tunnels: devices with problems first, report order within a rank.

    A tunnel whose device is missing from ``report.devices`` still gets a group
    (platform unknown), so no tunnel is ever dropped from a report.
    """
    groups = {d.name: DeviceGroup(d) for d in report.devices}
    for t in report.tunnels:
        if t.device not in groups:
            groups[t.device] = DeviceGroup(Device(name=t.device, platform=""))
        groups[t.device].tunnels.append(t)
    for g in groups.values():
        g.tunnels.sort(key=tunnel_order)
    return sorted(groups.values(), key=lambda g: health_rank(g.health))


def failed_devices(report: Report) -> list[Device]:
    """Devices that could not be read, in report order."""
    return [d for d in report.devices if d.status != "ok"]


def ike_text(t: Tunnel) -> str:
    """IKE version and state, like ``v1 QM_IDLE``; ``-`` when there is no IKE SA."""
    return f"v{t.ike.version} {t.ike.state}" if t.ike else "-"


def sa_count(t: Tunnel) -> int:
    """How many proxy pairs of the tunnel have a live IPsec SA."""
    return sum(1 for sa in t.ipsec if sa.has_sa)


def totals(t: Tunnel) -> dict[str, int]:
    """Packet and error counters summed over the tunnel's SAs."""
    return {
        "encaps": sum(sa.encaps for sa in t.ipsec),
        "decaps": sum(sa.decaps for sa in t.ipsec),
        "send_errors": sum(sa.send_errors for sa in t.ipsec),
        "recv_errors": sum(sa.recv_errors for sa in t.ipsec),
    }


def ipsec_text(t: Tunnel) -> str:
    """SA count and encaps/decaps, like ``1 SA 120/118``; ``no SA`` when none is up."""
    n = sa_count(t)
    if n == 0:
        return "no SA"
    c = totals(t)
    return f"{n} SA{'s' if n > 1 else ''} {c['encaps']}/{c['decaps']}"


def codes(findings: list[Finding]) -> list[str]:
    """Finding codes in order, each once."""
    return list(dict.fromkeys(f.code for f in findings))


def first_summary(findings: list[Finding]) -> str:
    """The first finding's summary (diagnose puts the root cause first), or ``""``."""
    return findings[0].summary if findings else ""


def one_line(text: str) -> str:
    """``text`` with line breaks and tabs folded to single spaces (for one-line formats).

    >>> one_line("a\\nb\\t c")
    'a b c'
    """
    return " ".join(text.split())


def state_word(report: Report) -> str:
    """The Nagios word for the report's exit code: OK, WARNING, CRITICAL or UNKNOWN."""
    return STATE_WORDS.get(report.exit_code(), "UNKNOWN")


def summary(report: Report) -> dict[str, int]:
    """Counts for a report's summary, in a fixed key order.

    ``up``/``degraded``/``down``/``unknown`` are :meth:`Report.counts` (unknown
    includes the devices that could not be read), then totals and the exit code.
    """
    counts = report.counts()
    return {
        **{h: counts[h] for h in HEALTHS},
        "tunnels": len(report.tunnels),
        "devices": len(report.devices),
        "devices_unreadable": len(failed_devices(report)),
        "exit_code": report.exit_code(),
    }


def summary_text(report: Report) -> str:
    """One sentence of counts, worst first, like ``1 down, 0 degraded, 2 up, 1 unknown``."""
    s = summary(report)
    text = ", ".join(f"{s[h]} {h}" for h in ("down", "degraded", "up", "unknown"))
    text += f" ({s['tunnels']} tunnels on {s['devices']} devices"
    if s["devices_unreadable"]:
        text += f", {s['devices_unreadable']} unreadable"
    return text + f"); exit {s['exit_code']} {state_word(report)}"
