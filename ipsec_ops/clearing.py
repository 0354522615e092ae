"""Peer-scoped clears for change windows: plan, confirm, clear only what is named, verify, audit.

A bare `clear crypto sa` on a hub drops every tunnel; nothing here can send one.
The plan names the exact commands, the SAs and SPIs that will go and the tunnels
that must stay untouched; verification compares every other tunnel's SPIs before
and after, and waits for each cleared peer to come back with new SPIs and traffic.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ipsec_ops.bundle import DeviceCapture
from ipsec_ops.diagnose import diagnose_tunnel
from ipsec_ops.errors import EXIT_DOWN, EXIT_UNKNOWN, UsageError
from ipsec_ops.health import PARSED, device_report
from ipsec_ops.isotime import utc_now
from ipsec_ops.model import Tunnel
from ipsec_ops.paths import current_user, state_dir
from ipsec_ops.platform_actions import ClearSyntax
from ipsec_ops.platforms import Family, family
from ipsec_ops.transport import Session

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host

DEFAULT_MAX = 5
POLL_S = 2.0


class ClearRefused(UsageError):
    """A clear this tool will not send."""


@dataclass
class PeerPlan:
    peer: str
    commands: list[str]
    spis: list[str]  # the SPIs that will go
    ike: str | None  # the IKE SA that will go, as the device names it


@dataclass
class ClearPlan:
    host: str
    peers: list[PeerPlan]
    untouched: dict[str, list[str]]  # peer -> its SPIs, which must not change

    def lines(self) -> list[str]:
        """The plan as an engineer reads it before confirming."""
        out = [f"{self.host}:"]
        for p in self.peers:
            out.append(f"  clear {p.peer}: {' ; '.join(p.commands)}")
            out.append(f"    goes: IKE {p.ike or '-'}; SPIs {', '.join(p.spis) or '-'}")
        names = ", ".join(sorted(self.untouched)) or "none"
        out.append(f"  must stay untouched: {len(self.untouched)} tunnels ({names})")
        return out


def _syntax(fam: Family) -> ClearSyntax:
    if fam.clear is None:
        raise ClearRefused(f"{fam.name}: peer-scoped clears are not supported on this family")
    return fam.clear


def commands_for(fam: Family, tunnel: Tunnel, phase: str) -> list[str]:
    """The peer-scoped commands that clear one tunnel's phase 1, phase 2 or both.

    >>> t = Tunnel("r1", "198.51.100.2")
    >>> commands_for(family("ios15"), t, "both")
    ['clear crypto session remote 198.51.100.2']
    >>> commands_for(family("asa9"), t, "2")
    ['clear crypto ipsec sa peer 198.51.100.2']
    """
    syntax = _syntax(fam)
    ikev2 = tunnel.ike is not None and tunnel.ike.version == 2
    if phase == "both" and syntax.both:
        return [syntax.both.format(peer=tunnel.peer)]
    wanted: list[str | None] = []
    if phase in ("1", "both"):
        wanted.append(syntax.phase1_ikev2 if ikev2 else syntax.phase1)
    if phase in ("2", "both"):
        wanted.insert(0, syntax.phase2)
    if any(w is None for w in wanted):
        raise ClearRefused(
            f"{fam.name} has no peer-scoped clear for phase {phase} of "
            f"{tunnel.peer}: its only clear would drop every tunnel"
        )
    conn_id = tunnel.ike.conn_id if tunnel.ike else None
    out = []
    for template in wanted:
        assert template is not None
        if "{conn_id}" in template and conn_id is None:
            raise ClearRefused(f"{tunnel.peer}: no IKE SA to clear (no conn-id)")
        out.append(template.format(peer=tunnel.peer, conn_id=conn_id))
    return out


def _spis(t: Tunnel) -> list[str]:
    return sorted({s for sa in t.ipsec for s in (sa.spi_in, sa.spi_out) if s and sa.has_sa})


def plan(
    host: str,
    fam: Family,
    tunnels: list[Tunnel],
    peers: list[str],
    phase: str,
    max_peers: int,
    force: bool,
) -> ClearPlan:
    """Check a clear request against the device's state; the plan, or a refusal."""
    if not peers:
        raise ClearRefused("no peer named: a clear without a peer would drop every tunnel")
    if len(peers) > max_peers:
        raise ClearRefused(f"{len(peers)} peers is more than --max {max_peers}")
    by_peer = {t.peer: t for t in tunnels}
    out = []
    for peer in peers:
        tunnel = by_peer.get(peer)
        if tunnel is None:
            if not force:
                raise ClearRefused(
                    f"{host}: {peer} is neither in the SA table nor in the crypto"
                    " configuration (--force to clear it anyway)"
                )
            tunnel = Tunnel(host, peer)
        ike = f"{tunnel.ike.state} conn-id {tunnel.ike.conn_id}" if tunnel.ike else None
        out.append(PeerPlan(peer, commands_for(fam, tunnel, phase), _spis(tunnel), ike))
    untouched = {t.peer: _spis(t) for t in tunnels if t.peer not in peers and _spis(t)}
    return ClearPlan(host, out, untouched)


