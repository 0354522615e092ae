"""The result of a debug analysis (:mod:`ipsec_ops.analyze`) and its renderings.

:class:`Analysis` holds, per peer, the catalog lines and the findings, plus the
totals and the shapes of the lines no catalog entry matched; :func:`render_json`
and :func:`render_table` print it.

:func:`render_table` gives plain text (no ANSI escapes) unless ``styled``; every
device string goes through :class:`rich.text.Text`, never through rich markup, so a
log line holding ``[red]`` is printed as written.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ipsec_ops.diagnose import health_of
from ipsec_ops.knowledge import SEVERITY_RANK
from ipsec_ops.model import Finding

WIDTH = 120
# Unknown lines are counted by shape: addresses, hex values and numbers replaced.
IP = r"\d{1,3}(?:\.\d{1,3}){3}"
SHAPES = (
    (re.compile(rf"\b{IP}(?:/{IP})*(?:[:/]\d+)*"), "<ip>"),  # with its mask, port, prefix
    (re.compile(r"\b0x[0-9A-Fa-f]+\b|\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b"), "<hex>"),
    (re.compile(r"-?\b\d+\b"), "<n>"),
)
TOP_SHAPES = 10  # unknown-line shapes listed
_STYLES = {"critical": "bold red", "warning": "yellow", "info": "green"}
_HEALTH = {"down": "bold red", "degraded": "yellow", "up": "green"}
_WORD = {0: "OK", 1: "WARNING", 2: "CRITICAL"}


@dataclass
class PeerAnalysis:
    """One peer (or "unknown peer"): its catalog lines, findings and first/last timestamp."""

    peer: str
    lines: int  # catalog lines attributed to the peer
    findings: list[Finding] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None
    messages: dict[str, int] = field(default_factory=dict)  # catalog id -> lines

    @property
    def health(self) -> str:
        return health_of(self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "peer": self.peer,
            "lines": self.lines,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "health": self.health,
            "messages": dict(self.messages),
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass
class Analysis:
    """A transcript's peers worst first, the totals, and the shapes of the unknown lines."""

    device: str
    platform: str  # the family whose commands the next steps name
    platform_detected: bool
    peers: list[PeerAnalysis]
    matched: int
    unknown: int
    noise: dict[str, int]  # ignored lines: blank, comment, prompt (and echoed command), header
    shapes: list[tuple[str, int, str]]  # unknown lines: (shape, count, first example)
    lines: int = 0  # physical lines read (continuation lines are joined to their line)

    def severities(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITY_RANK, 0)
        for p in self.peers:
            for f in p.findings:
                out[f.severity] += 1
        return out

    def exit_code(self) -> int:
        """2 with a critical finding, 1 with warnings only, else 0."""
        counts = self.severities()
        return 2 if counts["critical"] else 1 if counts["warning"] else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "platform": self.platform,
            "platform_detected": self.platform_detected,
            "exit_code": self.exit_code(),
            "totals": {
                "lines": self.lines,
                "matched": self.matched,
                "unknown": self.unknown,
                "ignored": dict(self.noise),
                "peers": len(self.peers),
                "findings": self.severities(),
            },
            "peers": [p.to_json() for p in self.peers],
            "unknown": {
                "count": self.unknown,
                "distinct": len(self.shapes),
                "shapes": [
                    {"shape": s, "count": n, "example": e} for s, n, e in self.shapes[:TOP_SHAPES]
                ],
            },
        }


def shape(text: str) -> str:
    """A line with addresses, hex and numbers replaced, to count similar lines together.

    >>> shape("ISAKMP:(1001): sending packet to 192.0.2.2 my_port 500 (I) MM_NO_STATE")
    'ISAKMP:(<n>): sending packet to <ip> my_port <n> (I) MM_NO_STATE'
    >>> shape("IKE_DECODE SENDING Message (msgid=6abd3691) with payloads : HDR + SA (1)")
    'IKE_DECODE SENDING Message (msgid=<hex>) with payloads : HDR + SA (<n>)'
    """
    for pattern, token in SHAPES:
        text = pattern.sub(token, text)
    return " ".join(text.split())[:120]


def _styled(text: str, style: str, on: bool) -> Text:
    return Text(text, style=style if on else "")


