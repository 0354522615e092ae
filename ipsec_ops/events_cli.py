"""``ipsec-ops events``: a per-peer timeline of tunnel up/down from the devices' logging buffers.

Reads ``show logging`` on every selected device concurrently (one failure stays with its
device), turns the lines into events with :mod:`ipsec_ops.events`, and prints one block
per (device, peer) or one JSON document. Exit 0 when every device was read, 3 otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer

from ipsec_ops import events, options
from ipsec_ops.errors import EXIT_OK, EXIT_UNKNOWN, UsageError
from ipsec_ops.isotime import iso_time
from ipsec_ops.platforms import family
from ipsec_ops.runner import Cancel, run_fleet
from ipsec_ops.targets import targets
from ipsec_ops.transport import open_session

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host

FORMATS = ("table", "json")
LOG_COMMAND = "show logging"


def _stamp(at: dt.datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") if at else "(no time)"


def render_table(found: list[events.Event], failed: dict[str, str]) -> str:
    """One block per (device, peer): its transitions, oldest first; then the failures."""
    out: list[str] = []
    for (device, peer), evs in sorted(events.timeline(found).items()):
        who = next((f" user {e.user} group {e.group}" for e in evs if e.user), "")
        out.append(f"{device} {peer}{who}: {len(evs)} events")
        out += [f"  {_stamp(e.at)}  {e.kind:<10} {e.message}" for e in evs]
    if not out:
        out.append("no tunnel up/down events in the selected logs")
    out += [f"{name}: not read: {why}" for name, why in sorted(failed.items())]
    return "\n".join(out)


def render_json(found: list[events.Event], failed: dict[str, str], read_at: str) -> str:
    peers = [
        {"device": d, "peer": p, "events": [e.to_json() for e in evs]}
        for (d, p), evs in sorted(events.timeline(found).items())
    ]
    failures = [{"device": n, "error": w} for n, w in sorted(failed.items())]
    body = {"generated_at": read_at, "peers": peers, "failed": failures}
    return json.dumps(body, indent=2)


@options.device_command
def events_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Only events this recent (24h, 90m, 7d).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    *,
    devices: options.DeviceOptions,
) -> None:
    """Per-peer timeline of tunnel up/down (and Easy VPN) events from the logging buffers."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    try:
        window = events.parse_since(since) if since else None
    except ValueError as exc:
        raise UsageError(f"--since {exc}") from None
    with targets(devices.inventory, devices.lab, devices.selection(), devices.settings()) as chosen:

        def task(host: Host, cancel: Cancel) -> str:
            transport = chosen.settings.transport
            with (
                open_session(host, transport, chosen.redactor) as session,
                cancel.watching(session),
            ):
                return session.run_checked(LOG_COMMAND).output

        report = run_fleet(chosen.hosts, task, chosen.settings, label="logs")
    now = dt.datetime.now(dt.UTC)
    found: list[events.Event] = []
    failed: dict[str, str] = {}
    for outcome in report.outcomes:
        host = outcome.host
        if not outcome.ok:
            failed[host.name] = f"{outcome.error_kind}: {outcome.error}"
            continue
        group = family(host.family).log_group
        lines = (outcome.result or "").splitlines()
        found += events.from_lines(host.name, lines, group, now)
    found = events.since(found, now - window if window else None)
    read_at = iso_time(now.timestamp())
    text = render_json(found, failed, read_at) if fmt == "json" else render_table(found, failed)
    typer.echo(text)
    raise typer.Exit(EXIT_UNKNOWN if failed or report.interrupted else EXIT_OK)
