"""Which devices a command works on: an inventory and a selection, or the built-in lab.

``--lab`` starts the default lab in-process, writes its inventory and
known_hosts to a temporary folder and reads them back through the same
inventory loader users' files go through, so the lab is reached exactly as
production devices are.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ipsec_ops.errors import UsageError
from ipsec_ops.inventory import Host, Inventory, load_inventory
from ipsec_ops.selection import Selection, select
from ipsec_ops.settings import RunSettings
from ipsec_ops.transport import Redactor

MAX_WARNINGS = 3


@dataclass
class Targets:
    hosts: list[Host]
    settings: RunSettings
    redactor: Redactor
    inventory: Inventory


def warn(message: str) -> None:
    sys.stderr.write(f"ipsec-ops: warning: {message}\n")


@contextmanager
def targets(
    inventory: Path | None,
    lab: bool,
    selection: Selection,
    settings: RunSettings,
    lab_scenario: str = "default",
) -> Iterator[Targets]:
    """Resolve ``-i INV`` or ``--lab`` plus the selection into hosts; the lab stops on exit."""
    if inventory is not None and lab:
        raise UsageError("give either --inventory/-i or --lab, not both")
    if inventory is None and not lab:
        raise UsageError("no devices: give --inventory/-i INV or --lab")
    if settings.transport.insecure_no_host_key_check:
        warn("host keys are NOT checked (--insecure-no-host-key-check)")
    if inventory is not None:
        inv = load_inventory(inventory)
        yield _resolve(inv, selection, settings)
        return
    from ipsec_ops.lab.runtime import Lab
    from ipsec_ops.lab.scenario import load_scenario

    with (
        tempfile.TemporaryDirectory(prefix="ipsec-ops-lab-") as tmp,
        Lab(load_scenario(lab_scenario)) as running,
    ):
        folder = running.write_inventory(Path(tmp))
        inv = load_inventory(folder)
        transport = dataclasses.replace(settings.transport, known_hosts=folder / "known_hosts")
        yield _resolve(
            inv, selection, dataclasses.replace(settings, transport=transport), quiet_warnings=True
        )


def _resolve(
    inv: Inventory, selection: Selection, settings: RunSettings, quiet_warnings: bool = False
) -> Targets:
    if not quiet_warnings:
        for message in inv.warnings[:MAX_WARNINGS]:
            warn(message)
        if len(inv.warnings) > MAX_WARNINGS:
            more = len(inv.warnings) - MAX_WARNINGS
            warn(f"... and {more} more plain-text secrets in {inv.source}")
    hosts = select(inv, selection)
    if not hosts:
        raise UsageError("the selection matches no host of the inventory")
    return Targets(hosts, settings, Redactor(inv.secrets()), inv)
