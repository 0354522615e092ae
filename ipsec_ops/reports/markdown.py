"""Markdown (GitHub flavoured): counts, one section per device, then each problem in detail.

Device strings are untrusted: outside code spans ``&`` and ``<`` become
entities (a description ``<script>`` stays text when the Markdown is turned
into HTML) and in table cells ``|`` is escaped. Evidence goes in fenced code
blocks whose fence is longer than any run of backticks inside.
"""

from __future__ import annotations

import re

from ipsec_ops.model import Finding, Report, Tunnel
from ipsec_ops.reports import common, ezvpn_section
from ipsec_ops.reports.common import DeviceGroup

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# A lone ">" opens no tag, and inline text never starts a line (no blockquote): keep it.
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;"})


def inline(text: str) -> str:
    """``text`` on one line, HTML-escaped outside its code spans (inside them it is literal).

    >>> inline("ACL <a&b>: `show access-lists <a>`")
    'ACL &lt;a&amp;b>: `show access-lists <a>`'
    """
    out, last = [], 0
    text = common.one_line(text)
    for m in _CODE_SPAN.finditer(text):
        out.append(text[last : m.start()].translate(_ENTITIES))
        out.append(m.group(0))
        last = m.end()
    out.append(text[last:].translate(_ENTITIES))
    return "".join(out)


def cell(text: str) -> str:
    """``text`` made safe for a table cell: :func:`inline` and ``|`` escaped (even in code).

    >>> cell("Branch 20 | backup")
    'Branch 20 \\\\| backup'
    """
    return inline(text).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub table; cells must already be escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _counts(report: Report) -> list[str]:
    """The summary counts table and the overall state."""
    s = common.summary(report)
    rows = [[h, str(s[h])] for h in common.WORST_FIRST]
    lines = _table(["health", "count"], rows)
    state = f"**{common.state_word(report)}** (exit {s['exit_code']}): {s['tunnels']} tunnels"
    state += f" on {s['devices']} devices"
    if s["devices_unreadable"]:
        state += f", {s['devices_unreadable']} could not be read (counted as unknown)"
    return [*lines, "", state]


def _tunnel_rows(tunnels: list[Tunnel]) -> list[str]:
    """The tunnel table of one device."""
    header = ["peer", "description", "health", "IKE", "IPsec SA enc/dec", "findings", "summary"]
    rows = [
        [
            cell(t.peer),
            cell(t.description or ""),
            f"**{t.health}**" if t.health != "up" else "up",
            cell(common.ike_text(t)),
            cell(common.ipsec_text(t)),
            " ".join(f"`{c}`" for c in common.codes(t.findings)),
            cell(common.first_summary(t.findings)),
        ]
        for t in tunnels
    ]
    return _table(header, rows)


def fence(lines: list[str]) -> list[str]:
    """``lines`` in a fenced code block that their own backticks cannot close.

    >>> fence(["a ``` b"])
    ['````', 'a ``` b', '````']
    """
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    bar = "`" * max(3, longest + 1)
    return [bar, *lines, bar]


def finding_block(f: Finding) -> list[str]:
    """One finding: code and severity, summary, evidence as code, numbered next steps."""
    lines = [f"**`{f.code}`** ({f.severity}): {inline(f.summary)}", ""]
    evidence = [line for e in f.evidence for line in e.splitlines()]
    if evidence:
        lines += ["Evidence:", "", *fence(evidence), ""]
    if f.next_steps:
        lines += ["Next steps:", ""]
        lines += [f"{i}. {inline(step)}" for i, step in enumerate(f.next_steps, 1)]
        lines.append("")
    return lines


def _device_section(g: DeviceGroup) -> list[str]:
    """A device heading, its error and own findings, its tunnels and their problems."""
    d = g.device
    platform = " ".join(x for x in (d.platform, d.version) if x)
    lines = [
        f"## {inline(d.name)}",
        "",
        f"{inline(platform)}, status **{d.status}**, health **{g.health}**",
        "",
    ]
    if d.error:
        lines += [f"Error: {inline(d.error)}", ""]
    for f in d.findings:
        lines += finding_block(f)
    if g.tunnels:
        lines += [*_tunnel_rows(g.tunnels), ""]
    for t in (t for t in g.tunnels if t.health != "up"):
        lines += [f"### {inline(t.peer)}: {t.health}", ""]
        lines += [line for f in t.findings for line in finding_block(f)]
    return lines


def render(report: Report) -> str:
    """The report as a Markdown document ending with a newline."""
    lines = [f"# IPsec tunnel health, {inline(report.generated_at)}", "", *_counts(report), ""]
    for g in common.device_groups(report):
        lines += _device_section(g)
    cells = ezvpn_section.rows(report)
    if cells:
        body = [[cell(c) for c in r] for r in cells]
        lines += [f"## {ezvpn_section.TITLE}", "", *_table(ezvpn_section.HEADER, body), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
