"""``ipsec-ops logging status|enable|disable``: crypto logging of tunnel up/down on one device.

``status`` reads the running configuration; ``enable``/``disable`` print the plan, send
it in config mode (always left), and verify it from the running configuration. A family
or release without the feature is refused before anything is sent, naming the release.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ipsec_ops import logging_config as lc
from ipsec_ops import options
from ipsec_ops.errors import EXIT_OK, UsageError
from ipsec_ops.inventory import Host
from ipsec_ops.platforms import family
from ipsec_ops.targets import Targets, targets
from ipsec_ops.transport import open_session

logging_app = typer.Typer(
    help="Crypto logging of tunnel up/down (crypto logging session|ezvpn; ASA tunnel syslogs).",
    no_args_is_help=True,
)

SessionOpt = Annotated[
    bool, typer.Option("--session", help="crypto logging session (ASA: the tunnel syslog ids).")
]
EzvpnOpt = Annotated[bool, typer.Option("--ezvpn", help="crypto logging ezvpn (IOS only).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the commands; send nothing.")]


def _wanted(session: bool, ezvpn: bool) -> list[str]:
    return [name for name, on in (("session", session), ("ezvpn", ezvpn)) if on]


def _one_host(devices: options.DeviceOptions, chosen: Targets) -> Host:
    if not devices.host or len(devices.host) != 1 or len(chosen.hosts) != 1:
        raise UsageError("logging works on one device: give exactly one --host")
    return chosen.hosts[0]


def _status_lines(
    host: Host, version: str, status: dict[str, bool], missing: dict[str, str | None]
) -> list[str]:
    out = [f"{host.name} ({host.family} {version}):"]
    for name, first in missing.items():
        if name in status:
            out.append(f"  {name}: {'on' if status[name] else 'off'}")
        elif first is not None:
            out.append(f"  {name}: not available (needs {first} or later)")
    return out


@logging_app.command("status")
@options.device_command
def status_command(
    session: SessionOpt = False, ezvpn: EzvpnOpt = False, *, devices: options.DeviceOptions
) -> None:
    """Show whether crypto logging of tunnel up/down is configured."""
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:
        host = _one_host(devices, chosen)
        fam = family(host.family)
        with open_session(host, chosen.settings.transport, chosen.redactor) as cli:
            version = lc.device_version(cli)
            syntax = lc.syntax_of(host.name, fam, version)
            wanted = _wanted(session, ezvpn)
            missing = lc.supported(fam, version)
            names = (
                lc.features_for(host.name, fam, version, wanted)
                if wanted
                else tuple(n for n, first in missing.items() if first is None)
            )
            status = lc.status_of(syntax, names, lc.read_config(cli, syntax))
    shown = {n: missing[n] for n in (wanted or missing)}
    typer.echo("\n".join(_status_lines(host, version, status, shown)))
    raise typer.Exit(EXIT_OK)


def _change(
    on: bool, session: bool, ezvpn: bool, dry_run: bool, devices: options.DeviceOptions
) -> None:
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:
        host = _one_host(devices, chosen)
        fam = family(host.family)
        with open_session(host, chosen.settings.transport, chosen.redactor) as cli:
            version = lc.device_version(cli)
            syntax = lc.syntax_of(host.name, fam, version)
            names = lc.features_for(host.name, fam, version, _wanted(session, ezvpn))
            plan = lc.plan(host.name, syntax, names, on)
            typer.echo("\n".join(plan.lines()))
            if dry_run:
                raise typer.Exit(EXIT_OK)
            after = lc.apply(cli, plan, syntax)
    state = ", ".join(f"{n} {'on' if v else 'off'}" for n, v in after.items())
    typer.echo(f"{host.name}: verified in the running-config: {state}")


@logging_app.command("enable")
@options.device_command
def enable_command(
    session: SessionOpt = False,
    ezvpn: EzvpnOpt = False,
    dry_run: DryRunOpt = False,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Turn crypto logging on (all features the release has, or those named) and verify it."""
    _change(True, session, ezvpn, dry_run, devices)


@logging_app.command("disable")
@options.device_command
def disable_command(
    session: SessionOpt = False,
    ezvpn: EzvpnOpt = False,
    dry_run: DryRunOpt = False,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Turn crypto logging off (all features, or those named) and verify it."""
    _change(False, session, ezvpn, dry_run, devices)
