"""Terminal table: one section per device, worst first, then unreadable devices and counts.

:func:`render` gives plain text (no ANSI escapes) for files and mail;
:func:`print_table` prints the same layout in colour when the console is a terminal.
Every device string goes through :class:`rich.text.Text`, never through rich
markup, so a description like ``[red]x`` is printed as written.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ipsec_ops.model import Device, Finding, Report, Tunnel
from ipsec_ops.reports import common, ezvpn_section
from ipsec_ops.reports.common import DeviceGroup

WIDTH = 120
# Below this width the summary column would be a few words wide: print it under the table.
NARROW = 110
HEALTH_STYLES = {"up": "green", "degraded": "yellow", "down": "bold red", "unknown": "magenta"}


def _health(health: str, styled: bool) -> Text:
    """The health word, coloured when ``styled``."""
    return Text(health, style=HEALTH_STYLES.get(health, "") if styled else "")


def _device_title(g: DeviceGroup, styled: bool) -> Text:
    """``name  platform version  health H  tunnels: n down, n degraded, n up``."""
    d = g.device
    counts = g.counts()
    title = Text(d.name, style="bold" if styled else "")
    title.append(f"  {' '.join(x for x in (d.platform, d.version) if x)}  health ")
    title.append_text(_health(g.health, styled))
    shown = [f"{counts[h]} {h}" for h in common.WORST_FIRST if counts[h]]
    if shown:
        title.append("  tunnels: " + ", ".join(shown))
    return title


def _tunnel_table(tunnels: list[Tunnel], styled: bool, with_summary: bool) -> Table:
    """The tunnels of one device, one row each; the summary column only ``with_summary``."""
    # Fixed minimum widths keep the columns of consecutive device tables aligned.
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=True,
        padding=(0, 1, 0, 0),
        header_style="bold" if styled else "",
    )
    table.add_column("Peer", min_width=15, overflow="fold")
    table.add_column("Health", no_wrap=True, min_width=8)
    table.add_column("IKE", no_wrap=True, min_width=14)
    table.add_column("IPsec SA enc/dec", no_wrap=True, min_width=16)
    table.add_column("Findings", max_width=24, overflow="fold")
    if with_summary:
        table.add_column("Summary", ratio=1, min_width=24, overflow="fold")
    for t in tunnels:
        cells = [
            Text(t.peer),
            _health(t.health, styled),
            Text(common.ike_text(t)),
            Text(common.ipsec_text(t)),
            Text(" ".join(common.codes(t.findings))),
        ]
        if with_summary:
            cells.append(Text(common.one_line(common.first_summary(t.findings))))
        table.add_row(*cells)
    return table


def _pairs(rows: list[tuple[Text, Text]]) -> Padding:
    """Two-column lines indented by 2, the second column wrapping under itself."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for left, right in rows:
        grid.add_row(left, right)
    return Padding(grid, (0, 0, 0, 2))


def _summaries_below(tunnels: list[Tunnel]) -> Padding:
    """For narrow consoles: ``peer:`` and its first summary, since the table has no room."""
    return _pairs(
        [
            (Text(f"{t.peer}:"), Text(common.one_line(common.first_summary(t.findings))))
            for t in tunnels
            if t.findings
        ]
    )


def _next_checks(tunnels: list[Tunnel]) -> Padding:
    """``peer next:`` and the first next step of its first finding: what to check now."""
    return _pairs(
        [
            (Text(f"{t.peer} next:"), Text(common.one_line(t.findings[0].next_steps[0])))
            for t in tunnels
            if t.findings and t.findings[0].next_steps
        ]
    )


def _device_findings(findings: list[Finding], styled: bool) -> Padding:
    """``device: CODE`` and the summary of each finding about the device itself."""
    rows = []
    for f in findings:
        label = Text("device: ")
        label.append(f.code, style=HEALTH_STYLES[common.severity_health(f)] if styled else "")
        rows.append((label, Text(common.one_line(f.summary))))
    return _pairs(rows)


def _device_section(g: DeviceGroup, styled: bool, width: int) -> list[RenderableType]:
    """Title, device findings and tunnel table of one device."""
    parts: list[RenderableType] = [_device_title(g, styled)]
    if g.device.error:
        parts.append(Text(f"  error: {common.one_line(g.device.error)}"))
    if g.device.findings:
        parts.append(_device_findings(g.device.findings, styled))
    wide = width >= NARROW
    if g.tunnels:
        parts.append(Padding(_tunnel_table(g.tunnels, styled, wide), (0, 0, 0, 2)))
        if not wide and any(t.findings for t in g.tunnels):
            parts.append(_summaries_below(g.tunnels))
        if any(t.findings for t in g.tunnels):
            parts.append(_next_checks(g.tunnels))
    else:
        parts.append(Text("  no tunnels", style="dim" if styled else ""))
    parts.append(Text(""))
    return parts


def _failed_section(failed: list[Device], styled: bool) -> list[RenderableType]:
    """The devices that could not be read, with their error."""
    if not failed:
        return []
    rows = []
    for d in failed:
        label = Text(f"{d.name}  {d.platform}  ")
        label.append_text(_health("unknown", styled))
        rows.append((label, Text(common.one_line(d.error or "collection failed"))))
    title = Text("Unreadable devices", style="bold" if styled else "")
    return [title, _pairs(rows), Text("")]


def _ezvpn_section(report: Report, styled: bool) -> list[RenderableType]:
    """Remote-access sessions, when there are any (:mod:`ipsec_ops.reports.ezvpn_section`)."""
    cells = ezvpn_section.rows(report)
    if not cells:
        return []
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for name in ezvpn_section.HEADER:
        table.add_column(name, overflow="fold")
    for r in cells:
        table.add_row(*(Text(c) for c in r))
    title = Text(ezvpn_section.TITLE, style="bold" if styled else "")
    return [title, table, Text("")]


def renderables(report: Report, styled: bool = False, width: int = WIDTH) -> Group:
    """The whole report as rich renderables for a console ``width`` wide; colour when ``styled``."""
    parts: list[RenderableType] = [
        Text(f"IPsec tunnel health  {report.generated_at}", style="bold" if styled else ""),
        Text(""),
    ]
    for g in common.device_groups(report):
        if g.readable or g.tunnels:
            parts += _device_section(g, styled, width)
    parts += _failed_section(common.failed_devices(report), styled)
    parts += _ezvpn_section(report, styled)
    word = common.state_word(report)
    style = {"OK": "green", "WARNING": "yellow", "CRITICAL": "bold red"}.get(word, "magenta")
    parts.append(Text(f"Summary: {common.summary_text(report)}", style=style if styled else ""))
    return Group(*parts)


def render(report: Report) -> str:
    """The report as plain text, 120 columns wide, without colour or other escapes."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=WIDTH,
        color_system=None,
        force_terminal=False,
        no_color=True,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    console.print(renderables(report, styled=False))
    # rich pads table cells to the column width; trailing blanks only make diffs noisy.
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def print_table(report: Report, console: Console | None = None) -> None:
    """Print the report on ``console`` (stdout by default), in colour only on a terminal."""
    if console is None:
        console = Console(highlight=False, emoji=False, markup=False)
        if not console.is_terminal:
            # A pipe has no width: rich would assume 80 columns and squeeze the table.
            console = Console(highlight=False, emoji=False, markup=False, width=WIDTH)
    styled = console.is_terminal
    console.print(renderables(report, styled=styled, width=console.width), highlight=False)
