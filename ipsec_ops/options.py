"""Command-line options shared by every command that contacts devices.

Defined once here as ``Annotated`` types; commands list them in their
signatures and call :func:`selection_from` / :func:`run_settings_from`.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ipsec_ops import durations
from ipsec_ops.errors import UsageError
from ipsec_ops.selection import Selection
from ipsec_ops.settings import RunSettings, TransportSettings, default_known_hosts

__all__ = ["DeviceOptions", "Selection", "device_command", "parse_duration"]

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


@dataclass(frozen=True)
class DeviceOptions:
    """The shared options of a command that contacts devices, gathered in one object."""

    inventory: Path | None = None
    lab: bool = False
    host: list[str] | None = None
    group: list[str] | None = None
    platform: list[str] | None = None
    filter_: list[str] | None = None
    known_hosts: Path = DEFAULT_KNOWN_HOSTS
    accept_new: bool = False
    insecure: bool = False
    connect_timeout: float = 15.0
    command_timeout: float = 60.0
    ssh_config: Path | None = None
    session_log: Path | None = None
    context: str | None = None
    workers: int = DEFAULT_WORKERS
    quiet: bool = False

    def selection(self) -> Selection:
        return Selection.from_options(self.host, self.group, self.platform, self.filter_)

    def settings(self, quiet: bool | None = None) -> RunSettings:
        return run_settings_from(
            self.known_hosts,
            self.accept_new,
            self.insecure,
            self.connect_timeout,
            self.command_timeout,
            self.ssh_config,
            self.session_log,
            self.context,
            self.workers,
            self.quiet if quiet is None else quiet,
        )


# (parameter name, Annotated type, default) in the order --help shows them.
_DEVICE_PARAMS: tuple[tuple[str, Any, Any], ...] = (
    ("inventory", InventoryOpt, None),
    ("lab", LabOpt, False),
    ("host", HostOpt, None),
    ("group", GroupOpt, None),
    ("platform", PlatformOpt, None),
    ("filter_", FilterOpt, None),
    ("known_hosts", KnownHostsOpt, DEFAULT_KNOWN_HOSTS),
    ("accept_new", AcceptNewOpt, False),
    ("insecure", InsecureOpt, False),
    ("connect_timeout", ConnectTimeoutOpt, 15.0),
    ("command_timeout", CommandTimeoutOpt, 60.0),
    ("ssh_config", SshConfigOpt, None),
    ("session_log", SessionLogOpt, None),
    ("context", ContextOpt, None),
    ("workers", WorkersOpt, DEFAULT_WORKERS),
    ("quiet", QuietOpt, False),
)


def device_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a Typer command the shared device options; it receives them as ``devices``.

    The command declares ``devices: DeviceOptions`` last; Typer sees the individual
    options instead, defined once here.
    """
    sig = inspect.signature(func)
    hints = typing.get_type_hints(func, include_extras=True)  # real types, not strings
    own = [
        p.replace(annotation=hints.get(name, p.annotation))
        for name, p in sig.parameters.items()
        if name != "devices"
    ]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, kind, default in _DEVICE_PARAMS
    ]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name, _, _ in _DEVICE_PARAMS}
        return func(devices=DeviceOptions(**values), **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    return wrapper


# --------------------------------------------------------------------------- history


def parse_duration(text: str, option: str = "--since") -> float:
    """Seconds in ``text`` (:func:`ipsec_ops.durations.seconds`), more than zero; UsageError else.

    >>> parse_duration("24h"), parse_duration("90m"), parse_duration("2d"), parse_duration("30")
    (86400.0, 5400.0, 172800.0, 30.0)
    """
    try:
        value = durations.seconds(text)
    except ValueError:
        raise UsageError(f"{option}: bad duration {text!r} (use e.g. 30m, 24h or 7d)") from None
    if value <= 0:
        raise UsageError(f"{option}: the duration must be more than zero, not {text!r}")
    return value


PANEL_HISTORY = "History"
SinceOpt = Annotated[
    str,
    typer.Option(
        "--since",
        help="History window for availability, rates and FLAPPING: 30m, 24h, 7d...",
        rich_help_panel=PANEL_HISTORY,
    ),
]
KeepDaysOpt = Annotated[
    int | None,
    typer.Option(
        "--keep-days",
        min=1,
        help="Delete runs older than this many days from the history (default: keep all).",
        rich_help_panel=PANEL_HISTORY,
    ),
]
LockTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        min=0,
        help="Seconds to wait for another run holding the history, then exit 3.",
        rich_help_panel=PANEL_HISTORY,
    ),
]
