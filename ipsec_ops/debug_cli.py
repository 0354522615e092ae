"""``ipsec-ops debug peer|status|reset|analyze``: the troubleshooting loop, safely."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops import journal, options
from ipsec_ops.debugging import DebugRequest, count_active_sas, debug_state, reset, run_debug
from ipsec_ops.errors import EXIT_OK, EXIT_UNKNOWN, DeviceError, UsageError
from ipsec_ops.platforms import family
from ipsec_ops.targets import targets
from ipsec_ops.transport import open_session

debug_app = typer.Typer(
    help="Crypto conditional debugs: arm for one peer, capture, always "
    "reset; and debug log analysis.",
    no_args_is_help=True,
)

UNTIL_LIMIT_S = 600.0  # --until without --duration still ends eventually


def _note(message: str) -> None:
    typer.echo(message, err=True)


def _one_host(devices: options.DeviceOptions) -> None:
    if not devices.host or len(devices.host) != 1:
        raise UsageError("debug works on one device at a time: give exactly one --host")


@debug_app.command("peer")
@options.device_command
def peer_command(
    peer: Annotated[str, typer.Argument(help="The peer address the condition selects.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="Debugs to enable, comma separated: isakmp, 'isakmp error', 'isakmp ha', "
            "ipsec, 'ipsec error', routing, ha, engine, 'engine error', 'engine packet', "
            "ikev2, 'ikev2 packet', 'ikev2 internal', 'ikev2 error' (IOS), 'ikev2 protocol', "
            "'ikev2 platform' (ASA 9) (each family has its own set; 'engine packet' needs a "
            "peer condition on a hub).",
        ),
    ] = "isakmp,ipsec",
    duration: Annotated[
        float | None,
        typer.Option(
            "--duration", min=1, help="Seconds to capture (default 60, or 600 with --until)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Stop at the first line matching this regular expression."),
    ] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Also write the lines here.")] = None,
    no_condition: Annotated[
        bool,
        typer.Option("--no-condition", help="No peer condition (global debug): needs --force."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Confirm an unconditional debug.")] = False,
    fvrf: Annotated[str | None, typer.Option("--fvrf", help="Also condition on this FVRF.")] = None,
    ivrf: Annotated[str | None, typer.Option("--ivrf", help="Also condition on this IVRF.")] = None,
    spi: Annotated[str | None, typer.Option("--spi", help="Also condition on this SPI.")] = None,
    isakmp_profile: Annotated[
        str | None, typer.Option("--isakmp-profile", help="Also condition on this profile.")
    ] = None,
    local: Annotated[
        str | None, typer.Option("--local", help="Also condition on this local address.")
    ] = None,
    peer_group: Annotated[
        str | None, typer.Option("--peer-group", help="Also condition on this peer group.")
    ] = None,
    peer_subnet: Annotated[
        str | None,
        typer.Option("--peer-subnet", help='Also condition on a peer subnet ("ADDR MASK").'),
    ] = None,
    peer_hostname: Annotated[
        str | None, typer.Option("--peer-hostname", help="Also condition on a peer hostname.")
    ] = None,
    username: Annotated[
        str | None, typer.Option("--username", help="Also condition on this user name.")
    ] = None,
    connid: Annotated[
        str | None,
        typer.Option("--connid", help='Also condition on a connection ("ID engine-id N").'),
    ] = None,
    unmatched: Annotated[
        list[str] | None,
        typer.Option(
            "--unmatched",
            help="Also show isakmp, ipsec or engine output not tied to a peer yet "
            "(debug crypto condition unmatched ...; repeatable).",
        ),
    ] = None,
    errors_only: Annotated[
        bool,
        typer.Option(
            "--errors-only",
            help="ASA 9.x: IKE debugs print their error lines only (debug crypto condition "
            "error; cleared by the condition reset).",
        ),
    ] = False,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Debug one peer on one device: condition first, debugs, capture, verified reset."""
    _one_host(devices)
    try:
        ipaddress.IPv4Address(peer)
    except ValueError:
        raise UsageError(f"peer {peer!r} is not an IPv4 address") from None
    named = (
        ("fvrf", fvrf),
        ("ivrf", ivrf),
        ("spi", spi),
        ("isakmp profile", isakmp_profile),
        ("local ipv4", local),
        ("peer group", peer_group),
        ("peer subnet", peer_subnet),
        ("peer hostname", peer_hostname),
        ("username", username),
        ("connid", connid),
    )
    extra = tuple((kind, value) for kind, value in named if value)
    request = DebugRequest(
        peer=None if no_condition else peer,
        kinds=tuple(k.strip() for k in kind.split(",") if k.strip()),
        conditions=extra,
        unmatched=tuple(unmatched or ()),
        errors_only=errors_only,
        duration=duration or (UNTIL_LIMIT_S if until else 60.0),
        until=until,
        save=save,
        no_condition=no_condition,
        force=force,
    )
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:
        result = run_debug(
            chosen.hosts[0], request, chosen.settings.transport, chosen.redactor, typer.echo, _note
        )
    _note(
        f"{result.host}: {result.lines} lines captured, stopped by {result.reason}; "
        f"reset {'verified' if result.reset_verified else 'NOT VERIFIED'}"
    )
    raise typer.Exit(EXIT_OK if result.reset_verified else EXIT_UNKNOWN)


