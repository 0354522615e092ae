"""A health report for the command line: from a saved bundle, or by collecting devices.

``health`` and ``report daily`` both start here, so ``--from`` and ``-i``/``--lab``
mean the same thing in both, and both know *when* the state was read: now for a
collection, the bundle's own ``collected_at`` for a saved bundle (recording an
old bundle in the history puts it at its time, not at the time it was imported).
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ipsec_ops.bundle import collected_time, read_bundle
from ipsec_ops.collect import collect
from ipsec_ops.errors import UsageError
from ipsec_ops.health import build_report
from ipsec_ops.isotime import utc_now
from ipsec_ops.model import Report
from ipsec_ops.options import DeviceOptions
from ipsec_ops.targets import targets


@dataclass(frozen=True)
class Gathered:
    report: Report
    at: float  # when the devices' state was read, epoch seconds


def gather(
    devices: DeviceOptions,
    from_bundle: Path | None,
    *,
    quiet: bool,
    save_bundle: Path | None = None,
) -> Gathered:
    """The report of ``--from BUNDLE`` (no network) or of the selected devices."""
    if from_bundle is not None:
        if devices.inventory is not None or devices.lab:
            raise UsageError("--from reads a saved bundle: do not combine it with -i or --lab")
        captures = read_bundle(from_bundle)
        if devices.host:
            captures = [c for c in captures if c.name in devices.host]
        at = collected_time(captures)
        return Gathered(build_report(captures, utc_now()), time.time() if at is None else at)
    settings = devices.settings(quiet=quiet)
    with contextlib.ExitStack() as stack:
        folder = save_bundle or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="ipsec-ops-bundle-"))
        )
        at = time.time()
        with targets(devices.inventory, devices.lab, devices.selection(), settings) as chosen:
            collect(chosen.hosts, folder, chosen.settings, chosen.redactor)
        return Gathered(build_report(read_bundle(folder), utc_now()), at)


__all__ = ["Gathered", "gather"]
