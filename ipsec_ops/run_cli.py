"""``ipsec-ops run PLAYBOOK.yaml``: a written procedure, checked first, then run step by step.

Registered in :mod:`ipsec_ops.cli` as ``app.command("run")(run_command)``. The whole
playbook runs inside one :func:`~ipsec_ops.targets.targets` context, so with ``--lab``
every step sees the same lab (a clear's effect is seen by the next health step).
See docs/playbooks.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops import options
from ipsec_ops.inventory import load_inventory
from ipsec_ops.playbooks.runner import RunOptions, check_confirmation, run
from ipsec_ops.playbooks.schema import check_inventory, load_playbook
from ipsec_ops.targets import targets


def _ask(question: str) -> bool:
    return typer.confirm(question, default=False)


@options.device_command
def run_command(
    playbook: Annotated[
        Path, typer.Argument(help="The playbook (YAML), e.g. playbooks/health-check.yaml.")
    ],
    var: Annotated[
        list[str] | None,
        typer.Option(
            "--var", help="Set a variable the playbook declares: NAME=VALUE (repeatable)."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print what every step would do (clears show their plan); change nothing.",
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Only check the playbook (and -i names); contact nothing."),
    ] = False,
    record: Annotated[
        Path | None, typer.Option("--record", help="Write the JSON run record here (atomically).")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm the playbook's clears (unattended runs).")
    ] = False,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Run a playbook: health checks, debugs, clears, reports and asserts, in order."""
    book = load_playbook(playbook, var)
    if check:
        if devices.inventory is not None:
            check_inventory(book, load_inventory(devices.inventory))
        typer.echo(
            f"{playbook}: ok ({len(book.steps)} steps: {', '.join(s.id for s in book.steps)})"
        )
        raise typer.Exit(0)
    opts = RunOptions(
        dry_run=dry_run,
        yes=yes,
        quiet=devices.quiet,
        interactive=sys.stdin.isatty(),
        record=record,
    )
    check_confirmation(book, opts)
    settings = devices.settings(quiet=True)  # the step log is the progress
    with targets(devices.inventory, devices.lab, devices.selection(), settings) as chosen:
        code = run(book, chosen, opts, typer.echo, _ask)
    raise typer.Exit(code)
