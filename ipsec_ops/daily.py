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

import contextlib
import datetime as dt
import fcntl
import html
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsec_ops import reports
from ipsec_ops.errors import EXIT_UNKNOWN, IpsecOpsError
from ipsec_ops.history import Change, History, TunnelHistory
from ipsec_ops.model import Report
from ipsec_ops.reports import json_report

DEFAULT_LOCK_TIMEOUT = 60.0
PREFIX = "ipsec-report-"


class LockTimeout(IpsecOpsError):
    """Another run holds the history lock for longer than we may wait (exit 3)."""

    exit_code = EXIT_UNKNOWN


class ReportWriteError(IpsecOpsError):
    """The run was recorded but its report files could not be written (exit 3)."""

    exit_code = EXIT_UNKNOWN


@dataclass(frozen=True)
class DailyResult:
    run: int
    previous_run: int | None
    changes: list[Change]
    availability: list[TunnelHistory]
    files: list[Path] = field(default_factory=list)
    exit_code: int = 0


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextlib.contextmanager
def history_lock(db: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<db>.lock``, waiting up to ``timeout`` seconds."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise ReportWriteError(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another report run holds {path}; gave up after waiting {timeout:g}s"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def report_date(at: float) -> str:
    """The UTC date of ``at`` (epoch seconds).

    >>> report_date(0)
    '1970-01-01'
    """
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def change_json(c: Change) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "device": c.device,
        "peer": c.peer,
        "at": _iso(c.at),
        "summary": c.summary,
    }


def availability_json(h: TunnelHistory) -> dict[str, Any]:
    return {
        "device": h.device,
        "peer": h.peer,
        "availability": h.availability,
        "samples": h.samples,
        "first_seen": _iso(h.first_seen),
        "last_seen": _iso(h.last_seen),
        "transitions": len(h.transitions),
        "flapping": h.flapping,
    }


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
        f"{e(_iso(since))} to {e(_iso(until))}</h2></div>"
    )
    if availability:
        parts.append(
            '<table class="availability"><thead><tr><th>Device</th><th>Peer</th>'
            '<th class="n">Availability</th><th class="n">Samples</th>'
            '<th class="n">Transitions</th><th>Flapping</th></tr></thead><tbody>'
        )
        for h in availability:
            parts.append(
                f"<tr><td>{e(h.device)}</td><td>{e(h.peer)}</td>"
                f'<td class="n">{e(_pct(h.availability))}</td><td class="n">{h.samples}</td>'
                f'<td class="n">{len(h.transitions)}</td>'
                f"<td>{'yes' if h.flapping else 'no'}</td></tr>"
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


def _stage(target: Path, text: str) -> Path:
    """Write ``text`` to a new temp file beside ``target`` (flushed to disk); its path."""
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def write_all(files: list[tuple[Path, str]]) -> None:
    """Write every (path, text) atomically: all staged first, then renamed in order.

    When staging fails nothing is replaced; a rename fails only for a broken
    target (e.g. a folder in its place), and the files after it are not replaced.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in files:
            staged.append((_stage(target, text), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    if files:
        with contextlib.suppress(OSError):
            fd = os.open(files[0][0].parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def run_daily(
    report: Report,
    db: Path,
    out: Path,
    since_s: float,
    at: float,
    csv: bool,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> DailyResult:
    """Record ``report`` as run ``at`` in ``db`` and write the dated and latest reports."""
    db, out = Path(db), Path(out)
    since = at - since_s
    with history_lock(db, lock_timeout):
        with History(db) as history:
            run = history.record(report, at)
            previous = history.previous_run(run)
            changes = history.changes(previous, run) if previous is not None else []
            availability = history.window(since, at)
        texts = {
            "json": render_json(report, changes, availability),
            "html": render_html(report, changes, availability, since, at),
        }
        if csv:
            texts["csv"] = reports.render(report, "csv")
        day = report_date(at)
        dated = [(out / f"{PREFIX}{day}.{ext}", text) for ext, text in texts.items()]
        latest = [(out / f"latest.{ext}", text) for ext, text in texts.items()]
        try:
            out.mkdir(parents=True, exist_ok=True)
            write_all(dated + latest)
        except OSError as exc:
            raise ReportWriteError(
                f"run {run} recorded in {db}, but the report could not be written to {out}: "
                f"{exc.strerror or exc}"
            ) from exc
    return DailyResult(
        run=run,
        previous_run=previous,
        changes=changes,
        availability=availability,
        files=[p for p, _ in dated + latest],
        exit_code=report.exit_code(),
    )


__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "DailyResult",
    "LockTimeout",
    "ReportWriteError",
    "history_lock",
    "lock_path",
    "run_daily",
]
