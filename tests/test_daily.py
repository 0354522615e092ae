"""The daily report: real SQLite files, real report files, a lab bundle; no mocks."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ipsec_ops.bundle import read_bundle
from ipsec_ops.daily import ReportWriteError, report_date, run_daily
from ipsec_ops.errors import EXIT_UNKNOWN, UsageError
from ipsec_ops.health import build_report
from ipsec_ops.history import History
from ipsec_ops.isotime import utc_now
from ipsec_ops.model import Device, Finding, IkeSa, IpsecSa, Report, Tunnel
from ipsec_ops.options import parse_duration
from ipsec_ops.recording import LockTimeout, history_lock

T0 = 1_795_000_000.0  # an arbitrary epoch (2026-11-18)
DAY = 86400.0


def report(at: float, tunnels: dict[str, str], device: str = "hub1") -> Report:
    """A report of ``device`` whose tunnels are peer -> health."""
    out = []
    for peer, health in tunnels.items():
        up = health in ("up", "degraded")
        sa = IpsecSa("10.1.0.0/24", "10.2.0.0/24", "0x1", "0xA" if up else None, 10, 10)
        findings = [] if up else [Finding("CONFIGURED_NOT_UP", "critical", "no IKE SA")]
        ike = IkeSa(1, "QM_IDLE" if up else "MM_NO_STATE", conn_id=1001)
        out.append(Tunnel(device, peer, ike=ike, ipsec=[sa], health=health, findings=findings))
    stamp = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Report(stamp, [Device(device, "cisco_ios")], out)


def dated(out: Path, at: float, ext: str) -> Path:
    return out / f"ipsec-report-{report_date(at)}.{ext}"


# --------------------------------------------------------------------------- logic


def test_tunnel_down_then_back_appears_in_changes(tmp_path: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    first = run_daily(report(T0, {"p1": "up", "p2": "up"}), db, out, DAY, T0, False)
    assert first.previous_run is None and first.changes == []
    doc = json.loads(dated(out, T0, "json").read_text())
    assert doc["changes"] == []

    at2 = T0 + DAY
    second = run_daily(report(at2, {"p1": "down", "p2": "up"}), db, out, DAY, at2, False)
    assert second.previous_run == first.run
    assert second.exit_code == 2
    doc = json.loads(dated(out, at2, "json").read_text())
    assert [(c["kind"], c["peer"]) for c in doc["changes"]] == [("down", "p1")]
    assert "went down" in doc["changes"][0]["summary"]
    # The DESIGN.md contract is still there.
    assert {"generated_at", "devices", "tunnels"} <= set(doc)
    assert {t["peer"]: t["health"] for t in doc["tunnels"]} == {"p1": "down", "p2": "up"}

    at3 = T0 + 2 * DAY
    run_daily(report(at3, {"p1": "up", "p2": "up"}), db, out, 3 * DAY, at3, False)
    doc = json.loads(dated(out, at3, "json").read_text())
    assert [(c["kind"], c["peer"]) for c in doc["changes"]] == [("up", "p1")]
    avail = {a["peer"]: a for a in doc["availability"]}
    assert avail["p1"]["availability"] == pytest.approx(2 / 3)
    assert avail["p1"]["samples"] == 3 and avail["p1"]["transitions"] == 2
    assert avail["p2"]["availability"] == 1.0
    # Three days, three dated JSON files; the earlier ones are kept.
    assert len(list(out.glob("ipsec-report-*.json"))) == 3


def test_availability_window_follows_since(tmp_path: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    run_daily(report(T0, {"p1": "down"}), db, out, DAY, T0, False)
    at = T0 + 2 * DAY
    result = run_daily(report(at, {"p1": "up"}), db, out, DAY, at, False)
    # The down run is older than the 24h window: only the current run counts.
    assert [(h.peer, h.availability, h.samples) for h in result.availability] == [("p1", 1.0, 1)]
    assert [c.kind for c in result.changes] == ["up"]


def test_latest_equals_the_dated_files(tmp_path: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    result = run_daily(report(T0, {"p1": "up"}), db, out, DAY, T0, True)
    for ext in ("json", "html", "csv"):
        assert (out / f"latest.{ext}").read_bytes() == dated(out, T0, ext).read_bytes()
    assert sorted(p.name for p in result.files) == sorted(
        [f"ipsec-report-{report_date(T0)}.{e}" for e in ("json", "html", "csv")]
        + ["latest.json", "latest.html", "latest.csv"]
    )
    # Nothing else left behind (no temp files).
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.files)
    at2 = T0 + DAY
    run_daily(report(at2, {"p1": "down"}), db, out, DAY, at2, False)
    assert (out / "latest.json").read_bytes() == dated(out, at2, "json").read_bytes()
    assert json.loads((out / "latest.json").read_text())["changes"][0]["kind"] == "down"


class PageParser(HTMLParser):
    VOID = frozenset(
        [
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "param",
            "source",
            "track",
            "wbr",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action") and value and not value.startswith("#"):
                self.urls.append(value)
            if name == "id" and value:
                self.ids.append(value)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_has_the_changes_section_and_is_valid(tmp_path: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    evil = '<script>alert("x")</script>&'
    run_daily(report(T0, {"p1": "up"}, device=evil), db, out, DAY, T0, False)
    at2 = T0 + DAY
    run_daily(report(at2, {"p1": "down"}, device=evil), db, out, DAY, at2, False)
    page = dated(out, at2, "html").read_text()

    parser = PageParser()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.urls == []  # no external assets
    assert "http://" not in page and "https://" not in page
    assert "changes" in parser.ids and "availability" in parser.ids
    # The section sits at the top: after the main heading, before the counts.
    head, changes, counts = (
        page.index("</header>"),
        page.index('id="changes"'),
        page.index('class="counts"'),
    )
    assert head < changes < counts
    assert page.index('id="availability"') < counts
    text = "".join(parser.text)
    assert "Changes since the previous report" in text
    assert f"{evil} -> p1 went down" in text  # shown as text...
    assert '<script>alert("x")' not in page  # ...never as markup
    section = page[changes:counts]
    assert "<td>down</td>" in section and "50.0%" in section


def test_first_run_says_no_changes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_daily(report(T0, {"p1": "up"}), tmp_path / "h.db", out, DAY, T0, False)
    page = (out / "latest.html").read_text()
    assert "No changes since the previous report." in page
    assert "100.0%" in page


def test_failed_write_keeps_the_run_and_the_previous_latest(tmp_path: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    run_daily(report(T0, {"p1": "up"}), db, out, DAY, T0, False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    at2 = T0 + DAY
    dated(out, at2, "json").mkdir()  # a folder where the dated file must go: rename fails
    with pytest.raises(ReportWriteError) as info:
        run_daily(report(at2, {"p1": "down"}), db, out, DAY, at2, False)
    assert info.value.exit_code == EXIT_UNKNOWN
    assert "recorded" in str(info.value)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before  # latest untouched, no temp file left, no half report
    with History(db) as h:
        assert len(h.runs()) == 2  # the run happened
        assert h.integrity_check() == "ok"
    # The next run works and reports against the recorded one.
    dated(out, at2, "json").rmdir()
    at3 = T0 + 2 * DAY
    result = run_daily(report(at3, {"p1": "down"}), db, out, DAY, at3, False)
    assert result.changes == []  # already down in the failed-to-write run


def test_unwritable_out_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportWriteError, match="could not be written"):
        run_daily(report(T0, {"p1": "up"}), tmp_path / "h.db", blocker / "out", DAY, T0, False)


def test_lock_timeout_raises_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with history_lock(db, 1), pytest.raises(LockTimeout, match="another report run") as info:
        run_daily(report(T0, {"p1": "up"}), db, tmp_path / "out", DAY, T0, False, lock_timeout=0.2)
    assert info.value.exit_code == 3
    assert not (tmp_path / "out").exists()
    if db.exists():
        with History(db) as h:
            assert h.runs() == []


def _daily_worker(db: str, out: str, at: float, timeout: float) -> tuple[str, str]:
    try:
        result = run_daily(
            report(at, {"p1": "up", "p2": "down"}),
            Path(db),
            Path(out),
            DAY,
            at,
            True,
            lock_timeout=timeout,
        )
    except LockTimeout as exc:
        return ("timeout", str(exc))
    return ("ok", str(result.run))


@pytest.mark.parametrize("timeout", [60.0, 0.0])
def test_concurrent_runs_never_interleave(tmp_path: Path, timeout: float) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        jobs = [
            pool.apply_async(_daily_worker, (str(db), str(out), T0 + i, timeout)) for i in range(2)
        ]
        results = [j.get(timeout=100) for j in jobs]
    oks = [r for r in results if r[0] == "ok"]
    assert oks, results
    for kind, message in results:
        assert kind == "ok" or "another report run holds" in message
    if timeout == 60.0:
        assert len(oks) == 2
    with History(db) as h:
        assert len(h.runs()) == len(oks)
        assert h.integrity_check() == "ok"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    for ext in ("json", "html", "csv"):
        assert (out / f"latest.{ext}").read_bytes() == dated(out, T0, ext).read_bytes()
    json.loads((out / "latest.json").read_text())  # whole, not interleaved
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- --since


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("24h", 86400.0),
        ("30m", 1800.0),
        ("45s", 45.0),
        ("7d", 604800.0),
        ("1.5h", 5400.0),
        ("90", 90.0),
        (" 2D ", 172800.0),
    ],
)
def test_since_parses(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "24x", "-1h", "0h", "1h30m", "abc", "1e3s", "24 hours"])
def test_since_rejects_bad_input(text: str) -> None:
    with pytest.raises(UsageError, match="--since"):
        parse_duration(text)


# --------------------------------------------------------------------------- CLI


def _cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ipsec_ops", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


def test_cli_daily_from_bundle(tmp_path: Path, lab_bundle: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    expected = build_report(read_bundle(lab_bundle), utc_now()).exit_code()
    args = ["report", "daily", "--from", str(lab_bundle), "--db", str(db), "--out", str(out)]
    first = _cli([*args, "--csv", "--since", "12h"])
    assert first.returncode == expected, first.stderr
    assert "run 1: 0 changes" in first.stdout
    names = {p.name for p in out.iterdir()}
    assert {"latest.json", "latest.html", "latest.csv"} <= names
    assert len([n for n in names if n.startswith("ipsec-report-")]) == 3
    doc = json.loads((out / "latest.json").read_text())
    assert doc["changes"] == [] and doc["tunnels"]
    assert len(doc["availability"]) == len(doc["tunnels"])
    second = _cli(args)
    assert second.returncode == expected, second.stderr
    assert "run 1 (this reading was already recorded" in second.stdout
    with History(db) as h:
        assert len(h.runs()) == 1  # the same bundle is one reading


def test_cli_lock_timeout_exits_3(tmp_path: Path, lab_bundle: Path) -> None:
    db, out = tmp_path / "h.db", tmp_path / "out"
    args = ["report", "daily", "--from", str(lab_bundle), "--db", str(db), "--out", str(out)]
    with history_lock(db, 1):
        done = _cli([*args, "--lock-timeout", "0.5"])
    assert done.returncode == 3, done.stderr
    assert "another report run holds" in done.stderr
    assert done.stderr.count("\n") == 1  # one line, no traceback
    assert not out.exists()


@pytest.mark.parametrize(
    "extra",
    [["--since", "soon"], ["--lab"]],
)
def test_cli_usage_errors_exit_64(tmp_path: Path, lab_bundle: Path, extra: list[str]) -> None:
    args = ["report", "daily", "--from", str(lab_bundle), "--db", str(tmp_path / "h.db")]
    done = _cli([*args, "--out", str(tmp_path / "out"), *extra])
    assert done.returncode == 64, done.stderr
    assert not (tmp_path / "h.db").exists()
