"""Capture bundles: the boundary between devices and the pure core.

``BUNDLE/<device>/device.json`` plus one text file per command, raw as the
device sent it (after paging is off, secrets masked). Every file is written
atomically (temp + rename), device.json last, so an interrupted run leaves only
whole files and a device.json that says what happened.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipsec_ops import atomic
from ipsec_ops.bundle import BUNDLE_FILE, DEVICE_FILE, command_filename
from ipsec_ops.errors import DeviceError
from ipsec_ops.isotime import utc_now
from ipsec_ops.platforms import family, family_for_version, version_of
from ipsec_ops.runner import Cancel, Outcome, RunReport, run_fleet
from ipsec_ops.settings import RunSettings
from ipsec_ops.transport import CommandResult, Redactor, open_session

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host


@dataclass
class CommandRecord:
    command: str
    file: str | None
    status: str  # "ok", "rejected" (device error marker), "failed"
    elapsed_s: float = 0.0
    error: str | None = None


@dataclass
class DeviceRecord:
    """The content of device.json (DESIGN contract fields first)."""

    name: str
    platform: str
    hostname: str
    collected_at: str
    version: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    family: str = ""
    status: str = "ok"  # "ok", "partial", "failed", "not_reached"
    commands: list[CommandRecord] = field(default_factory=list)

    def fail(self, kind: str, message: str, command: str | None = None) -> None:
        entry = {"class": kind, "message": message}
        if command:
            entry["command"] = command
        self.errors.append(entry)
        self.status = "partial" if any(c.status != "failed" for c in self.commands) else "failed"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


class DeviceWriter:
    """Writes one device's folder of a bundle."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, result: CommandResult) -> CommandRecord:
        name = command_filename(result.command)
        atomic.write_text(self.folder / name, result.output, make_parents=True)
        status = "rejected" if result.rejected else "ok"
        return CommandRecord(result.command, name, status, round(result.elapsed_s, 3))

    def finish(self, record: DeviceRecord) -> None:
        atomic.write_text(self.folder / DEVICE_FILE, record.to_json(), make_parents=True)


def collect_host(
    host: Host, settings: RunSettings, redactor: Redactor, bundle: Path, cancel: Cancel
) -> DeviceRecord:
    """Read one device's command set into ``bundle/<name>/``; device.json is always written."""
    writer = DeviceWriter(bundle / host.name)
    record = DeviceRecord(host.name, host.platform, host.hostname, utc_now(), family=host.family)
    command = None
    healthy = True
    try:
        session = open_session(host, settings.transport, redactor)
    except Exception as exc:
        record.fail(*_error_class(exc))
        writer.finish(record)
        raise
    cancel.register(session)
    try:
        command = "show version"
        version = session.run(command)
        record.commands.append(writer.save(version))
        record.version = version_of(host.platform, version.output)
        if record.version:
            record.family = family_for_version(host.platform, record.version)
        for command in family(record.family).show_commands:
            if command == "show version":
                continue
            result = session.run(command)
            record.commands.append(writer.save(result))
            if result.rejected:
                record.errors.append(
                    {
                        "class": "rejected",
                        "command": command,
                        "message": result.output.strip().splitlines()[-1],
                    }
                )
        return record
    except Exception as exc:
        healthy = False
        kind, message = _error_class(exc)
        record.commands.append(CommandRecord(command or "", None, "failed", error=message))
        record.fail("interrupted" if cancel.cancelled else kind, message, command)
        raise
    finally:
        cancel.unregister(session)
        if healthy:
            session.close()
        else:  # a hung or broken session: no polite logout that waits for a prompt
            session.abort()
        writer.finish(record)


def _error_class(exc: Exception) -> tuple[str, str]:
    """The error class and one-line message device.json records for an exception."""
    if isinstance(exc, DeviceError):
        return exc.kind, exc.message
    return "internal", f"{type(exc).__name__}: {exc}".splitlines()[0]


def not_reached(outcome: Outcome[DeviceRecord], bundle: Path) -> None:
    """Record a device the run never reached (interrupted before it started)."""
    host = outcome.host
    record = DeviceRecord(
        host.name, host.platform, host.hostname, utc_now(), family=host.family, status="not_reached"
    )
    record.errors.append(
        {"class": outcome.error_kind or "not_reached", "message": outcome.error or "not reached"}
    )
    DeviceWriter(bundle / host.name).finish(record)


def collect(
    hosts: list[Host], bundle: Path, settings: RunSettings, redactor: Redactor
) -> RunReport[DeviceRecord]:
    """Collect every host into ``bundle``; one outcome per host, failures isolated."""
    bundle.mkdir(parents=True, exist_ok=True)

    def task(host: Host, cancel: Cancel) -> DeviceRecord:
        return collect_host(host, settings, redactor, bundle, cancel)

    report = run_fleet(hosts, task, settings, label="collect")
    for outcome in report.outcomes:
        if outcome.error_kind == "not_reached":
            not_reached(outcome, bundle)
    summary: dict[str, Any] = {
        "generated_at": utc_now(),
        "interrupted": report.interrupted,
        "devices": {o.host.name: ("ok" if o.ok else o.error_kind) for o in report.outcomes},
    }
    atomic.write_text(bundle / BUNDLE_FILE, json.dumps(summary, indent=2) + "\n", make_parents=True)
    return report
