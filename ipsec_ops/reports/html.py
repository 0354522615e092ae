"""A single self-contained HTML page: counts, devices, tunnels, findings to expand.

No external assets: the style sheet and the script are inline, and a Content
Security Policy forbids loading anything else (``default-src 'none'``) and runs
only the page's own script (by hash), so even a string that escaped escaping
could not run. Jinja2 autoescape is on; every device string is escaped.
The page is complete without JavaScript: the script only adds health filters
and an expand-all button.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ipsec_ops.model import Finding, Report, Tunnel
from ipsec_ops.reports import common, ezvpn_section
from ipsec_ops.reports.common import DeviceGroup
from ipsec_ops.reports.html_template import FINDING_MACRO, SCRIPT, STYLE, TEMPLATE

_CODE_SPAN = re.compile(r"`([^`]+)`")
_STATE_HEALTH = {"OK": "up", "WARNING": "degraded", "CRITICAL": "down", "UNKNOWN": "unknown"}


def content_security_policy(script: str = SCRIPT) -> str:
    """The page's CSP: nothing from outside, inline style, and only ``script`` (by its hash)."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def with_code(text: str) -> Markup:
    """``text`` escaped, with its backtick spans (commands in next steps) as ``<code>``.

    >>> str(with_code("run `show ip route <x>` & <b>"))
    'run <code>show ip route &lt;x&gt;</code> &amp; &lt;b&gt;'
    """
    parts = _CODE_SPAN.split(text)
    # split() with one group alternates: plain text at even positions, code at odd ones.
    return Markup("").join(
        escape(p) if i % 2 == 0 else Markup("<code>%s</code>") % p for i, p in enumerate(parts)
    )


def finding_view(f: Finding) -> dict[str, Any]:
    """What the template shows of one finding."""
    return {
        "code": f.code,
        "severity": f.severity,
        "summary": f.summary,
        "health": common.severity_health(f),
        "evidence": "\n".join(f.evidence),
        "next_steps": [with_code(s) for s in f.next_steps],
    }


def _plural(n: int, noun: str) -> str:
    """``n`` and ``noun``, with an s unless n is 1.

    >>> _plural(1, "recv error"), _plural(1200, "send error")
    ('1 recv error', '1,200 send errors')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def tunnel_view(t: Tunnel) -> dict[str, Any]:
    """What the template shows of one tunnel."""
    c = common.totals(t)
    n = common.sa_count(t)
    where = " ".join(str(x) for x in (t.crypto_map, t.seq) if x is not None)
    traffic = f"{c['encaps']:,} encaps / {c['decaps']:,} decaps" if t.ipsec else ""
    errors = [_plural(c[f"{k}_errors"], f"{k} error") for k in ("send", "recv") if c[f"{k}_errors"]]
    if errors:
        traffic += ", " + ", ".join(errors)
    return {
        "peer": t.peer,
        "description": t.description or "",
        "health": t.health,
        "where": " · ".join(x for x in (f"local {t.local}" if t.local else "", where) if x),
        "ike": common.ike_text(t),
        "ike_more": t.ike.role if t.ike and t.ike.role else "",
        "sas": f"{n} SA{'' if n == 1 else 's'}" if n else "no SA",
        "traffic": traffic,
        "findings": [finding_view(f) for f in t.findings],
    }


def device_view(g: DeviceGroup, index: int) -> dict[str, Any]:
    """What the template shows of one device, its tunnels included."""
    d = g.device
    counts = g.counts()
    healths = {t.health for t in g.tunnels} | {g.health}
    return {
        "anchor": f"device-{index}",
        "name": d.name,
        "status": d.status,
        "error": d.error,
        "platform": " ".join(x for x in (d.platform, d.version) if x),
        "health": g.health,
        "counts": counts,
        "healths": " ".join(sorted(healths)),
        "findings": [finding_view(f) for f in d.findings],
        "tunnels": [tunnel_view(t) for t in g.tunnels],
    }


def _count_views(report: Report) -> list[dict[str, Any]]:
    """The four big numbers, worst first, with a note where unknown includes devices."""
    s = common.summary(report)
    unreadable = s["devices_unreadable"]
    notes = {
        "unknown": f"{unreadable} device{'s' if unreadable != 1 else ''} unreadable"
        if unreadable
        else ""
    }
    return [{"health": h, "value": s[h], "note": notes.get(h, "")} for h in common.WORST_FIRST]


@functools.cache
def template() -> jinja2.Template:
    """The compiled page template (autoescape on, undefined names are errors)."""
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(FINDING_MACRO + TEMPLATE)


def render(report: Report) -> str:
    """The report as one HTML document."""
    word = common.state_word(report)
    return template().render(
        generated_at=report.generated_at,
        summary=common.summary(report),
        state_word=word,
        state_health=_STATE_HEALTH[word],
        counts=_count_views(report),
        worst_first=common.WORST_FIRST,
        csp=content_security_policy(),
        devices=[device_view(g, i) for i, g in enumerate(common.device_groups(report), 1)],
        ezvpn_title=ezvpn_section.TITLE,
        ezvpn_header=ezvpn_section.HEADER,
        ezvpn_rows=ezvpn_section.rows(report),
        style=Markup(STYLE),
        script=Markup(SCRIPT),
    )