def snapshot(session: Session, host: Host) -> list[Tunnel]:
    """The device's tunnels now, read and judged the way the health report does."""
    fam = family(host.family)
    outputs = {
        c: session.run(c).output for c in fam.show_commands if c in PARSED or c == "show logging"
    }
    capture = DeviceCapture(
        host.name,
        host.platform,
        host.family,
        Path("."),
        outputs=outputs,
        files={c: c for c in outputs},
    )
    result = device_report(capture)
    device, tunnels = result.device, result.tunnels
    if device.status != "ok":
        raise UsageError(f"{host.name}: cannot read its state: {device.error}")
    for t in tunnels:
        diagnose_tunnel(t, fam)
    return tunnels


@dataclass
class PeerResult:
    peer: str
    result: str  # "recovered", "still down", "not verified"
    old_spis: list[str]
    new_spis: list[str]
    findings: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)


def apply(session: Session, fam: Family, p: PeerPlan) -> list[str]:
    """Send one peer's commands, answering a [confirm] prompt; the device's replies."""
    syntax = _syntax(fam)
    replies = []
    for command in p.commands:
        reply = (
            session.run_confirm(command, syntax.confirm)
            if syntax.confirm and ("logoff" in command)
            else session.run(command).output
        )
        replies.append(reply.strip())
    return replies


def verify(
    session: Session,
    host: Host,
    cleared: ClearPlan,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[PeerResult], list[str]]:
    """Poll until every cleared peer is back with new SPIs and moving traffic, or timeout.

    Also returns the untouched tunnels whose SPIs changed (there should be none).
    """
    deadline = time.monotonic() + timeout
    previous: dict[str, tuple[int, int]] = {}
    done: dict[str, PeerResult] = {}
    now: list[Tunnel] = []
    while True:
        now = snapshot(session, host)
        by_peer = {t.peer: t for t in now}
        for p in cleared.peers:
            t = by_peer.get(p.peer)
            new = _spis(t) if t else []
            fresh = bool(new) and not set(new) & set(p.spis)
            counters = (
                (sum(sa.encaps for sa in t.ipsec), sum(sa.decaps for sa in t.ipsec))
                if t
                else (0, 0)
            )
            moving = (
                p.peer in previous
                and counters[0] > previous[p.peer][0]
                and counters[1] > previous[p.peer][1]
            )
            previous[p.peer] = counters
            if fresh and moving and t is not None and t.health == "up":
                done[p.peer] = PeerResult(p.peer, "recovered", p.spis, new)
        if len(done) == len(cleared.peers) or time.monotonic() >= deadline:
            break
        sleep(POLL_S)
    results = []
    by_peer = {t.peer: t for t in now}
    for p in cleared.peers:
        if p.peer in done:
            results.append(done[p.peer])
            continue
        t = by_peer.get(p.peer)
        codes = [f.code for f in t.findings] if t else ["CONFIGURED_NOT_UP"]
        state = "still down" if t is None or t.health == "down" else "not verified"
        results.append(PeerResult(p.peer, state, p.spis, _spis(t) if t else [], codes))
    changed = [
        peer
        for peer, spis in cleared.untouched.items()
        if peer in by_peer and _spis(by_peer[peer]) != spis
    ]
    return results, changed


def audit_path() -> Path:
    return state_dir() / "clear-audit.jsonl"