@debug_app.command("status")
@options.device_command
def status_command(*, devices: options.DeviceOptions) -> None:
    """What the journal says is still armed; with -i/--lab, what the devices report."""
    entries = journal.armed()
    if not entries:
        typer.echo("journal: nothing armed")
    for e in entries:
        typer.echo(
            f"journal: {e.host} ({e.hostname}:{e.port}) peer {e.peer or '-'} since "
            f"{e.started_at} by {e.user} pid {e.pid}: "
            f"{'; '.join(e.conditions + e.debugs) or 'nothing sent yet'}"
        )
    if devices.inventory is None and not devices.lab:
        return
    names = set(devices.host or []) or {e.host for e in entries}
    if not names:
        return
    selection = devices.selection() if devices.host else options.Selection(hosts=tuple(names))
    with targets(devices.inventory, devices.lab, selection, devices.settings()) as chosen:
        for host in chosen.hosts:
            syntax = family(host.family).debug
            if syntax is None:
                continue
            with open_session(host, chosen.settings.transport, chosen.redactor) as session:
                state = debug_state(session, syntax)
                sas = count_active_sas(session, family(host.family))
            typer.echo(
                f"device: {host.name}: {'; '.join(state) or 'no crypto debugs or '}"
                f"{'conditions' if not state else ''} ({sas} active IPsec SAs)"
            )


@debug_app.command("reset")
@options.device_command
def reset_command(
    all_: Annotated[bool, typer.Option("--all", help="Every device the journal lists.")] = False,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Turn every crypto debug and condition off (after a killed run) and verify."""
    entries = journal.armed()
    if all_ == bool(devices.host):
        raise UsageError("give either --host H or --all")
    names = tuple(devices.host or sorted({e.host for e in entries}))
    if not names:
        typer.echo("journal: nothing armed; nothing to reset")
        return
    failed = 0
    with targets(
        devices.inventory, devices.lab, options.Selection(hosts=names), devices.settings()
    ) as chosen:
        for host in chosen.hosts:
            syntax = family(host.family).debug
            if syntax is None:
                continue
            try:
                with open_session(host, chosen.settings.transport, chosen.redactor) as session:
                    result = reset(session, syntax, None, had_debugs=False)
            except DeviceError as exc:
                failed += 1
                typer.echo(f"{host.name}: not reset: {exc.kind}: {exc.message}", err=True)
                continue
            if result.reset_verified:
                for e in entries:
                    if e.host == host.name:
                        journal.clear(e.id)
            else:
                failed += 1
            typer.echo(
                f"{host.name}: {'; '.join(result.reset_commands)} -> "
                f"{'clean' if result.reset_verified else 'STILL ON: ' + '; '.join(result.still_on)}"
            )
    raise typer.Exit(EXIT_OK if failed == 0 else EXIT_UNKNOWN)


@debug_app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="A debug or syslog transcript (e.g. --save).")],
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform", help="cisco_ios, cisco_asa, cisco_pix or a family; default: any."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Turn debug and syslog lines into findings per peer, with evidence and next steps."""
    from ipsec_ops.analyze import analyze_file

    text, code = analyze_file(file, platform, fmt)
    typer.echo(text, nl=not text.endswith("\n"))
    raise typer.Exit(code)