def _overview(analysis: Analysis, on: bool) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 2, 0, 0),
        header_style="bold" if on else "",
    )
    table.add_column("Peer", min_width=15, overflow="fold")
    table.add_column("Lines", justify="right")
    table.add_column("First seen", no_wrap=True)
    table.add_column("Last seen", no_wrap=True)
    table.add_column("Health", no_wrap=True)
    table.add_column("Findings", overflow="fold")
    for p in analysis.peers:
        codes = " ".join(f.code + ("*" if f.severity == "info" else "") for f in p.findings)
        table.add_row(
            Text(p.peer),
            Text(str(p.lines)),
            Text(p.first_seen or "-"),
            Text(p.last_seen or "-"),
            _styled(p.health, _HEALTH.get(p.health, ""), on),
            Text(codes or "-"),
        )
    return table


def _grid(rows: list[tuple[Text, Text]], indent: int) -> Padding:
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for left, right in rows:
        grid.add_row(left, right)
    return Padding(grid, (0, 0, 0, indent))


def _peer_section(p: PeerAnalysis, on: bool) -> list[RenderableType]:
    seen = f"{p.first_seen} .. {p.last_seen}" if p.first_seen else "no timestamps"
    title = _styled(p.peer, "bold", on)
    title.append(f"  {p.lines} catalog lines, {seen}, health ")
    title.append_text(_styled(p.health, _HEALTH.get(p.health, ""), on))
    parts: list[RenderableType] = [title]
    if not p.findings:
        parts.append(Text("  no finding: only healthy or informational messages"))
    for f in p.findings:
        head = _styled(f"{f.severity:<8}", _STYLES[f.severity], on)
        head.append(f" {f.code}")
        parts.append(_grid([(head, Text(f.summary))], 2))
        rows = [(Text("evidence" if i == 0 else ""), Text(e)) for i, e in enumerate(f.evidence)]
        rows += [
            (Text("next" if i == 0 else ""), Text(f"{i + 1}. {s}"))
            for i, s in enumerate(f.next_steps)
        ]
        parts.append(_grid(rows, 4))
    parts.append(Text(""))
    return parts


def _unknown_section(analysis: Analysis) -> list[RenderableType]:
    if not analysis.unknown:
        return [Text("Unknown lines: none"), Text("")]
    shown = analysis.shapes[:TOP_SHAPES]
    head = (
        f"Unknown lines: {analysis.unknown} in {len(analysis.shapes)} shapes"
        f" (most frequent {len(shown)}; <ip>, <hex>, <n> stand for values)"
    )
    rows = [(Text(f"{n:>6}"), Text(shape)) for shape, n, _ in shown]
    return [Text(head), _grid(rows, 2), Text("")]


def renderables(analysis: Analysis, styled: bool = False) -> Group:
    """The whole analysis as rich renderables; colour when ``styled``."""
    how = "detected" if analysis.platform_detected else "given"
    noise = ", ".join(f"{n} {kind}" for kind, n in analysis.noise.items() if n)
    parts: list[RenderableType] = [
        _styled(f"IPsec debug analysis  device {analysis.device}", "bold", styled),
        Text(
            f"platform {analysis.platform} ({how}); {analysis.lines} lines read: "
            f"{analysis.matched} matched the catalog, {analysis.unknown} unknown, "
            f"ignored: {noise or 'none'}"
        ),
        Text(""),
    ]
    if analysis.peers:
        parts += [_overview(analysis, styled), Text("")]
        for p in analysis.peers:
            parts += _peer_section(p, styled)
    else:
        parts += [Text("No line of the catalog: no peer to judge."), Text("")]
    parts += _unknown_section(analysis)
    counts = analysis.severities()
    word = _WORD[analysis.exit_code()]
    n = len(analysis.peers)
    summary = (
        f"Summary: {word} - {n} peer{'s' if n != 1 else ''}; findings: {counts['critical']} "
        f"critical, {counts['warning']} warning, {counts['info']} info"
        + (" (recovered, marked *)" if counts["info"] else "")
    )
    style = {"OK": "green", "WARNING": "yellow", "CRITICAL": "bold red"}[word]
    parts.append(_styled(summary, style, styled))
    return Group(*parts)


def render_table(analysis: Analysis, styled: bool = False, width: int = WIDTH) -> str:
    """The analysis as text ``width`` wide: plain, or with ANSI colours when ``styled``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if styled else None,
        force_terminal=styled,
        no_color=not styled,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    console.print(renderables(analysis, styled))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def render_json(analysis: Analysis) -> str:
    """The analysis as indented JSON (:meth:`Analysis.to_json`)."""
    return json.dumps(analysis.to_json(), indent=2) + "\n"