def audit(
    path: Path, host: Host, p: PeerPlan, replies: list[str], result: PeerResult, changed: list[str]
) -> None:
    """Append one JSON line per cleared peer (no secret: replies are redacted by the transport)."""
    record = {
        "at": utc_now(),
        "user": current_user(),
        "device": host.name,
        "hostname": host.hostname,
        "peer": p.peer,
        "commands": p.commands,
        "replies": replies,
        "before": {"ike": p.ike, "spis": p.spis},
        "after": {"spis": result.new_spis},
        "result": result.result,
        "findings": result.findings,
        "other_tunnels_changed": changed,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")


# -- the whole flow on one device, shared by `ipsec-ops clear` and playbooks -------------


@dataclass(frozen=True)
class ClearOptions:
    phase: str = "both"
    max_peers: int = DEFAULT_MAX
    force: bool = False
    dry_run: bool = False
    verify_timeout: float = 60.0
    audit_log: Path | None = None  # None: audit_path()


@dataclass
class HostClear:
    """What a clear did on one device: the plan, each peer's result, the tunnels that changed."""

    host: str
    plan: ClearPlan | None = None
    results: list[PeerResult] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    refused: str | None = None
    code: int = 0  # 0 done (or planned), 2 a cleared tunnel still down, 3 not verified/refused


def clear_host(
    session: Session,
    host: Host,
    peers: list[str] | None,
    opts: ClearOptions,
    echo: Callable[[str, bool], None],
    confirm: Callable[[], None],
    picked: bool = False,
) -> HostClear:
    """Plan, confirm, clear, verify and audit on one device; ``echo(line, is_error)`` prints.

    ``peers`` None means the tunnels the health rules mark ``STALE_SA``. Peers
    picked by a rule (``--stuck``, a playbook reference: ``picked``) are capped at
    ``max_peers``, a refusal is reported instead of raised, and a family without a
    both-phases clear clears phase 2 (a stale SA is an IPsec problem).
    """
    picked = picked or peers is None
    fam = family(host.family)
    before = snapshot(session, host)
    names = list(peers or [])
    if peers is None:
        names = [t.peer for t in before if any(f.code == "STALE_SA" for f in t.findings)]
    if picked:
        if len(names) > opts.max_peers:
            what = "stale SAs" if peers is None else "peers picked"
            echo(
                f"{host.name}: {len(names)} {what}, clearing the first {opts.max_peers} (--max)",
                False,
            )
            names = names[: opts.max_peers]
        if not names:
            echo(f"{host.name}: no stale SA", False)
            return HostClear(host.name)
    phase = opts.phase
    if picked and phase == "both" and fam.clear is not None and not fam.clear.both:
        phase = "2"
        echo(f"{host.name}: {fam.name} clears per peer in phase 2 only", False)
    try:
        cleared = plan(host.name, fam, before, names, phase, opts.max_peers, opts.force)
    except ClearRefused as exc:
        if not picked:
            raise
        echo(f"{host.name}: refused: {exc}", True)
        return HostClear(host.name, refused=str(exc), code=EXIT_UNKNOWN)
    echo("\n".join(cleared.lines()), False)
    if opts.dry_run:
        return HostClear(host.name, plan=cleared)
    confirm()
    replies = {p.peer: apply(session, fam, p) for p in cleared.peers}
    results, changed = verify(session, host, cleared, opts.verify_timeout)
    out = HostClear(host.name, cleared, results, changed)
    for result, p in zip(results, cleared.peers, strict=True):
        audit(opts.audit_log or audit_path(), host, p, replies[p.peer], result, changed)
        extra = f" ({', '.join(result.findings)})" if result.findings else ""
        echo(
            f"{host.name} {result.peer}: {result.result}{extra}; SPIs "
            f"{', '.join(result.old_spis) or '-'} -> {', '.join(result.new_spis) or '-'}",
            False,
        )
        code = {"recovered": 0, "still down": EXIT_DOWN}.get(result.result, EXIT_UNKNOWN)
        out.code = max(out.code, code)
    if changed:
        echo(f"{host.name}: OTHER TUNNELS CHANGED: {', '.join(changed)}", False)
        out.code = EXIT_UNKNOWN
    return out
