"""The ``ipsec-ops`` command line: arguments in, a service called, output rendered.

Every :class:`~ipsec_ops.errors.IpsecOpsError` becomes one line on stderr and
its exit code; nothing else leaks a traceback to the user.
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from ipsec_ops.errors import EXIT_USAGE, IpsecOpsError
from ipsec_ops.inventory_cli import inventory_app
from ipsec_ops.lab.cli import lab_app

app = typer.Typer(
    help="Health checks, safe debugs and peer-scoped clears for Cisco IPsec VPNs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(lab_app, name="lab")
app.add_typer(inventory_app, name="inventory")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors printed as one line)."""
    try:
        app(args=argv, prog_name="ipsec-ops", standalone_mode=False)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
