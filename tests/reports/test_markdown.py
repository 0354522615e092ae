"""Markdown: counts, sections, escaping of table cells and HTML, evidence as code."""

from __future__ import annotations

from ipsec_ops.model import Report
from ipsec_ops.reports import render
from tests.reports.sample import tiny_report


def test_title_counts_and_sections(small_report: Report) -> None:
    text = render(small_report, "md")
    assert text.startswith("# IPsec tunnel health, 2026-11-26T08:00:00Z\n")
    for line in ("| down | 2 |", "| degraded | 1 |", "| unknown | 1 |", "| up | 2 |"):
        assert line in text
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## hub1", "## fw1", "## br3"]
    details = [line for line in text.splitlines() if line.startswith("### ")]
    assert details == [
        "### 198.51.100.20: down",
        "### 198.51.100.30: degraded",
        "### 203.0.113.10: down",
    ]


def test_cells_escape_pipes_and_html(small_report: Report) -> None:
    text = render(small_report, "md")
    assert "| Branch 20 \\| backup ISP |" in text
    assert "&lt;script>alert(1)&lt;/script>" in text
    assert "<script>" not in text
    for line in text.splitlines():
        if line.startswith("| ") and "198.51.100.20" in line:
            assert line.replace("\\|", "").count("|") == 8  # 7 cells


def test_evidence_in_code_and_numbered_steps(small_report: Report) -> None:
    text = render(small_report, "md")
    assert "```\n198.51.100.20   192.0.2.1       MM_KEY_EXCH       1002 ACTIVE\n" in text
    assert "1. Read the IKE SA state on both ends: `show crypto isakmp sa | include " in text
    assert "3. Debug this peer only: `ipsec-ops debug peer 198.51.100.20 --host hub1`" in text


def test_backticks_in_evidence_get_a_longer_fence() -> None:
    report = tiny_report("down")
    report.tunnels[0].findings[0].evidence = ["weird ``` line"]
    assert "````\nweird ``` line\n````" in render(report, "md")
