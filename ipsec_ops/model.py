"""The tunnel model: what the health report knows about every (device, peer).

Plain dataclasses, built by :mod:`ipsec_ops.tunnels` from parsed records and
judged by :mod:`ipsec_ops.diagnose`. :meth:`Tunnel.to_json` gives the DESIGN.md
contract (fields may be added, never renamed or removed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipsec_ops.trends import TunnelHistory

HEALTHS = ("up", "degraded", "down", "unknown")
SEVERITIES = ("info", "warning", "critical")


@dataclass
class Finding:
    code: str
    severity: str  # "info", "warning", "critical"
    summary: str
    evidence: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "next_steps": list(self.next_steps),
        }


@dataclass
class IkeSa:
    version: int
    state: str
    role: str | None = None
    conn_id: int | None = None
    lifetime_s: int | None = None
    local: str | None = None
    evidence: str = ""  # the line(s) the state was read from

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "state": self.state,
            "role": self.role,
            "conn_id": self.conn_id,
            "lifetime_s": self.lifetime_s,
        }


@dataclass
class IpsecSa:
    """One proxy pair (local/remote ident) with its current SAs and counters."""

    local_ident: str
    remote_ident: str
    spi_in: str | None = None
    spi_out: str | None = None
    encaps: int = 0
    decaps: int = 0
    send_errors: int = 0
    recv_errors: int = 0
    lifetime_s: int | None = None
    lifetime_kb: int | None = None
    # Detail counters where the platform prints them (None: not known).
    no_sa_send: int | None = None
    replay_failed: int | None = None
    verify_failed: int | None = None
    invalid_identity: int | None = None
    spis_in: list[str] = field(default_factory=list)  # every inbound SPI (rekey overlap)
    spis_out: list[str] = field(default_factory=list)

    @property
    def has_sa(self) -> bool:
        return bool(self.spi_out) and self.spi_out not in ("0x0", "0x00000000")

    def to_json(self) -> dict[str, Any]:
        return {
            "local_ident": self.local_ident,
            "remote_ident": self.remote_ident,
            "spi_in": self.spi_in,
            "spi_out": self.spi_out,
            "encaps": self.encaps,
            "decaps": self.decaps,
            "send_errors": self.send_errors,
            "recv_errors": self.recv_errors,
            "lifetime_s": self.lifetime_s,
            "lifetime_kb": self.lifetime_kb,
        }


@dataclass
class Tunnel:
    device: str
    peer: str
    local: str | None = None
    fvrf: str | None = None
    ivrf: str | None = None
    interface: str | None = None
    crypto_map: str | None = None
    seq: int | None = None
    configured: bool = False
    description: str | None = None
    acl: str | None = None
    acl_lines: list[str] = field(default_factory=list)  # "10.1.0.0/24 10.2.0.0/24"
    transform_set: str | None = None
    sa_lifetime_s: int | None = None  # the map entry's configured IPsec SA lifetime
    ike: IkeSa | None = None
    ipsec: list[IpsecSa] = field(default_factory=list)
    session_status: str | None = None
    log_lines: list[str] = field(default_factory=list)  # syslog lines naming this peer
    ike_collected: bool = True  # False when no IKE SA command was read: absence means nothing
    health: str = "up"
    findings: list[Finding] = field(default_factory=list)
    # The tunnel over the history window, when the run was recorded (``--db``).
    history: TunnelHistory | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.device, self.peer)

    @property
    def has_ipsec_sa(self) -> bool:
        return any(sa.has_sa for sa in self.ipsec)

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "peer": self.peer,
            "local": self.local,
            "fvrf": self.fvrf,
            "ivrf": self.ivrf,
            "interface": self.interface,
            "crypto_map": self.crypto_map,
            "seq": self.seq,
            "configured": self.configured,
            "description": self.description,
            "ike": self.ike.to_json() if self.ike else None,
            "ipsec": [sa.to_json() for sa in self.ipsec],
            "session_status": self.session_status,
            "health": self.health,
            "findings": [f.to_json() for f in self.findings],
            **({"history": self.history.to_json()} if self.history is not None else {}),
        }


@dataclass
class Device:
    """One device of the report: how reading it went, and device-level findings."""

    name: str
    platform: str
    family: str = ""
    version: str | None = None
    status: str = "ok"  # "ok" or "unknown" (collection failed)
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform,
            "family": self.family,
            "version": self.version,
            "status": self.status,
            "error": self.error,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass
class EzvpnSession:
    """A remote-access (Easy VPN) client connected to a server: not a site-to-site tunnel."""

    device: str
    user: str | None
    group: str | None
    mode: str  # "client" or "network-extension" (from the IPsec flow) [E]
    public: str  # the client's public address (its IKE peer)
    assigned: str | None  # the mode-config address
    status: str  # session status: UP-ACTIVE, ...
    since: str | None = None  # ISO time it connected (uptime or the connect log line)
    uptime: str | None = None  # as the device printed it
    interface: str | None = None  # Virtual-Access N
    events: int = 0  # connect/disconnect transitions in the logging buffer

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "user": self.user,
            "group": self.group,
            "mode": self.mode,
            "public": self.public,
            "assigned": self.assigned,
            "status": self.status,
            "since": self.since,
            "uptime": self.uptime,
            "interface": self.interface,
            "events": self.events,
        }


@dataclass
class Report:
    generated_at: str
    devices: list[Device]
    tunnels: list[Tunnel]
    # Remote-access sessions (an added JSON key, ``ezvpn_sessions``).
    ezvpn_sessions: list[EzvpnSession] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Tunnels per health, and devices whose state is unknown."""
        out = {h: 0 for h in HEALTHS}
        for t in self.tunnels:
            out[t.health] += 1
        out["unknown"] += sum(1 for d in self.devices if d.status != "ok")
        return out

    def exit_code(self) -> int:
        """Nagios convention: 3 when a device could not be read, else 2 down, 1 degraded, 0."""
        if any(d.status != "ok" for d in self.devices):
            return 3
        healths = {t.health for t in self.tunnels}
        if "down" in healths:
            return 2
        if "degraded" in healths or any(d.findings for d in self.devices):
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "devices": [d.to_json() for d in self.devices],
            "tunnels": [t.to_json() for t in self.tunnels],
            "ezvpn_sessions": [e.to_json() for e in self.ezvpn_sessions],
        }
