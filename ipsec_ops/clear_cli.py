"""``ipsec-ops clear``: a change window's clears, planned, confirmed, verified and audited."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops import clearing, options
from ipsec_ops.errors import EXIT_DOWN, EXIT_OK, EXIT_UNKNOWN, UsageError
from ipsec_ops.platforms import family
from ipsec_ops.targets import targets
from ipsec_ops.transport import open_session


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
    audit_log = audit or clearing.audit_path()
    code = EXIT_OK
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:
        for host in chosen.hosts:
            fam = family(host.family)
            with open_session(host, chosen.settings.transport, chosen.redactor) as session:
                before = clearing.snapshot(session, host)
                names = list(peer or [])
                if stuck:
                    stale = [
                        t.peer for t in before if any(f.code == "STALE_SA" for f in t.findings)
                    ]
                    names = stale[:max_peers]
                    if len(stale) > max_peers:
                        typer.echo(
                            f"{host.name}: {len(stale)} stale SAs, clearing the first "
                            f"{max_peers} (--max)"
                        )
                    if not names:
                        typer.echo(f"{host.name}: no stale SA")
                        continue
                host_phase = phase
                if stuck and phase == "both" and fam.clear is not None and not fam.clear.both:
                    # A stale SA is an IPsec problem: phase 2 is enough, and per peer here.
                    host_phase = "2"
                    typer.echo(f"{host.name}: {fam.name} clears per peer in phase 2 only")
                try:
                    cleared = clearing.plan(
                        host.name, fam, before, names, host_phase, max_peers, force
                    )
                except clearing.ClearRefused as exc:
                    if not stuck:
                        raise
                    typer.echo(f"{host.name}: refused: {exc}", err=True)
                    code = EXIT_UNKNOWN  # the fleet goes on; the exit code says not all done
                    continue
                typer.echo("\n".join(cleared.lines()))
                if dry_run:
                    continue
                _confirm(yes)
                replies = {p.peer: clearing.apply(session, fam, p) for p in cleared.peers}
                results, changed = clearing.verify(session, host, cleared, verify_timeout)
            for result, p in zip(results, cleared.peers, strict=True):
                clearing.audit(audit_log, host, p, replies[p.peer], result, changed)
                extra = f" ({', '.join(result.findings)})" if result.findings else ""
                typer.echo(
                    f"{host.name} {result.peer}: {result.result}{extra}; SPIs "
                    f"{', '.join(result.old_spis) or '-'} -> "
                    f"{', '.join(result.new_spis) or '-'}"
                )
                if result.result == "still down":
                    code = max(code, EXIT_DOWN) if code != EXIT_UNKNOWN else code
                elif result.result != "recovered":
                    code = EXIT_UNKNOWN
            if changed:
                typer.echo(f"{host.name}: OTHER TUNNELS CHANGED: {', '.join(changed)}")
                code = EXIT_UNKNOWN
    raise typer.Exit(code)
