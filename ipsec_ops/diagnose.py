"""Rules over tunnels: findings with evidence and next steps, and a health per tunnel.

Pure. Every verdict comes from the knowledge data (state tables, thresholds,
the message catalog); this module only says in which order to look:
the IKE state first, then the IPsec SAs and their counters, then what the
logging buffer adds, then what the other end of the tunnel says when it is in
the same report (crypto ACLs that are not mirror images).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from ipsec_ops import events
from ipsec_ops.knowledge import SEVERITY_RANK, Knowledge, Message, knowledge
from ipsec_ops.model import Device, Finding, IpsecSa, Report, Tunnel
from ipsec_ops.platforms import Family, family


class _Fill(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def finding(
    code: str,
    fam: Family,
    tunnel: Tunnel | None,
    device: str,
    evidence: Iterable[str] = (),
    **values: Any,
) -> Finding:
    """A Finding for ``code`` with its summary and next steps filled in."""
    k = knowledge()
    body = k.codes[code]
    fill = _Fill(device=device, **values)
    if tunnel is not None:
        fill.update(
            peer=tunnel.peer,
            local=tunnel.local or "?",
            acl=tunnel.acl or "?",
            map=tunnel.crypto_map or "?",
            interface=tunnel.interface or "?",
        )
    for name, command in fam.check_commands.items():
        fill[name] = command.format_map(fill)
    order = list(k.steps)
    steps = sorted(body.get("steps", []), key=order.index)
    return Finding(
        code=code,
        severity=str(values.get("severity") or body["severity"]),
        summary=str(body["summary"]).format_map(fill),
        evidence=[e for e in evidence if e],
        next_steps=[k.steps[s].format_map(fill) for s in steps],
    )


def _messages(t: Tunnel, fam: Family, k: Knowledge) -> list[tuple[str, Message]]:
    out = []
    for line in t.log_lines:
        message = k.match_message(line, fam.log_group)
        if message is not None:
            out.append((line, message))
    return out


def _ike_findings(
    t: Tunnel, fam: Family, k: Knowledge, logged: list[tuple[str, Message]]
) -> list[Finding]:
    """Phase 1: a stuck state, refined by what the logs say."""
    assert t.ike is not None
    table = "ikev2" if t.ike.version == 2 else fam.ike_state_table
    info = k.state(table, t.ike.state)
    if info is None or info.phase1_up or info.finding is None:
        return []
    code = info.finding
    by_code = {m.code for _, m in logged if m.code}
    if code == "PEER_UNREACHABLE" and "IKE_POLICY_MISMATCH" in by_code:
        code = "IKE_POLICY_MISMATCH"
    elif code == "PEER_UNREACHABLE" and "IKE_AUTH_FAILED" in by_code and t.ike.version == 2:
        code = "IKE_AUTH_FAILED"
    related = [line for line, m in logged if m.code == code]
    return [
        finding(
            code,
            fam,
            t,
            t.device,
            [_ike_line(t), *related[-3:]],
            state=t.ike.state,
            meaning=info.meaning,
        )
    ]


def _ike_line(t: Tunnel) -> str:
    """The raw line the IKE state was read from, or a description of the IKE SA."""
    assert t.ike is not None
    if t.ike.evidence:
        return t.ike.evidence
    role = f", {t.ike.role}" if t.ike.role else ""
    conn = f", conn-id {t.ike.conn_id}" if t.ike.conn_id is not None else ""
    return f"IKEv{t.ike.version} SA with {t.peer}: {t.ike.state}{role}{conn}"


def _mirror_problem(t: Tunnel, other: Tunnel | None) -> str | None:
    """Why the two ends' crypto ACLs are not mirror images, or None."""
    if other is None or not t.acl_lines or not other.acl_lines:
        return None
    ours = {_swap(line) for line in t.acl_lines}
    theirs = set(other.acl_lines)
    if ours == theirs:
        return None
    return (
        f"{t.device} {t.acl}: {'; '.join(t.acl_lines)} / "
        f"{other.device} {other.acl}: {'; '.join(other.acl_lines)}"
    )


def _swap(line: str) -> str:
    src, _, dst = line.partition(" ")
    return f"{dst} {src}"


def _phase2_findings(
    t: Tunnel, fam: Family, logged: list[tuple[str, Message]], other: Tunnel | None
) -> list[Finding]:
    """IKE SA up and no IPsec SA: proposals or proxies."""
    mirror = _mirror_problem(t, other)
    proxy_lines = [line for line, m in logged if m.code == "PROXY_ID_MISMATCH"]
    p2_lines = [line for line, m in logged if m.code == "PHASE2_MISMATCH"]
    status = f"session status {t.session_status}" if t.session_status else ""
    evidence = [_ike_line(t) if t.ike else "", status]
    if mirror or proxy_lines:
        extra = [f"crypto ACLs differ: {mirror}"] if mirror else []
        return [
            finding("PROXY_ID_MISMATCH", fam, t, t.device, [*evidence, *extra, *proxy_lines[-2:]])
        ]
    return [finding("PHASE2_MISMATCH", fam, t, t.device, [*evidence, *p2_lines[-2:]])]


