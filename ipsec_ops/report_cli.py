"""``ipsec-ops report daily``: collect (or read a bundle), record, write the dated report.

Registered in :mod:`ipsec_ops.cli` as ``app.add_typer(report_app, name="report")``.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops import options
from ipsec_ops.daily import DEFAULT_LOCK_TIMEOUT
from ipsec_ops.errors import UsageError

report_app = typer.Typer(
    help="Scheduled reports: record each run in a history database and write dated files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)


def parse_duration(text: str, option: str = "--since") -> float:
    """Seconds in ``text``: a number with an optional s, m, h or d suffix (UsageError else).

    >>> parse_duration("24h"), parse_duration("90m"), parse_duration("2d"), parse_duration("30")
    (86400.0, 5400.0, 172800.0, 30.0)
    """
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(f"{option}: bad duration {text!r} (use e.g. 30m, 24h or 7d)")
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if seconds <= 0:
        raise UsageError(f"{option}: the duration must be more than zero, not {text!r}")
    return seconds


@report_app.callback()
def report_group() -> None:
    """Scheduled reports with a run history."""


@report_app.command("daily")
@options.device_command
def daily_command(
    db: Annotated[Path, typer.Option("--db", help="SQLite history database (created if new).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the dated reports.")],
    from_bundle: Annotated[
        Path | None, typer.Option("--from", help="Report on a saved bundle (no network at all).")
    ] = None,
    since: Annotated[
        str, typer.Option("--since", help="Availability window: 30m, 24h, 7d...")
    ] = "24h",
    csv: Annotated[bool, typer.Option("--csv", help="Also write a CSV report.")] = False,
    lock_timeout: Annotated[
        float,
        typer.Option("--lock-timeout", min=0, help="Seconds to wait for another run to finish."),
    ] = DEFAULT_LOCK_TIMEOUT,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Collect, record in the history, and write today's report (JSON, HTML, CSV) and latest."""
    from ipsec_ops.bundle import read_bundle
    from ipsec_ops.collect import collect, utc_now
    from ipsec_ops.daily import run_daily
    from ipsec_ops.health import build_report
    from ipsec_ops.targets import targets

    since_s = parse_duration(since)
    if from_bundle is not None:
        if devices.inventory is not None or devices.lab:
            raise UsageError("--from reads a saved bundle: do not combine it with -i or --lab")
        captures = read_bundle(from_bundle)
        if devices.host:
            captures = [c for c in captures if c.name in devices.host]
        report = build_report(captures, utc_now())
    else:
        settings = devices.settings(quiet=True)
        with tempfile.TemporaryDirectory(prefix="ipsec-ops-bundle-") as tmp:
            folder = Path(tmp)
            with targets(devices.inventory, devices.lab, devices.selection(), settings) as chosen:
                collect(chosen.hosts, folder, chosen.settings, chosen.redactor)
            report = build_report(read_bundle(folder), utc_now())
    result = run_daily(report, db, out, since_s, time.time(), csv, lock_timeout=lock_timeout)
    if not devices.quiet:
        first = result.files[0] if result.files else out
        typer.echo(
            f"run {result.run}: {len(result.changes)} changes since the previous report;"
            f" wrote {first} and latest copies"
        )
    raise typer.Exit(report.exit_code())


__all__ = ["parse_duration", "report_app"]
