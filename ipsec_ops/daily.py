"""The daily report: record a health report in the history and write dated files.

:func:`run_daily` stores the report as one run of the SQLite
:class:`~ipsec_ops.history.History`, computes what changed since the previous
run and each tunnel's availability over a window, then writes
``ipsec-report-YYYY-MM-DD.{json,html[,csv]}`` and ``latest.*`` copies.

Cron safety:

* an exclusive ``flock`` on ``<db>.lock`` around record + write, so two
  overlapping runs never interleave; the second waits up to ``lock_timeout``
  seconds, then raises :class:`LockTimeout` (exit 3);
* every file goes to a temp file in the same folder first; only when all of
  them are written are they renamed into place, dated files first and the
  ``latest`` copies last, so a failure leaves the previous ``latest`` files
  untouched (the run stays recorded in the database: it happened).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsec_ops import atomic, reports
from ipsec_ops.changes import Change
from ipsec_ops.errors import EXIT_UNKNOWN, IpsecOpsError
from ipsec_ops.history import History
from ipsec_ops.isotime import iso_time
from ipsec_ops.model import Report
from ipsec_ops.recording import Recorded, history_lock, record_in
from ipsec_ops.reports import json_report, sparkline
from ipsec_ops.settings import DEFAULT_LOCK_TIMEOUT, HistorySettings
from ipsec_ops.trends import TunnelHistory

PREFIX = "ipsec-report-"


class ReportWriteError(IpsecOpsError):
    """The run was recorded but its report files could not be written (exit 3)."""

    exit_code = EXIT_UNKNOWN


@dataclass(frozen=True)
class DailyResult(Recorded):
    """The recorded run, plus the files written and the report's exit code."""

    files: list[Path] = field(default_factory=list)
    exit_code: int = 0

    @property
    def availability(self) -> list[TunnelHistory]:
        """Each tunnel over the window (the availability table of the report)."""
        return self.window


def report_date(at: float) -> str:
    """The UTC date of ``at`` (epoch seconds).

    >>> report_date(0)
    '1970-01-01'
    """
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")


def change_json(c: Change) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "device": c.device,
        "peer": c.peer,
        "at": iso_time(c.at),
        "summary": c.summary,
    }


def availability_json(h: TunnelHistory) -> dict[str, Any]:
    return {"device": h.device, "peer": h.peer, **h.to_json()}


def render_json(report: Report, changes: list[Change], availability: list[TunnelHistory]) -> str:
    """The JSON report (DESIGN.md contract + summary) with ``changes`` and ``availability``."""
    doc = json_report.document(report)
    doc["changes"] = [change_json(c) for c in changes]
    doc["availability"] = [availability_json(h) for h in availability]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def daily_section(
    changes: list[Change], availability: list[TunnelHistory], since: float, until: float
) -> str:
    """The HTML of the changes and availability panels; every string escaped."""
    e = html.escape
    parts = [
        '<section class="panel daily-changes" id="changes" aria-labelledby="changes-title">',
        '<div class="panel-head"><h2 id="changes-title">Changes since the previous report'
        "</h2></div>",
    ]
    if changes:
        parts.append(
            '<table class="changes"><thead><tr><th>Change</th><th>Device</th>'
            "<th>Peer</th><th>Summary</th></tr></thead><tbody>"
        )
        for c in changes:
            parts.append(
                f'<tr class="change-{e(c.kind)}"><td>{e(c.kind)}</td><td>{e(c.device)}</td>'
                f"<td>{e(c.peer or '')}</td><td>{e(c.summary)}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append('<p class="none">No changes since the previous report.</p>')
    parts.append("</section>")
    parts.append(
        '<section class="panel daily-availability" id="availability"'
        ' aria-labelledby="availability-title">'
    )
    parts.append(
        '<div class="panel-head"><h2 id="availability-title">Availability '
        f"{e(iso_time(since))} to {e(iso_time(until))}</h2></div>"
    )
    if availability:
        parts.append(
            f"<style>{sparkline.CSS}</style>"
            '<table class="availability"><thead><tr><th>Device</th><th>Peer</th>'
            '<th class="n">Availability</th><th class="n">Samples</th>'
            '<th class="n">Transitions</th><th>Flapping</th><th>State</th>'
            '<th>Traffic <span class="spark-legend"><span class="out">out</span> /'
            ' <span class="in">in</span> pps</span></th></tr></thead><tbody>'
        )
        for h in availability:
            parts.append(
                f"<tr><td>{e(h.device)}</td><td>{e(h.peer)}</td>"
                f'<td class="n">{e(_pct(h.availability))}</td><td class="n">{h.samples}</td>'
                f'<td class="n">{len(h.transitions)}</td>'
                f"<td>{'yes' if h.flapping else 'no'}</td>"
                f"<td>{sparkline.state_strip(h, since, until)}</td>"
                f"<td>{sparkline.traffic_line(h, since, until)}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append('<p class="none">No tunnels in the window.</p>')
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def insert_section(page: str, section: str) -> str:
    """``section`` right after the page's main heading (``</header>``), else after ``<body>``."""
    for marker in ("</header>\n", "</header>", "<body>\n", "<body>"):
        i = page.find(marker)
        if i >= 0:
            cut = i + len(marker)
            return page[:cut] + section + page[cut:]
    return section + page


def render_html(
    report: Report,
    changes: list[Change],
    availability: list[TunnelHistory],
    since: float,
    until: float,
) -> str:
    page = reports.render(report, "html")
    return insert_section(page, daily_section(changes, availability, since, until))


def run_daily(
    report: Report,
    db: Path,
    out: Path,
    since_s: float,
    at: float,
    csv: bool,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    keep_days: int | None = None,
) -> DailyResult:
    """Record ``report`` as run ``at`` in ``db`` and write the dated and latest reports."""
    settings = HistorySettings(Path(db), since_s, keep_days, lock_timeout)
    out = Path(out)
    since = at - since_s
    with history_lock(settings.db, lock_timeout):
        with History(settings.db) as history:
            rec = record_in(history, report, at, settings)
        texts = {
            "json": render_json(report, rec.changes, rec.window),
            "html": render_html(report, rec.changes, rec.window, since, at),
        }
        if csv:
            texts["csv"] = reports.render(report, "csv")
        day = report_date(at)
        dated = [(out / f"{PREFIX}{day}.{ext}", text) for ext, text in texts.items()]
        latest = [(out / f"latest.{ext}", text) for ext, text in texts.items()]
        try:
            out.mkdir(parents=True, exist_ok=True)
            atomic.write_all(dated + latest)
        except OSError as exc:
            raise ReportWriteError(
                f"run {rec.run} recorded in {settings.db}, but the report could not be written"
                f" to {out}: {exc.strerror or exc}"
            ) from exc
    files = [p for p, _ in dated + latest]
    return DailyResult(**vars(rec), files=files, exit_code=report.exit_code())


__all__ = [
    "DailyResult",
    "ReportWriteError",
    "run_daily",
]
