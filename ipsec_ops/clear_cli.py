"""``ipsec-ops clear``: a change window's clears, planned, confirmed, verified and audited."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops import clearing, options
from ipsec_ops.errors import EXIT_OK, UsageError
from ipsec_ops.targets import targets
from ipsec_ops.transport import open_session


def _echo(line: str, err: bool) -> None:
    typer.echo(line, err=err)


def _confirm(yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "not confirmed: no terminal to ask on; review the plan (--dry-run) and add --yes"
        )
    if not typer.confirm("Send these commands?", default=False):
        raise UsageError("not confirmed: nothing sent")


@options.device_command
def clear_command(
    peer: Annotated[
        list[str] | None, typer.Option("--peer", help="A peer to clear (repeatable).")
    ] = None,
    stuck: Annotated[
        bool,
        typer.Option(
            "--stuck", help="Clear the tunnels the health rules mark STALE_SA, and only those."
        ),
    ] = False,
    phase: Annotated[str, typer.Option("--phase", help="1, 2 or both.")] = "both",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; send nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    verify_timeout: Annotated[
        float,
        typer.Option(
            "--verify-timeout", min=1, help="Seconds to wait for cleared tunnels to come back."
        ),
    ] = 60.0,
    max_peers: Annotated[
        int, typer.Option("--max", min=1, help="At most this many peers.")
    ] = clearing.DEFAULT_MAX,
    force: Annotated[
        bool, typer.Option("--force", help="Clear a peer the device does not know.")
    ] = False,
    audit: Annotated[
        Path | None,
        typer.Option("--audit", help="Audit log (JSON lines); default under the state directory."),
    ] = None,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Clear the SAs of named peers (or the stuck ones), verify they came back, audit it."""
    if phase not in ("1", "2", "both"):
        raise UsageError(f"--phase {phase!r}: expected 1, 2 or both")
    if bool(peer) == stuck:
        raise UsageError("give --peer PEER (with one --host) or --stuck, not both, not neither")
    if peer and (not devices.host or len(devices.host) != 1):
        raise UsageError("--peer clears on one device: give exactly one --host")
    opts = clearing.ClearOptions(
        phase, max_peers, force, dry_run, verify_timeout, audit or clearing.audit_path()
    )
    code = EXIT_OK
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:
        for host in chosen.hosts:
            with open_session(host, chosen.settings.transport, chosen.redactor) as session:
                done = clearing.clear_host(
                    session,
                    host,
                    None if stuck else list(peer or []),
                    opts,
                    _echo,
                    lambda: _confirm(yes),
                )
            code = max(code, done.code)
    raise typer.Exit(code)
