"""``ipsec-ops show "COMMAND"``: one read-only crypto question to the selected devices.

The command is checked against the allow-list (:mod:`ipsec_ops.showcmd`) before
anything connects: a command no family allows exits 64 with one line. Devices
whose family lacks the command (``show crypto ikev1 sa`` on ASA 8.2) are listed
as refused and never contacted. The others run the canonical command
concurrently (:func:`ipsec_ops.runner.run_fleet`); each answer is parsed with the
project's templates and printed as one block per device (``table``), one JSON
document (``json``) or the raw text (``raw``). With an output filter (``| include X``)
the device's lines are printed as they are: a template reads whole outputs only.

Exit codes: 0 every selected device answered and its answer was read; 3 at least
one device failed (connection, a rejected command, unreadable output, refused for
its family); 64 a refused command or bad option (nothing contacted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ipsec_ops import options, showcmd
from ipsec_ops.errors import EXIT_OK, EXIT_UNKNOWN, UsageError
from ipsec_ops.parse import NoTemplate, ParseError, parse
from ipsec_ops.platforms import FAMILIES, family
from ipsec_ops.runner import Cancel, run_fleet
from ipsec_ops.settings import RunSettings
from ipsec_ops.targets import targets
from ipsec_ops.transport import Redactor, open_session

if TYPE_CHECKING:
    from ipsec_ops.inventory import Host

FORMATS = ("table", "json", "raw")
MAX_TABLE_COLUMNS = 8  # more non-empty fields than this: one field per line


@dataclass
class Answer:
    """What one device said (or why it said nothing)."""

    name: str
    family: str
    command: str | None  # the canonical command sent; None when refused for the family
    status: str = "ok"  # ok, refused, rejected, parse_error, or a transport error kind
    error: str | None = None
    output: str = ""
    records: list[dict[str, Any]] | None = field(default=None)  # None: no template

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _ask(
    host: Host, command: str, settings: RunSettings, redactor: Redactor, cancel: Cancel
) -> str:
    """Run one command on one device; its (redacted) output, or a DeviceError
    (CommandRejected when the device refused it)."""
    with open_session(host, settings.transport, redactor) as session, cancel.watching(session):
        return session.run_checked(command).output


def _read(answer: Answer) -> Answer:
    """Parse the output with the project's templates (raw only when none exists)."""
    assert answer.command is not None
    try:
        answer.records = (
            parse(answer.family, answer.command, answer.output) if answer.output.strip() else []
        )
    except NoTemplate:
        answer.records = None
    except ParseError as exc:
        answer.status, answer.error = "parse_error", str(exc)
    return answer


def ask_fleet(
    hosts: list[Host], allowed: showcmd.Allowed, settings: RunSettings, redactor: Redactor
) -> list[Answer]:
    """Ask every host (its family's canonical command) concurrently; one Answer per host."""
    answers: dict[str, Answer] = {}
    runnable: list[Host] = []
    for host in hosts:
        fam = family(host.family)
        command = allowed.command_for(fam)
        answers[host.name] = Answer(host.name, fam.name, command)
        if command is None:
            answers[host.name].status = "refused"
            answers[host.name].error = f"{fam.name} has no {allowed.typed!r} (not sent)"
        else:
            runnable.append(host)

    def task(host: Host, cancel: Cancel) -> str:
        command = answers[host.name].command
        assert command is not None
        return _ask(host, command, settings, redactor, cancel)

    report = run_fleet(runnable, task, settings, label="show")
    for outcome in report.outcomes:
        answer = answers[outcome.host.name]
        if not outcome.ok:
            answer.status = outcome.error_kind or "failed"
            answer.error = outcome.error
        else:
            answer.output = outcome.result or ""
            if not allowed.filtered:  # filtered lines are not the command's output: raw
                _read(answer)
    return [answers[h.name] for h in hosts]


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def record_lines(records: list[dict[str, Any]]) -> list[str]:
    """Records as a table (few fields) or one ``key: value`` line per field.

    >>> record_lines([{"peer": "192.0.2.1", "state": "QM_IDLE", "slot": ""}])
    ['  PEER       STATE', '  192.0.2.1  QM_IDLE']
    >>> record_lines([])
    ['  (no records)']
    """
    if not records:
        return ["  (no records)"]
    keys = [k for k in records[0] if any(_cell(r.get(k, "")) for r in records)]
    if len(keys) <= MAX_TABLE_COLUMNS:
        widths = {k: max(len(k), *(len(_cell(r.get(k, ""))) for r in records)) for k in keys}
        head = ("  " + "  ".join(k.upper().ljust(widths[k]) for k in keys)).rstrip()
        rows = [
            "  " + "  ".join(_cell(r.get(k, "")).ljust(widths[k]) for k in keys) for r in records
        ]
        return [head] + [row.rstrip() for row in rows]
    lines: list[str] = []
    for n, r in enumerate(records, start=1):
        lines.append(f"  [{n}]")
        lines += [f"    {k}: {_cell(r[k])}" for k in keys if _cell(r.get(k, ""))]
    return lines


