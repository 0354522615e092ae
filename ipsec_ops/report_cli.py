"""``ipsec-ops report daily``: collect (or read a bundle), record, write the dated report.

Registered in :mod:`ipsec_ops.cli` as ``app.add_typer(report_app, name="report")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops import options
from ipsec_ops.settings import DEFAULT_LOCK_TIMEOUT

report_app = typer.Typer(
    help="Scheduled reports: record each run in a history database and write dated files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    since: options.SinceOpt = "24h",
    csv: Annotated[bool, typer.Option("--csv", help="Also write a CSV report.")] = False,
    keep_days: options.KeepDaysOpt = None,
    lock_timeout: options.LockTimeoutOpt = DEFAULT_LOCK_TIMEOUT,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Collect, record in the history, and write today's report (JSON, HTML, CSV) and latest."""
    from ipsec_ops.daily import run_daily
    from ipsec_ops.gather import gather

    since_s = options.parse_duration(since)
    got = gather(devices, from_bundle, quiet=True)
    result = run_daily(
        got.report,
        db,
        out,
        since_s,
        got.at,
        csv,
        lock_timeout=lock_timeout,
        keep_days=keep_days,
    )
    if not devices.quiet:
        first = result.files[0] if result.files else out
        again = " (this reading was already recorded: not stored twice)" if result.repeated else ""
        typer.echo(
            f"run {result.run}{again}: {len(result.changes)} changes since the previous report;"
            f" wrote {first} and latest copies"
        )
    raise typer.Exit(got.report.exit_code())


__all__ = ["report_app"]