def _sa_findings(t: Tunnel, fam: Family, k: Knowledge) -> list[Finding]:
    """Counters and lifetimes of the SAs that exist."""
    out: list[Finding] = []
    limits = k.thresholds
    if (t.ike is None and t.ike_collected) or t.session_status == "UP-NO-IKE":
        why = "the IKE SA is gone and the IPsec SAs were left behind (no DPD)"
        out.append(
            finding(
                "STALE_SA",
                fam,
                t,
                t.device,
                [
                    f"session status {t.session_status or 'without IKE SA'}",
                    *(
                        f"SPI out {sa.spi_out}: encaps {sa.encaps}, decaps {sa.decaps}"
                        for sa in t.ipsec
                        if sa.has_sa
                    ),
                ],
                why=why,
            )
        )
    for sa in (s for s in t.ipsec if s.has_sa):
        ident = f"{sa.local_ident} -> {sa.remote_ident}"
        floor = int(limits["one_way"]["min_packets"])
        direction = _one_way(sa, floor)
        if direction:
            evidence = [f"#pkts encaps: {sa.encaps}, #pkts decaps: {sa.decaps}"]
            out.append(
                finding(
                    "ONE_WAY_TRAFFIC",
                    fam,
                    t,
                    t.device,
                    evidence,
                    direction=f"{direction} ({ident})",
                )
            )
        errors = {
            "send errors": sa.send_errors,
            "recv errors": sa.recv_errors,
            "verify failed": sa.verify_failed or 0,
            "invalid identity": sa.invalid_identity or 0,
        }
        bad = {name: n for name, n in errors.items() if n >= limits["errors"]["min_errors"]}
        if bad:
            text = ", ".join(f"{name} {n}" for name, n in bad.items())
            out.append(finding("IPSEC_ERRORS", fam, t, t.device, [f"{ident}: {text}"], errors=text))
        if (sa.replay_failed or 0) >= limits["replay"]["min_drops"]:
            text = f"{sa.replay_failed} replay failures"
            out.append(
                finding("REPLAY_ERRORS", fam, t, t.device, [f"{ident}: {text}"], errors=text)
            )
        total = _configured_lifetime(t)
        fraction = float(limits["sa_expiring"]["fraction_left"])
        expiring = sa.lifetime_s is not None and sa.lifetime_s < total * fraction
        if expiring and len(sa.spis_out) <= 1:  # a successor SA means the rekey is under way
            out.append(
                finding(
                    "SA_EXPIRING",
                    fam,
                    t,
                    t.device,
                    [f"{ident}: {sa.lifetime_s} s of {total} s left"],
                    left=f"{sa.lifetime_s} s",
                )
            )
    return out


def _one_way(sa: IpsecSa, floor: int) -> str | None:
    """Which way traffic stops, when one counter moves and the other stays at zero.

    >>> _one_way(IpsecSa("a", "b", encaps=50, decaps=0), 10)
    '50 packets encapsulated, none decapsulated'
    >>> _one_way(IpsecSa("a", "b", encaps=5, decaps=0), 10) is None
    True
    """
    for sent, received, out, back in (
        (sa.encaps, sa.decaps, "encapsulated", "decapsulated"),
        (sa.decaps, sa.encaps, "decapsulated", "encapsulated"),
    ):
        if sent >= floor and received == 0:
            return f"{sent} packets {out}, none {back}"
    return None


# The IOS default IPsec SA lifetime (ASA's is 28,800 s). An SA lives the smaller of the two
# ends' lifetimes and the peer's is not visible here, so a longer configured lifetime is
# not trusted: an SA 1,000 s from its end may be 1,000 s from the end of a 3,600 s SA.
_TYPICAL_LIFETIME_S = 3600


def _configured_lifetime(t: Tunnel) -> int:
    """The lifetime SA_EXPIRING measures against: the map entry's own when it is shorter
    than an hour (the SA cannot live longer), else an hour (see above)."""
    return min(t.sa_lifetime_s or _TYPICAL_LIFETIME_S, _TYPICAL_LIFETIME_S)


_NEGOTIATION_CODES = (
    "IKE_POLICY_MISMATCH",
    "IKE_AUTH_FAILED",
    "PROXY_ID_MISMATCH",
    "PHASE2_MISMATCH",
    "PEER_UNREACHABLE",
)


