"""Command-line options shared by every command that contacts devices.

Defined once here as ``Annotated`` types; commands list them in their
signatures and call :func:`selection_from` / :func:`run_settings_from`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ipsec_ops.settings import RunSettings, TransportSettings, default_known_hosts

PANEL_INV = "Inventory and selection"
PANEL_SSH = "Transport"

InventoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--inventory",
        "-i",
        help="Nornir inventory: a folder (hosts.yaml, groups.yaml,"
        " defaults.yaml) or one YAML file with those keys.",
        rich_help_panel=PANEL_INV,
    ),
]
LabOpt = Annotated[
    bool,
    typer.Option(
        "--lab", help="Use the built-in lab instead of an inventory.", rich_help_panel=PANEL_INV
    ),
]
HostOpt = Annotated[
    list[str] | None,
    typer.Option("--host", help="Only this host (repeatable).", rich_help_panel=PANEL_INV),
]
GroupOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--group", help="Only hosts in this group (repeatable).", rich_help_panel=PANEL_INV
    ),
]
PlatformOpt = Annotated[
    list[str] | None,
    typer.Option("--platform", help="Only this platform (repeatable).", rich_help_panel=PANEL_INV),
]
FilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        help="Only hosts whose data has KEY=VALUE (repeatable).",
        rich_help_panel=PANEL_INV,
    ),
]
KnownHostsOpt = Annotated[
    Path,
    typer.Option(
        "--known-hosts", help="known_hosts file checked for host keys.", rich_help_panel=PANEL_SSH
    ),
]
AcceptNewOpt = Annotated[
    bool,
    typer.Option(
        "--accept-new",
        help="Trust and save a first-seen host key (a changed key is always refused).",
        rich_help_panel=PANEL_SSH,
    ),
]
InsecureOpt = Annotated[
    bool,
    typer.Option(
        "--insecure-no-host-key-check",
        help="Do not check host keys (warns).",
        rich_help_panel=PANEL_SSH,
    ),
]
ConnectTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--connect-timeout", min=1, help="Seconds to connect and log in.", rich_help_panel=PANEL_SSH
    ),
]
CommandTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--command-timeout",
        min=1,
        help="Seconds for one command's output.",
        rich_help_panel=PANEL_SSH,
    ),
]
SshConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--ssh-config",
        help="OpenSSH config for jump hosts (ProxyJump / ProxyCommand).",
        rich_help_panel=PANEL_SSH,
    ),
]
SessionLogOpt = Annotated[
    Path | None,
    typer.Option(
        "--session-log",
        help="Folder for per-device session logs (secrets masked).",
        rich_help_panel=PANEL_SSH,
    ),
]
ContextOpt = Annotated[
    str | None,
    typer.Option(
        "--context",
        help="ASA multi-context: run `changeto context NAME` first.",
        rich_help_panel=PANEL_SSH,
    ),
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers", min=1, max=512, help="Devices worked on at once.", rich_help_panel=PANEL_SSH
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]

DEFAULT_KNOWN_HOSTS = default_known_hosts()
# SSH collection is I/O bound: most of a device's time is spent waiting for prompts.
DEFAULT_WORKERS = 64


def run_settings_from(
    known_hosts: Path,
    accept_new: bool,
    insecure: bool,
    connect_timeout: float,
    command_timeout: float,
    ssh_config: Path | None,
    session_log: Path | None,
    context: str | None,
    workers: int,
    quiet: bool,
) -> RunSettings:
    """Gather the shared transport options into one settings object."""
    transport = TransportSettings(
        known_hosts=known_hosts,
        accept_new=accept_new,
        insecure_no_host_key_check=insecure,
        connect_timeout=connect_timeout,
        command_timeout=command_timeout,
        ssh_config=ssh_config,
        session_log_dir=session_log,
        context=context,
    )
    return RunSettings(transport=transport, workers=workers, quiet=quiet)
