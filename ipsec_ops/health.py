"""The health report: a bundle in, a judged Report out (pure; collection is the caller's).

A device that could not be read, or whose output the templates do not fully
understand, is reported as ``unknown`` with the reason (the file and line), never
guessed at: a half-read device would give false verdicts on its tunnels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ipsec_ops import ezvpn
from ipsec_ops.bundle import DeviceCapture
from ipsec_ops.crypto_config import unapplied_maps
from ipsec_ops.diagnose import device_finding, diagnose
from ipsec_ops.model import Device, EzvpnSession, Report, Tunnel
from ipsec_ops.parse import NoTemplate, ParseError, parse
from ipsec_ops.platforms import family
from ipsec_ops.records import SOURCES
from ipsec_ops.tunnels import active_debugs, build_tunnels
from ipsec_ops.tunnels import log_lines as tunnels_log_lines

# The commands the join reads; others (show version, show logging) are used raw.
PARSED = {command for kind, commands in SOURCES.items() if kind != "log" for command in commands}


def parse_capture(capture: DeviceCapture) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Records of every command the join needs, and the problems (file: line not understood)."""
    parsed: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for command, text in capture.outputs.items():
        if command not in PARSED:
            continue
        if not text.strip():
            parsed[command] = []
            continue
        try:
            parsed[command] = parse(capture.family, command, text)
        except NoTemplate:
            continue
        except ParseError as exc:
            line = f"line {exc.line_no}" if exc.line_no else "a line"
            problems.append(
                f"{capture.files.get(command, command)}: {line} not understood by "
                f"{exc.template}: {exc.line.strip()!r}"
            )
    return parsed, problems


def _unknown(device: Device, reason: str) -> Device:
    device.status = "unknown"
    device.error = reason
    device.findings.append(device_finding(device, "COLLECTION_FAILED", [reason], error=reason))
    return device


@dataclass
class DeviceResult:
    """What one device of a bundle gives: its entry, its tunnels, its Easy VPN clients."""

    device: Device
    tunnels: list[Tunnel] = field(default_factory=list)
    clients: list[EzvpnSession] = field(default_factory=list)


def device_report(capture: DeviceCapture, generated_at: str = "") -> DeviceResult:
    """One device's entry, tunnels and remote-access clients (none when its state is
    unknown); the outputs are parsed once for all three."""
    device = Device(capture.name, capture.platform, capture.family, capture.version)
    if capture.status != "ok" or not capture.outputs:
        errors = capture.errors or [{"class": capture.status, "message": "no output collected"}]
        last = errors[-1]
        return DeviceResult(
            _unknown(device, f"{last.get('class', 'error')}: {last.get('message', '')}")
        )
    parsed, problems = parse_capture(capture)
    if problems:
        return DeviceResult(_unknown(device, problems[0]))
    for name in unapplied_maps(parsed):
        device.findings.append(
            device_finding(
                device, "CRYPTO_MAP_NOT_APPLIED", [f"crypto map {name}: no interface"], map=name
            )
        )
    debugs = active_debugs(parsed)
    if debugs:
        device.findings.append(
            device_finding(device, "DEBUG_LEFT_ON", debugs, what="; ".join(debugs[:3]))
        )
    tunnels = build_tunnels(capture, parsed)
    return DeviceResult(device, tunnels, remote_access(capture, parsed, generated_at))


def remote_access(
    capture: DeviceCapture, parsed: dict[str, list[dict[str, Any]]], generated_at: str
) -> list[EzvpnSession]:
    """The Easy VPN sessions of a device that was read (none when it has no server lines)."""
    text = next((capture.outputs[c] for c in ezvpn.SESSION_COMMANDS if c in capture.outputs), "")
    if not re.search(r"^\s*(?:Username|Group):", text, re.M):
        return []
    fam = family(capture.family) if capture.family else None
    logs = tunnels_log_lines(capture.outputs)
    return ezvpn.sessions(capture.name, parsed, logs, fam.log_group if fam else "ios", generated_at)


def build_report(captures: list[DeviceCapture], generated_at: str) -> Report:
    """Join, judge and sort every device of a bundle; Easy VPN clients in their own list."""
    results = [device_report(capture, generated_at) for capture in captures]
    return diagnose(
        Report(
            generated_at,
            [r.device for r in results],
            [t for r in results for t in r.tunnels],
            [c for r in results for c in r.clients],
        )
    )
