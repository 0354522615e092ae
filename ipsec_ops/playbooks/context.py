"""What every step of a run shares: the hosts, settings, redactor, options, earlier results."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsec_ops.bundle import read_bundle
from ipsec_ops.collect import collect
from ipsec_ops.errors import IpsecOpsError
from ipsec_ops.health import build_report
from ipsec_ops.inventory import Host, Inventory
from ipsec_ops.isotime import utc_now
from ipsec_ops.model import Report
from ipsec_ops.playbooks.asserts import Key
from ipsec_ops.playbooks.spec import Playbook
from ipsec_ops.selection import Selection, select
from ipsec_ops.settings import RunSettings
from ipsec_ops.transport import Redactor

EXIT_ASSERT = 4  # an assert step's condition held
EXIT_STEP_FAILED = 5  # a step could not do its job (refused, unreadable, not confirmed, ...)


class StepFailed(IpsecOpsError):
    """A step cannot do its job; the run goes on or stops by its failure policy."""

    exit_code = EXIT_STEP_FAILED


@dataclass
class StepResult:
    status: str = "ok"  # ok, failed, planned (dry run), interrupted, skipped
    code: int = 0  # the step's exit code: Nagios 0-3, 4 assert failed, 5 step failed
    summary: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # the result, for the run record
    report: Report | None = None  # health and report steps
    keys: list[Key] = field(default_factory=list)  # the tunnels a clear step cleared


@dataclass
class Context:
    playbook: Playbook
    hosts: list[Host]  # the run's hosts: the inventory selection and the playbook's select
    inventory: Inventory
    settings: RunSettings
    redactor: Redactor
    dry_run: bool = False
    yes: bool = False
    quiet: bool = False
    echo: Callable[[str], None] = print
    ask: Callable[[str], bool] = lambda _: False  # a yes/no question on the terminal
    interactive: bool = False  # a terminal to ask on
    results: dict[str, StepResult] = field(default_factory=dict)
    needed: set[str] = field(default_factory=set)  # health steps a dry run must read

    def hosts_for(self, selection: Selection | None) -> list[Host]:
        """The run's hosts, narrowed by a step's ``select``."""
        if selection is None:
            return list(self.hosts)
        names = {h.name for h in select(self.inventory, selection)}
        return [h for h in self.hosts if h.name in names]

    def host(self, name: str) -> Host:
        return next(h for h in self.hosts if h.name == name)

    def detail(self, line: str) -> None:
        """A line under the current step (not with --quiet)."""
        if not self.quiet:
            self.note(line)

    def note(self, line: str) -> None:
        """A line under the current step that --quiet keeps (safety messages)."""
        for part in line.splitlines() or [""]:
            self.echo(f"      {part}")

    def report_of(self, step_id: str) -> Report:
        """The health report of an earlier step (StepFailed when it produced none)."""
        result = self.results.get(step_id)
        if result is None or result.report is None:
            status = result.status if result is not None else "not run"
            raise StepFailed(f"step {step_id!r} has no health result ({status})")
        return result.report

    def confirm(self) -> None:
        """Confirmation for a clear: --yes, or a yes on the terminal; refuse otherwise."""
        if self.yes:
            return
        if not self.interactive:
            raise StepFailed("not confirmed: no terminal to ask on; add --yes")
        if not self.ask("Send these commands?"):
            raise StepFailed("not confirmed: nothing sent")

    def collect_report(self, hosts: list[Host]) -> Report:
        """Read ``hosts`` (concurrently, one bad device never stops the others) and judge."""
        with tempfile.TemporaryDirectory(prefix="ipsec-ops-bundle-") as tmp:
            run = collect(hosts, Path(tmp), self.settings, self.redactor)
            if run.interrupted:
                raise KeyboardInterrupt
            return build_report(read_bundle(Path(tmp)), utc_now())


def health_summary(report: Report) -> str:
    """One line: tunnels per health and unreadable devices.

    >>> from ipsec_ops.model import Device, Tunnel
    >>> health_summary(Report("t", [Device("r1", "cisco_ios")], [Tunnel("r1", "192.0.2.1")]))
    '1 tunnels on 1 devices: 1 up, 0 degraded, 0 down, 0 unknown'
    """
    c = report.counts()
    return (
        f"{len(report.tunnels)} tunnels on {len(report.devices)} devices: {c['up']} up, "
        f"{c['degraded']} degraded, {c['down']} down, {c['unknown']} unknown"
    )


def not_up(report: Report) -> list[dict[str, Any]]:
    """The tunnels that are not up and the devices not read, for the run record."""
    out: list[dict[str, Any]] = [
        {
            "device": t.device,
            "peer": t.peer,
            "health": t.health,
            "findings": [f.code for f in t.findings],
        }
        for t in report.tunnels
        if t.health != "up"
    ]
    out += [
        {"device": d.name, "peer": None, "health": "unknown", "error": d.error}
        for d in report.devices
        if d.status != "ok"
    ]
    return out


__all__ = ["EXIT_ASSERT", "EXIT_STEP_FAILED", "Context", "StepFailed", "StepResult"]
