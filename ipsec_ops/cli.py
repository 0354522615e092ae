"""The ``ipsec-ops`` command line: arguments in, a service called, output rendered.

Every :class:`~ipsec_ops.errors.IpsecOpsError` becomes one line on stderr and
its exit code; nothing else leaks a traceback to the user.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from ipsec_ops import options, show_cli
from ipsec_ops.clear_cli import clear_command
from ipsec_ops.collect import collect
from ipsec_ops.debug_cli import debug_app
from ipsec_ops.errors import (
    EXIT_OK,
    EXIT_SOFTWARE,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    InputFileError,
    IpsecOpsError,
)
from ipsec_ops.events_cli import events_command
from ipsec_ops.inventory_cli import inventory_app
from ipsec_ops.lab.cli import lab_app
from ipsec_ops.logging_cli import logging_app
from ipsec_ops.report_cli import report_app
from ipsec_ops.run_cli import run_command
from ipsec_ops.settings import DEFAULT_LOCK_TIMEOUT
from ipsec_ops.targets import targets

app = typer.Typer(
    help="Health checks, safe debugs and peer-scoped clears for Cisco IPsec VPNs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(lab_app, name="lab")
app.add_typer(inventory_app, name="inventory")
app.add_typer(debug_app, name="debug")
app.add_typer(report_app, name="report")
app.command("clear")(clear_command)
app.command("run")(run_command)
app.command("show")(show_cli.show)
app.add_typer(logging_app, name="logging")
app.command("events")(events_command)


@app.command("health")
@options.device_command
def health_command(
    from_bundle: Annotated[
        Path | None, typer.Option("--from", help="Analyze a saved bundle (no network at all).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv, md, html, prom or nagios.")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the report here (atomically).")
    ] = None,
    save_bundle: Annotated[
        Path | None, typer.Option("--save-bundle", help="Keep the collected bundle here.")
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Record this run in a history database and report availability, rates and"
            " FLAPPING over --since (for cron).",
            rich_help_panel=options.PANEL_HISTORY,
        ),
    ] = None,
    since: options.SinceOpt = "24h",
    keep_days: options.KeepDaysOpt = None,
    lock_timeout: options.LockTimeoutOpt = DEFAULT_LOCK_TIMEOUT,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Which tunnels are up, sick or down, why, and what to check next."""
    from ipsec_ops import reports
    from ipsec_ops.gather import gather
    from ipsec_ops.recording import HistorySettings, record_run

    reports.check_format(fmt)
    since_s = options.parse_duration(since)
    # Progress only under the terminal table: a machine format on stdout stays clean.
    quiet = devices.quiet or fmt != "table" or out is not None
    got = gather(devices, from_bundle, quiet=quiet, save_bundle=save_bundle)
    report = got.report
    text: str | None = None
    if db is not None:
        rec = record_run(report, got.at, HistorySettings(db, since_s, keep_days, lock_timeout))
        if fmt == "html":  # the daily report's changes, availability and charts on top
            from ipsec_ops.daily import render_html

            text = render_html(report, rec.changes, rec.window, got.at - since_s, got.at)
    if fmt == "table" and out is None:
        reports.print_table(report)
        raise typer.Exit(report.exit_code())
    text = text if text is not None else reports.render(report, fmt)
    if out is not None:
        reports.write_text(text, out)
    else:
        typer.echo(text, nl=False)
    raise typer.Exit(report.exit_code())


@app.command("parse")
def parse_command(
    file: Annotated[Path, typer.Argument(help="Saved output of one command.")],
    platform: Annotated[
        str,
        typer.Option(
            "--platform",
            help="cisco_ios, cisco_xe, cisco_asa, cisco_pix, or a family such as pix6.3.",
        ),
    ],
    command: Annotated[
        str, typer.Option("--command", help='The command, e.g. "show crypto isakmp sa".')
    ],
    template: Annotated[
        Path | None, typer.Option("--template", help="Force this template.")
    ] = None,
) -> None:
    """Parse saved output with the TextFSM templates and print the records as JSON."""
    from ipsec_ops import parse as parsing

    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputFileError(str(file), "", f"cannot read: {exc.strerror or exc}") from None
    if template is not None and not template.is_file():
        raise InputFileError(str(template), "", "template not found")
    chosen = template or parsing.find_template(platform, command)
    records = parsing.parse_with(chosen, text)
    typer.echo(json.dumps(records, indent=2))


@app.command("collect")
@options.device_command
def collect_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Bundle folder to write.")],
    *,
    devices: options.DeviceOptions,
) -> None:
    """Read every selected device's crypto state into a capture bundle."""
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:
        report = collect(chosen.hosts, out, chosen.settings, chosen.redactor)
    ok = sum(1 for o in report.outcomes if o.ok)
    typer.echo(f"collected {ok} of {len(report.outcomes)} devices into {out}")
    for o in report.failed:
        typer.echo(f"  {o.host.name}: {o.error_kind}: {o.error}")
    if report.interrupted:
        missing = [
            o.host.name for o in report.failed if o.error_kind in ("not_reached", "interrupted")
        ]
        typer.echo(f"interrupted; not reached: {', '.join(missing) or 'none'}")
    raise typer.Exit(EXIT_OK if ok == len(report.outcomes) else EXIT_UNKNOWN)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors printed as one line)."""
    try:
        # Without standalone mode, click returns the code of typer.Exit instead of raising it.
        code = app(args=argv, prog_name="ipsec-ops", standalone_mode=False)
    except IpsecOpsError as exc:
        typer.echo(f"ipsec-ops: {exc}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("ipsec-ops: aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("ipsec-ops: interrupted", err=True)
        return 130
    except TyperException as exc:  # bad options and arguments
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"ipsec-ops: {exc}", err=True)
        return EXIT_USAGE
    except Exception as exc:  # a bug of ours: one line, and the traceback only on request
        if os.environ.get("IPSEC_OPS_DEBUG"):
            raise
        typer.echo(
            f"ipsec-ops: internal error: {type(exc).__name__}: {exc} "
            "(set IPSEC_OPS_DEBUG=1 for the traceback)",
            err=True,
        )
        return EXIT_SOFTWARE
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
