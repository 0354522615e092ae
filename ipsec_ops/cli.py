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

from ipsec_ops import options
from ipsec_ops.collect import collect
from ipsec_ops.errors import (
    EXIT_OK,
    EXIT_SOFTWARE,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    InputFileError,
    IpsecOpsError,
)
from ipsec_ops.inventory import Selection
from ipsec_ops.inventory_cli import inventory_app
from ipsec_ops.lab.cli import lab_app
from ipsec_ops.targets import targets

app = typer.Typer(
    help="Health checks, safe debugs and peer-scoped clears for Cisco IPsec VPNs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(lab_app, name="lab")
app.add_typer(inventory_app, name="inventory")


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
def collect_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Bundle folder to write.")],
    inventory: options.InventoryOpt = None,
    lab: options.LabOpt = False,
    host: options.HostOpt = None,
    group: options.GroupOpt = None,
    platform: options.PlatformOpt = None,
    filter_: options.FilterOpt = None,
    known_hosts: options.KnownHostsOpt = options.DEFAULT_KNOWN_HOSTS,
    accept_new: options.AcceptNewOpt = False,
    insecure: options.InsecureOpt = False,
    connect_timeout: options.ConnectTimeoutOpt = 15.0,
    command_timeout: options.CommandTimeoutOpt = 60.0,
    ssh_config: options.SshConfigOpt = None,
    session_log: options.SessionLogOpt = None,
    context: options.ContextOpt = None,
    workers: options.WorkersOpt = options.DEFAULT_WORKERS,
    quiet: options.QuietOpt = False,
) -> None:
    """Read every selected device's crypto state into a capture bundle."""
    settings = options.run_settings_from(
        known_hosts,
        accept_new,
        insecure,
        connect_timeout,
        command_timeout,
        ssh_config,
        session_log,
        context,
        workers,
        quiet,
    )
    selection = Selection.from_options(host, group, platform, filter_)
    with targets(inventory, lab, selection, settings) as chosen:
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
        typer.echo(f"ipsec-ops: internal error: {type(exc).__name__}: {exc} "
                   "(set IPSEC_OPS_DEBUG=1 for the traceback)", err=True)
        return EXIT_SOFTWARE
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
