"""HTML: self-contained, escaped, and checked in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ipsec_ops.model import Report
from ipsec_ops.reports import render
from ipsec_ops.reports.html import content_security_policy
from ipsec_ops.reports.html_template import SCRIPT
from tests.reports.sample import SCRIPT as EVIL

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=2000",
]


class Page(HTMLParser):
    """Text by element id, script bodies, tags with attributes, and all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, str] = {}
        self.scripts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self.scripts.append("")
        if tag not in ("meta", "br", "link", "img", "input"):
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.by_id[str(attributes["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open and self._open[-1][0] == "script":
            self.scripts[-1] += data
        for _, element_id in self._open:
            if element_id:
                self.by_id[element_id] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_untrusted_strings_are_escaped(small_report: Report) -> None:
    html = render(small_report, "html")
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = parse(html)
    assert EVIL in "".join(page.text)  # shown as text
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]


def test_no_external_assets(small_report: Report) -> None:
    html = render(small_report, "html")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", html, re.I)
    for tag, attrs in parse(html).tags:
        assert "src" not in attrs, tag
        assert str(attrs.get("href", "#")).startswith("#"), (tag, attrs)


def test_counts_ids_and_generation_time(small_report: Report) -> None:
    page = parse(render(small_report, "html"))
    counts = {h: page.by_id[f"count-{h}"].strip() for h in ("up", "degraded", "down", "unknown")}
    assert counts == {"up": "2", "degraded": "1", "down": "2", "unknown": "1"}
    assert page.by_id["generated-at"] == "2026-11-26T08:00:00Z"


def test_findings_expand_with_evidence_and_steps(small_report: Report) -> None:
    html = render(small_report, "html")
    assert html.count('<details class="finding') == 5  # 3 tunnel findings, 2 device findings
    assert "<pre>198.51.100.20   192.0.2.1       MM_KEY_EXCH       1002 ACTIVE\n" in html
    assert "<li>Read the IKE SA state on both ends: <code>show crypto isakmp sa | include " in html
    assert "&#34;BRANCH30-ACL&#34;" in html


def test_csp_allows_exactly_the_page_script(small_report: Report) -> None:
    html = render(small_report, "html")
    metas = [a for tag, a in parse(html).tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert [m["content"] for m in metas] == [content_security_policy()]
    assert f"<script>{SCRIPT}</script>" in html
    assert html.startswith("<!DOCTYPE html>\n")
    assert "default-src 'none'" in content_security_policy()


CHROMIUM_CANDIDATES = ("chromium", "/usr/bin/chromium")


def chromium() -> str:
    """The Chromium binary; skip without it, but fail on CI, which installs it."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing on CI: install it (apt-get install -y chromium)")
    pytest.skip("Chromium not installed (apt-get install -y chromium); CI runs this test")


def test_missing_chromium_skips_locally_and_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not installed"):
        chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="missing on CI"):
        chromium()


def dump_dom(html_file: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    """Chromium's DOM of the page after its scripts ran, and its log on stderr."""
    command = [
        chromium(),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--dump-dom",
        html_file.resolve().as_uri(),
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=90, check=False, stdin=subprocess.DEVNULL
    )


def test_page_in_headless_chromium(small_report: Report, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render(small_report, "html"), encoding="utf-8")
    run = dump_dom(page_file, tmp_path / "profile")
    assert run.returncode == 0, run.stderr[-2000:]
    page = parse(run.stdout)
    counts = {h: page.by_id[f"count-{h}"].strip() for h in ("up", "degraded", "down", "unknown")}
    assert counts == {"up": "2", "degraded": "1", "down": "2", "unknown": "1"}
    # The description is text in the DOM, not a script element that ran.
    assert EVIL in "".join(page.text)
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]
    # Our script ran (the CSP hash matched): it shows the filter buttons.
    filters = next(attrs for tag, attrs in page.tags if attrs.get("id") == "filters")
    assert "hidden" not in filters
    # Chromium logs every console message, console.error included, as INFO:CONSOLE;
    # the page logs nothing, so any such line (an error, a CSP violation) is a failure.
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not console, "\n".join(console)