def _no_sa_findings(t: Tunnel, fam: Family, logged: list[tuple[str, Message]]) -> list[Finding]:
    """A configured peer with nothing at all: failed negotiations it logged, or no traffic."""
    for code in _NEGOTIATION_CODES:
        lines = [line for line, m in logged if m.code == code]
        if lines:  # a responder that refused keeps no SA, but says why in its log
            return [
                finding("CONFIGURED_NOT_UP", fam, t, t.device, [f"no IKE SA toward {t.peer}"]),
                finding(
                    code,
                    fam,
                    t,
                    t.device,
                    lines[-3:],
                    state="no SA",
                    meaning="the negotiation is refused here",
                ),
            ]
    attempts = sum((sa.no_sa_send or 0) for sa in t.ipsec)
    if attempts == 0 and t.session_status in (None, "DOWN"):
        # Nothing triggered the crypto map: an on-demand tunnel with nothing to carry.
        return [
            finding(
                "CONFIGURED_NOT_UP",
                fam,
                t,
                t.device,
                [f"no IKE SA or IPsec SA toward {t.peer}"],
                severity="warning",
            ),
            finding(
                "NO_INTERESTING_TRAFFIC",
                fam,
                t,
                t.device,
                [
                    f"session status {t.session_status or 'none'}",
                    "#pkts no sa (send): 0" if t.ipsec else "",
                ],
            ),
        ]
    return [
        finding(
            "CONFIGURED_NOT_UP",
            fam,
            t,
            t.device,
            [f"no IKE SA toward {t.peer}", f"#pkts no sa (send): {attempts}"],
        )
    ]


def _session_findings(t: Tunnel, fam: Family, k: Knowledge) -> list[Finding]:
    info = k.state("session", t.session_status or "")
    if info is None or info.finding is None or t.has_ipsec_sa:
        return []
    return [
        finding(
            info.finding, fam, t, t.device, [f"session status {t.session_status}: {info.meaning}"]
        )
    ]


def _flapping(t: Tunnel, fam: Family, k: Knowledge) -> list[Finding]:
    """FLAPPING from the logging buffer's down transitions (:mod:`ipsec_ops.events`)."""
    # The same events module as `ipsec-ops events`: down transitions in the buffer.
    downs = [e.line for e in events.downs(events.from_lines(t.device, t.log_lines, fam.log_group))]
    limit = int(k.thresholds["flapping"]["min_transitions"])
    if 2 * len(downs) < limit:
        return []
    window = k.thresholds["flapping"]["window_s"]
    return [
        finding(
            "FLAPPING",
            fam,
            t,
            t.device,
            downs[-3:],
            downs=len(downs),
            window=f"{int(window) // 60} min of log",
        )
    ]


def _log_only(
    t: Tunnel, fam: Family, logged: list[tuple[str, Message]], have: set[str]
) -> list[Finding]:
    """Data-plane problems only the logs show (invalid SPIs, replay, HMAC failures)."""
    out = []
    for code in ("STALE_SA", "REPLAY_ERRORS", "IPSEC_ERRORS"):
        lines = [line for line, m in logged if m.code == code]
        if lines and code not in have and t.has_ipsec_sa:
            out.append(
                finding(
                    code,
                    fam,
                    t,
                    t.device,
                    lines[-3:],
                    why="the logs report it",
                    errors=f"{len(lines)} log messages",
                )
            )
    return out


def diagnose_tunnel(t: Tunnel, fam: Family, other: Tunnel | None = None) -> None:
    """Fill ``t.findings`` and ``t.health``."""
    k = knowledge()
    logged = _messages(t, fam, k)
    findings: list[Finding] = []
    if t.ike is None and not t.has_ipsec_sa:
        if t.configured:
            findings += _no_sa_findings(t, fam, logged)
    elif t.ike is not None and not _phase1_up(t, fam, k):
        findings += _ike_findings(t, fam, k, logged)
    elif not t.has_ipsec_sa:
        findings += _phase2_findings(t, fam, logged, other)
    if t.has_ipsec_sa:
        findings += _sa_findings(t, fam, k)
    if not findings:  # nothing else known: the session status may still say it is down
        findings += _session_findings(t, fam, k)
    findings += _flapping(t, fam, k)
    findings += _log_only(t, fam, logged, {f.code for f in findings})
    t.findings = findings
    t.health = health_of(findings)


def _phase1_up(t: Tunnel, fam: Family, k: Knowledge) -> bool:
    assert t.ike is not None
    info = k.state("ikev2" if t.ike.version == 2 else fam.ike_state_table, t.ike.state)
    return info.phase1_up if info is not None else False


def health_of(findings: list[Finding]) -> str:
    """``up``, ``degraded`` or ``down`` from the worst severity.

    >>> health_of([]), health_of([Finding("X", "warning", "")])
    ('up', 'degraded')
    """
    worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    return {0: "up", 1: "degraded", 2: "down"}[worst]


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def diagnose(report: Report) -> Report:
    """Judge every tunnel of a report, using the other end when it is in the report too."""
    by_ends = {(_address(t.local), _address(t.peer)): t for t in report.tunnels}
    families = {d.name: d.family for d in report.devices}
    for t in report.tunnels:
        other = by_ends.get((_address(t.peer), _address(t.local)))
        diagnose_tunnel(t, family(families[t.device]), other)
    report.tunnels.sort(key=lambda t: (t.device, -_rank(t.health), t.peer))
    return report


def _rank(health: str) -> int:
    return {"up": 0, "degraded": 1, "down": 2, "unknown": 3}[health]


def device_finding(
    device: Device, code: str, evidence: Iterable[str] = (), **values: Any
) -> Finding:
    """A finding about a device itself (debugs left on, a map applied nowhere, not read)."""
    fam = family(device.family) if device.family else family("ios15")
    return finding(code, fam, None, device.name, evidence, **values)