def render_table(answers: list[Answer], raw: bool = False) -> str:
    """One block per device, then the failures."""
    out: list[str] = []
    for a in answers:
        if not a.ok:
            continue
        count = "raw" if raw or a.records is None else f"{len(a.records)} records"
        out.append(f"== {a.name} ({a.family}): {a.command} [{count}]")
        if raw or a.records is None:
            out += [("  " + line).rstrip() for line in a.output.strip("\n").splitlines()]
        else:
            out += record_lines(a.records)
        out.append("")
    failed = [a for a in answers if not a.ok]
    if failed:
        out.append(f"failed: {len(failed)} of {len(answers)} devices")
        out += [f"  {a.name} ({a.family}): {a.status}: {a.error}" for a in failed]
    return "\n".join(out)


def render_json(typed: str, answers: list[Answer]) -> str:
    devices = [
        {
            "name": a.name,
            "family": a.family,
            "command": a.command,
            "status": a.status,
            "error": a.error,
            "records": a.records,
            **({"raw": a.output} if a.ok and a.records is None else {}),
        }
        for a in answers
    ]
    return json.dumps({"command": typed, "devices": devices}, indent=2)


def show_command(
    command: Annotated[
        str | None, typer.Argument(help='The show command, e.g. "show crypto ipsec sa peer X".')
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or raw.")] = "table",
    list_: Annotated[
        bool, typer.Option("--list", help="Print the allowed commands per family and exit.")
    ] = False,
    *,
    devices: options.DeviceOptions,
) -> None:
    """Ask the selected devices one read-only crypto show command; parsed, one block each."""
    if list_:
        for fam in FAMILIES.values():
            typer.echo(f"{fam.name}:")
            typer.echo("\n".join(f"  {s}" for s in showcmd.listing(fam)))
        return
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if command is None:
        raise UsageError('give the command to run, e.g. ipsec-ops show "show crypto isakmp sa"')
    allowed = showcmd.check(command)  # refused here: nothing started, nothing contacted
    settings = devices.settings(quiet=devices.quiet or fmt != "table")
    with targets(devices.inventory, devices.lab, devices.selection(), settings) as chosen:
        if all(allowed.command_for(family(h.family)) is None for h in chosen.hosts):
            names = sorted({h.family for h in chosen.hosts})
            raise showcmd.CommandRefused(
                f"{allowed.typed!r} is not available on {', '.join(names)}: nothing sent"
            )
        answers = ask_fleet(chosen.hosts, allowed, chosen.settings, chosen.redactor)
    if fmt == "json":
        typer.echo(render_json(allowed.typed, answers))
    else:
        typer.echo(render_table(answers, raw=fmt == "raw"))
    raise typer.Exit(EXIT_OK if all(a.ok for a in answers) else EXIT_UNKNOWN)


show = options.device_command(show_command)
